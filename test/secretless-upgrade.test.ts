// Issue 14, the upgrade to keys without a secret (migrations/0110): a database whose keys
// were made before it (one rotated, with a previous secret still working; one with a public
// key), then a server of this version started on it. Every old key keeps its secrets and
// its Sinch shape; the relaxed check lets a key drop its secret; hmac and legacy rows keep
// their rule.
import { exportJWK, generateKeyPair } from 'jose';
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

let database: TestDatabase;
const masterKey = generateMasterKey();
const keys: Array<{ id: string; secret: string; projectId: string }> = [];
let previous: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await migrateBefore(database.url, '0110');
  const sql = new pg.Pool({ connectionString: database.url, max: 2 });
  // The old check: a basic key without a secret hash is refused.
  const service = new AccessKeysService({ db: sql, feed: createLocalChangeFeed(), pageTokens: new PageTokenCodec(Buffer.alloc(32)), bcryptCost: 4 });
  for (const n of [1, 2]) {
    const made = await bootstrapAccount(sql, service, { account: `Before ${n}`, project: `P${n}`, key: `K${n}` });
    recordSecret(made.secret);
    keys.push({ id: made.accessKey.accessKeyId, secret: made.secret, projectId: made.projectId });
  }
  await expect(sql.query('UPDATE access_keys SET secret_hash = NULL WHERE id = $1', [keys[0].id])).rejects.toThrow(/access_keys_kind_secret/);
  // Key 1 was rotated before the upgrade: its previous secret is the one it was made with.
  const { createHash } = await import('node:crypto');
  previous = keys[0].secret;
  keys[0].secret = `rotated-${previous}`;
  recordSecret(keys[0].secret);
  await sql.query(
    `UPDATE access_keys SET previous_secret_hash = secret_hash, previous_secret_create_time = create_time,
       previous_secret_expire_time = now() + interval '1 hour', secret_hash = $2, secret_create_time = now() WHERE id = $1`,
    [keys[0].id, `sha256$${createHash('sha256').update(keys[0].secret).digest('base64url')}`],
  );
  // Key 2 holds a public key.
  const jwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey);
  await sql.query("INSERT INTO access_key_public_keys (access_key_id, public_key_id, alg, jwk) VALUES ($1, 'pk', 'ES256', $2)", [keys[1].id, JSON.stringify({ ...jwk, alg: 'ES256', use: 'sig', kid: 'pk' })]);
  await sql.end();
});
afterAll(() => database?.drop());

describe('upgrading a database with keys made before secretless keys', () => {
  let s: TestServer;
  afterAll(() => s?.close());

  it('old keys keep their secrets (a previous one too) and their shape', async () => {
    s = await startTestServer({}, { database, masterKey });
    const applied = await s.sql.query("SELECT count(*)::int AS n FROM pgmigrations WHERE name = '0110_secretless_keys'");
    expect(applied.rows[0].n).toBe(1);
    expect((await postToken(s.url, { basic: [keys[0].id, keys[0].secret] })).status).toBe(200);
    expect((await postToken(s.url, { basic: [keys[0].id, previous] })).status).toBe(200);
    expect((await postToken(s.url, { basic: [keys[1].id, keys[1].secret] })).status).toBe(200);
    const one = await raw(`${s.url}/v1/projects/${keys[0].projectId}/accessKeys/${keys[0].id}`, { headers: { authorization: basicHeader(keys[0].id, keys[0].secret) } });
    // lastUseTime comes in batches, so it may or may not be there yet; nothing else may be.
    expect(Object.keys(one.json!).filter((k) => k !== 'lastUseTime').sort()).toEqual(['accessKeyId', 'createTime', 'displayName', 'projectId', 'updateTime']);
    const two = await raw(`${s.url}/v1/projects/${keys[1].projectId}/accessKeys/${keys[1].id}`, { headers: { authorization: basicHeader(keys[1].id, keys[1].secret) } });
    expect(two.json!.authenticationMethods).toEqual(['client_secret_basic', 'client_secret_post', 'private_key_jwt']);
  });

  it('the relaxed check: a basic key may lose its secret (with its previous one), not keep a previous one alone; the other kinds keep their rule', async () => {
    const removed = await raw(`${s.url}/v1/projects/${keys[1].projectId}/accessKeys/${keys[1].id}:removeSecret`, {
      method: 'POST', headers: { authorization: basicHeader(keys[1].id, keys[1].secret) },
    });
    expect(removed.status, removed.text).toBe(200);
    expect((await postToken(s.url, { basic: [keys[1].id, keys[1].secret] })).status).toBe(401);
    await expect(s.sql.query('UPDATE access_keys SET secret_hash = NULL WHERE id = $1', [keys[0].id])).rejects.toThrow(/access_keys_secretless_no_previous/);
    await expect(s.sql.query(
      "INSERT INTO access_keys (id, project_id, display_name, kind, secret_hash, username) VALUES (gen_random_uuid(), $1, 'legacy', 'legacy', NULL, 'someone')",
      [keys[0].projectId],
    )).rejects.toThrow(/access_keys_kind_secret/);
    await expect(s.sql.query(
      "INSERT INTO access_keys (id, project_id, display_name, kind) VALUES (gen_random_uuid(), $1, 'hmac', 'hmac')",
      [keys[0].projectId],
    )).rejects.toThrow(/access_keys_kind_secret/);
  });
});
