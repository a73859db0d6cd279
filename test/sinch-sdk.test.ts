// The product's promise to Sinch users: the real Sinch Node.js SDK gets its tokens from
// Keymint when its auth host points here, and a resource API that trusts Keymint accepts
// the SDK's calls. SinchClient (@sinch/sdk-core) fetches a token from POST /oauth2/token
// with the Key ID and Key Secret (its OAuth2 plugin), then calls a stand-in Numbers API that
// verifies every Bearer token with keymint/verify.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SinchClient } from '@sinch/sdk-core';
import { createVerifier, requireAccessToken } from '../src/verify/index.js';
import { startTestServer, recordSecret, recordToken, type Bootstrapped, type TestServer } from './helpers/server.js';
import { consoleAccount } from './helpers/console-account.js';

let keymint: TestServer;
let key: Bootstrapped;
let numbersApi: Server;
let numbersUrl: string;
const seen: Array<{ clientId: string; projectId?: string; path: string; token: string }> = [];

beforeAll(async () => {
  keymint = await startTestServer();
  key = await keymint.bootstrap();
  const verifier = createVerifier({ issuer: keymint.url, audience: keymint.url });
  const app = express();
  app.get('/v1/projects/:projectId/activeNumbers/:phoneNumber', requireAccessToken(verifier), (req, res) => {
    const token = res.locals.accessToken!;
    const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    recordToken(bearer);
    seen.push({ clientId: token.clientId, projectId: token.projectId, path: req.path, token: bearer });
    if (token.projectId !== req.params.projectId) {
      res.status(403).json({ error: { code: 403, message: 'not your project', status: 'PERMISSION_DENIED' } });
      return;
    }
    res.json({ phoneNumber: req.params.phoneNumber, projectId: req.params.projectId, displayName: 'Stand-in number' });
  });
  numbersApi = createServer(app);
  await new Promise<void>((resolve) => numbersApi.listen(0, '127.0.0.1', resolve));
  numbersUrl = `http://127.0.0.1:${(numbersApi.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => numbersApi?.close(resolve));
  await keymint?.close();
});

const sdk = (projectId: string, keyId: string, keySecret: string) => {
  const sinch = new SinchClient({ projectId, keyId, keySecret, authHostname: keymint.url, numbersHostname: numbersUrl });
  return sinch.numbers.activeNumber;
};

describe('the Sinch SDK (@sinch/sdk-core 1.4.0) with its auth host set to Keymint', () => {
  it('gets a token from /oauth2/token and calls an API that verifies it with keymint/verify', async () => {
    const before = seen.length;
    const number = await sdk(key.projectId, key.accessKey.accessKeyId, key.secret).get({ phoneNumber: '+12025550123' });
    expect(number).toMatchObject({ phoneNumber: '+12025550123', projectId: key.projectId });
    // A second call reuses the SDK's cached token: still verified, same key.
    await sdk(key.projectId, key.accessKey.accessKeyId, key.secret).get({ phoneNumber: '+12025550124' });
    expect(seen.slice(before).map(({ token: _t, ...rest }) => rest)).toEqual([
      { clientId: key.accessKey.accessKeyId, projectId: key.projectId, path: `/v1/projects/${key.projectId}/activeNumbers/+12025550123` },
      { clientId: key.accessKey.accessKeyId, projectId: key.projectId, path: `/v1/projects/${key.projectId}/activeNumbers/+12025550124` },
    ]);
  });

  it("gets a token (no resource) that Keymint's Access Keys API accepts too, as under Sinch", async () => {
    await sdk(key.projectId, key.accessKey.accessKeyId, key.secret).get({ phoneNumber: '+12025550127' });
    const res = await fetch(`${keymint.url}/v1/projects/${key.projectId}/accessKeys`, { headers: { authorization: `Bearer ${seen.at(-1)!.token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { accessKeys: Array<{ accessKeyId: string }> }).accessKeys.map((k) => k.accessKeyId)).toContain(key.accessKey.accessKeyId);
  });

  it('works with a legacy credential as Key ID and Key Secret', async () => {
    const acct = await consoleAccount(keymint);
    const username = `sdk.legacy.${Date.now()}`;
    recordSecret('SdkPassw0rd');
    const created = await acct.users.administrator.call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'legacy', username, password: 'SdkPassw0rd' });
    expect(created.status).toBe(201);
    const number = await sdk(acct.projectId, username, 'SdkPassw0rd').get({ phoneNumber: '+12025550125' });
    expect(number).toMatchObject({ projectId: acct.projectId });
    expect(seen.at(-1)?.projectId).toBe(acct.projectId);
  });

  it('fails, and reaches no API, when the Key Secret is wrong', async () => {
    const before = seen.length;
    await expect(sdk(key.projectId, key.accessKey.accessKeyId, 'kmsk_not-the-secret').get({ phoneNumber: '+12025550126' })).rejects.toThrow();
    expect(seen.length).toBe(before);
  });
});
