import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

describe('smoke', () => {
  it('issues a token and lists keys with it', async () => {
    const b = await s.bootstrap();
    const token = await s.token(b.accessKey.accessKeyId, b.secret);
    const res = await fetch(`${s.url}/v1/projects/${b.projectId}/accessKeys`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.accessKeys.map((k: { accessKeyId: string }) => k.accessKeyId)).toEqual([b.accessKey.accessKeyId]);
  });
});
