// Issue 13, the upgrade: a database whose keys were made on the schema before APIs existed
// (migrations up to 0060), then a server of this version started on it with TOKEN_AUDIENCE
// and TOKEN_SCOPES. The keys keep getting the tokens they got before (the Sinch model), still
// manage their project, and TOKEN_AUDIENCE became each existing account's first API, once.
import { decodeJwt } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAccount } from '../src/access-keys/bootstrap.js';
import { AccessKeysService } from '../src/access-keys/service.js';
import { generateMasterKey } from '../src/crypto/master-key.js';
import { createLocalChangeFeed } from '../src/db/change-feed.js';
import { PageTokenCodec } from '../src/kernel/page-token.js';
import { createTestDatabase, migrateBefore, type TestDatabase } from './helpers/database.js';
import { recordSecret, startTestServer, type TestServer } from './helpers/server.js';
import { basicHeader, postToken, raw } from './helpers/token-requests.js';

const AUDIENCE = 'https://api.before-upgrade.test';
let database: TestDatabase;
const masterKey = generateMasterKey();
const keys: Array<{ id: string; secret: string; projectId: string; accountId: string }> = [];

beforeAll(async () => {
  database = await createTestDatabase();
  // Today's schema: every migration before this issue's.
  await migrateBefore(database.url, '0070');
  const sql = new pg.Pool({ connectionString: database.url, max: 2 });
  const service = new AccessKeysService({ db: sql, feed: createLocalChangeFeed(), pageTokens: new PageTokenCodec(Buffer.alloc(32)), bcryptCost: 4 });
  for (const n of [1, 2]) {
    const made = await bootstrapAccount(sql, service, { account: `Before ${n}`, project: `P${n}`, key: `K${n}` });
    recordSecret(made.secret);
    keys.push({ id: made.accessKey.accessKeyId, secret: made.secret, projectId: made.projectId, accountId: made.accountId });
  }
  const tables = await sql.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'apis'");
  expect(tables.rows[0].n).toBe(0); // really the old schema
  await sql.end();
});
afterAll(() => database?.drop());

describe('upgrading a database with keys made before APIs', () => {
  let s: TestServer;
  afterAll(() => s?.close());

  it('the keys get the same tokens and still manage their project', async () => {
    s = await startTestServer({ ISSUER: 'http://keymint.upgrade.test', TOKEN_AUDIENCE: AUDIENCE, TOKEN_SCOPES: 'read write' }, { database, masterKey });
    for (const k of keys) {
      const plain = await postToken(s.url, { basic: [k.id, k.secret] });
      expect(plain.status, plain.text).toBe(200);
      expect(decodeJwt(plain.json!.access_token as string)).toMatchObject({ aud: AUDIENCE, client_id: k.id, project_id: k.projectId, account_id: k.accountId });
      expect(decodeJwt(plain.json!.access_token as string).scope).toBeUndefined(); // as before: no scope asked, none given
      const scoped = await postToken(s.url, { basic: [k.id, k.secret], body: { grant_type: 'client_credentials', scope: 'read write' } });
      expect(decodeJwt(scoped.json!.access_token as string).scope).toBe('read write');
      const list = await raw(`${s.url}/v1/projects/${k.projectId}/accessKeys`, { headers: { authorization: basicHeader(k.id, k.secret) } });
      expect(list.status, list.text).toBe(200);
      expect((list.json!.accessKeys as Array<Record<string, unknown>>)[0]).not.toHaveProperty('grants');
    }
  });

  it('TOKEN_AUDIENCE became the first API of each account, with TOKEN_SCOPES', async () => {
    const { rows } = await s.sql.query('SELECT account_id, identifier, scopes FROM apis ORDER BY account_id');
    expect(rows.map((r) => r.account_id).sort()).toEqual(keys.map((k) => k.accountId).sort());
    for (const r of rows) {
      expect(r.identifier).toBe(AUDIENCE);
      expect(r.scopes).toEqual([{ name: 'read', description: '' }, { name: 'write', description: '' }]);
    }
  });

  it('only once: an API deleted afterwards is not imported again at the next start, and the keys keep their tokens', async () => {
    await s.sql.query('DELETE FROM apis WHERE account_id = $1', [keys[0].accountId]);
    await s.close();
    s = await startTestServer({ ISSUER: 'http://keymint.upgrade.test', TOKEN_AUDIENCE: AUDIENCE, TOKEN_SCOPES: 'read write' }, { database, masterKey });
    const { rows } = await s.sql.query('SELECT count(*)::int AS n FROM apis WHERE account_id = $1', [keys[0].accountId]);
    expect(rows[0].n).toBe(0);
    const res = await postToken(s.url, { basic: [keys[0].id, keys[0].secret], body: { grant_type: 'client_credentials', scope: 'read' } });
    expect(res.status, res.text).toBe(200);
    expect(decodeJwt(res.json!.access_token as string)).toMatchObject({ aud: AUDIENCE, scope: 'read' });
  });
});
