// Cold reads of keys asked for together go in one statement (db/batched-reads.ts via
// auth/key-cache.ts); each caller gets its own key, and an ID that is no UUID never joins a
// batch (it would fail the statement for every key in it).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AccessKeyCache } from '../src/auth/key-cache.js';
import type { ChangeFeed } from '../src/db/change-feed.js';
import type { Queryable } from '../src/db/pool.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

const noFeed = { subscribe() {} } as unknown as ChangeFeed;

it('reads keys asked for in one turn with one statement, each answered for itself, a malformed ID left out', async () => {
  const [a, b] = [await s.bootstrap(), await s.bootstrap()];
  const statements: string[] = [];
  const db: Queryable = {
    query: ((text: string, values?: unknown[]) => {
      statements.push(text);
      return s.sql.query(text, values);
    }) as Queryable['query'],
  };
  const keys = new AccessKeyCache({ db, feed: noFeed });
  const ids = [a.accessKey.accessKeyId, 'not-a-uuid', b.accessKey.accessKeyId, randomUUID(), `${a.accessKey.accessKeyId}'--`];
  const found = await Promise.all(ids.map((id) => keys.get(id)));
  expect(found.map((k) => k?.id)).toEqual([a.accessKey.accessKeyId, undefined, b.accessKey.accessKeyId, undefined, undefined]);
  expect(found[0]?.projectId).toBe(a.projectId);
  expect(found[2]?.projectId).toBe(b.projectId);
  expect(statements).toHaveLength(1);
  // Cached now: asked again, no statement.
  await Promise.all([keys.get(a.accessKey.accessKeyId), keys.get(b.accessKey.accessKeyId)]);
  expect(statements).toHaveLength(1);
  // And the server's own cache gives the same key its token.
  expect(typeof (await s.token(a.accessKey.accessKeyId, a.secret))).toBe('string');
});
