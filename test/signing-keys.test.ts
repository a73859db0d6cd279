// Signing keys live in Postgres, sealed under the master key, shared by every instance:
// they survive restarts, concurrent first starts make one key, and a rotation publishes
// the new key before it signs while the old one stays published and trusted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader, type JWK } from 'jose';
import { rotateSigningKey } from '../src/oauth/signing-keys.js';
import { keyStatuses } from '../src/oauth/signing-key-states.js';
import { listSigningKeys } from '../src/oauth/signing-key-queries.js';
import { generateMasterKey } from '../src/crypto/master-key.js';
import { cluster } from './helpers/cluster.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { jwksKids, listKeys, until } from './helpers/token-requests.js';

const SHARED_ENV = { TOKEN_TTL_SECONDS: '600' };

const kidOf = (token: string) => decodeProtectedHeader(token).kid!;
const countKeys = async (s: TestServer) => Number((await s.sql.query('SELECT count(*)::int AS n FROM signing_keys')).rows[0].n);

describe('persistence', () => {
  let c: Awaited<ReturnType<typeof cluster>>;
  beforeAll(async () => {
    c = await cluster(SHARED_ENV);
  });
  afterAll(() => c?.close());

  it('keeps the signing key across a restart, and tokens from before it stay valid', async () => {
    const first = await c.start();
    const [kid] = await jwksKids(first.url);
    const b = await first.bootstrap();
    const token = await first.token(b.accessKey.accessKeyId, b.secret);
    expect(kidOf(token)).toBe(kid);
    await c.stop(first);

    const second = await c.start();
    expect(await jwksKids(second.url)).toEqual([kid]);
    expect(kidOf(await second.token(b.accessKey.accessKeyId, b.secret))).toBe(kid);
    expect((await listKeys(second.url, b.projectId, `Bearer ${token}`)).status).toBe(200);
    expect(await countKeys(second)).toBe(1);
  });

  it('stores the private key sealed, never in clear', async () => {
    const s = await c.start();
    const { rows } = await s.sql.query<{ kid: string; public_jwk: JWK; private_sealed: string }>(
      'SELECT kid, public_jwk, private_sealed FROM signing_keys',
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.private_sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
      const priv = JSON.parse(c.box.open(row.private_sealed, `signing-key:${row.kid}`)) as JWK;
      expect(priv.d).toEqual(expect.any(String));
      expect(priv.x).toBe(row.public_jwk.x);
      expect(row.private_sealed).not.toContain(priv.d);
      expect(row.private_sealed).not.toContain(Buffer.from(priv.d!, 'base64url').toString('base64'));
      expect(row.public_jwk).not.toHaveProperty('d');
      // bound to its row: the sealed key does not open as another kid's
      expect(() => c.box.open(row.private_sealed, 'signing-key:another-kid')).toThrow();
    }
  });

  it('refuses to start with another master key rather than replace the keys', async () => {
    const s = await c.start(); // the database holds a key sealed under c.masterKey
    const before = await countKeys(s);
    const err = await startTestServer(SHARED_ENV, { database: c.database, masterKey: generateMasterKey() }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('KEYMINT_MASTER_KEY');
    expect(await countKeys(s)).toBe(before);
  });
});

describe('concurrent first start', () => {
  it('makes exactly one key when two instances start at once on an empty database', async () => {
    const c = await cluster(SHARED_ENV);
    try {
      const [a, b] = await Promise.all([c.start(), c.start()]);
      expect(await countKeys(a)).toBe(1);
      const kids = await jwksKids(a.url);
      expect(kids).toHaveLength(1);
      expect(await jwksKids(b.url)).toEqual(kids);
    } finally {
      await c.close();
    }
  });
});

describe('changing SIGNING_ALG', () => {
  it('keeps the previous key published and trusted across a change and back', async () => {
    const c = await cluster(SHARED_ENV);
    try {
      const es = await c.start();
      const boot = await es.bootstrap();
      const id = boot.accessKey.accessKeyId;
      const esToken = await es.token(id, boot.secret);
      await c.stop(es);

      const rs = await c.start({ SIGNING_ALG: 'RS256' });
      const rsToken = await rs.token(id, boot.secret);
      expect(decodeProtectedHeader(rsToken).alg).toBe('RS256');
      expect((await jwksKids(rs.url)).sort()).toEqual([kidOf(esToken), kidOf(rsToken)].sort());
      expect((await listKeys(rs.url, boot.projectId, `Bearer ${esToken}`)).status).toBe(200);
      await c.stop(rs);

      // Back to ES256 while RS256 tokens are still live: they must stay valid, and the
      // retired ES256 key must not come back to sign.
      const back = await c.start();
      const backToken = await back.token(id, boot.secret);
      expect(decodeProtectedHeader(backToken).alg).toBe('ES256');
      expect(kidOf(backToken)).not.toBe(kidOf(esToken));
      expect(await jwksKids(back.url)).toContain(kidOf(rsToken));
      expect((await listKeys(back.url, boot.projectId, `Bearer ${rsToken}`)).status).toBe(200);
    } finally {
      await c.close();
    }
  });

  it('lets instances of both algorithms trust each other during a rolling change', async () => {
    const c = await cluster(SHARED_ENV);
    try {
      const es = await c.start();
      const boot = await es.bootstrap();
      // Make the ES256 key older than the retention, as it is in a long-running deployment.
      await es.sql.query("UPDATE signing_keys SET created_at = now() - interval '1 day', activates_at = now() - interval '1 day'");
      const rs = await c.start({ SIGNING_ALG: 'RS256' }); // makes an RS256 key and announces it
      const rsToken = await rs.token(boot.accessKey.accessKeyId, boot.secret);
      const esToken = await es.token(boot.accessKey.accessKeyId, boot.secret);
      expect(decodeProtectedHeader(esToken).alg).toBe('ES256');
      await until('the RS256 key in the ES256 instance JWKS', async () => ((await jwksKids(es.url)).includes(kidOf(rsToken)) ? true : undefined));
      expect((await listKeys(es.url, boot.projectId, `Bearer ${rsToken}`)).status).toBe(200);
      expect((await listKeys(rs.url, boot.projectId, `Bearer ${esToken}`)).status).toBe(200);
    } finally {
      await c.close();
    }
  });
});

describe('two instances and a rotation', () => {
  let c: Awaited<ReturnType<typeof cluster>>;
  let a: TestServer;
  let b: TestServer;
  let keyId: string;
  let secret: string;
  let projectId: string;

  beforeAll(async () => {
    c = await cluster(SHARED_ENV);
    a = await c.start();
    b = await c.start();
    const boot = await a.bootstrap();
    ({ secret, projectId } = boot);
    keyId = boot.accessKey.accessKeyId;
  });
  afterAll(() => c?.close());

  it('accepts at one instance a token issued by the other', async () => {
    expect((await listKeys(b.url, projectId, `Bearer ${await a.token(keyId, secret)}`)).status).toBe(200);
    expect((await listKeys(a.url, projectId, `Bearer ${await b.token(keyId, secret)}`)).status).toBe(200);
  });

  it('publishes a new key before it signs, then signs with it and keeps the old one published', async () => {
    const [oldKid] = await jwksKids(a.url);
    const oldToken = await a.token(keyId, secret);
    expect(kidOf(oldToken)).toBe(oldKid);

    const row = await rotateSigningKey(a.sql, c.box, 'ES256', 2);
    await a.sql.query(`SELECT pg_notify('keymint_changes', '{"kind":"signing_keys"}')`);
    const newKid = row.kid;
    expect(newKid).not.toBe(oldKid);

    // Published at once on both instances, while the old key still signs.
    for (const s of [a, b]) await until(`${newKid} in the JWKS`, async () => ((await jwksKids(s.url)).includes(newKid) ? true : undefined));
    expect(Date.now()).toBeLessThan(row.activates_at.getTime());
    expect(kidOf(await a.token(keyId, secret))).toBe(oldKid);
    expect(kidOf(await b.token(keyId, secret))).toBe(oldKid);

    // After activation both instances sign with the new key.
    await new Promise((r) => setTimeout(r, Math.max(0, row.activates_at.getTime() - Date.now() + 50)));
    const newToken = await until('a token signed with the new key', async () => {
      const t = await a.token(keyId, secret);
      return kidOf(t) === newKid ? t : undefined;
    });
    expect(kidOf(await b.token(keyId, secret))).toBe(newKid);

    // The old key stays published, and tokens it signed stay good, on both instances.
    for (const s of [a, b]) {
      expect((await jwksKids(s.url)).sort()).toEqual([oldKid, newKid].sort());
      expect((await listKeys(s.url, projectId, `Bearer ${oldToken}`)).status).toBe(200);
      expect((await listKeys(s.url, projectId, `Bearer ${newToken}`)).status).toBe(200);
    }
  });

  it('unpublishes a superseded key only once tokens it signed have expired (TTL + 5 min)', async () => {
    const rows = await listSigningKeys(a.sql);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const [oldest, successor] = rows;
    const retentionMs = 600_000 + 5 * 60_000;
    const at = (ms: number) => keyStatuses(rows, successor.activates_at.getTime() + ms, retentionMs, 'ES256')[0];
    expect(at(0).state).toBe('retiring');
    expect(at(retentionMs - 1000).state).toBe('retiring');
    expect(at(retentionMs + 1000).state).toBe('retired');
    expect(oldest.kid).not.toBe(successor.kid);
  });

  it('refuses a token it accepted before once its signing key is gone (accepted tokens are remembered only while the ring is unchanged)', async () => {
    const [signing] = (await listSigningKeys(a.sql)).slice(-1);
    const rows = await listSigningKeys(a.sql);
    const old = rows.find((r) => r.kid !== signing.kid)!;
    // A token as the old key signed them (the claims of a real one, signed with its private half).
    const priv = JSON.parse(c.box.open(old.private_sealed, `signing-key:${old.kid}`)) as JWK;
    const { SignJWT, importJWK, decodeJwt } = await import('jose');
    const claims = decodeJwt(await a.token(keyId, secret));
    const forged = await new SignJWT({ ...claims, jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: old.kid, typ: 'at+jwt' })
      .sign(await importJWK(priv, 'ES256'));
    for (let i = 0; i < 3; i++) expect((await listKeys(a.url, projectId, `Bearer ${forged}`)).status).toBe(200);
    await a.sql.query('DELETE FROM signing_keys WHERE kid = $1', [old.kid]);
    await until('the old key gone from the JWKS', async () => (!(await jwksKids(a.url)).includes(old.kid) ? true : undefined));
    expect((await listKeys(a.url, projectId, `Bearer ${forged}`)).status).toBe(401);
  });
});
