// Issue 10, master key safety: a command or an instance with a mistyped KEYMINT_MASTER_KEY
// refuses before it writes anything (a key-check value, migrations/0011); a signing key that
// was sealed with another master key anyway (written before the check existed) is never
// selected: every instance keeps signing with the last key it opens, and starts; and
// `keymint signing-keys list` / `prune-undecryptable` show and remove such keys.
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../src/crypto/master-key.js';
import { SealedBox } from '../src/crypto/sealed-box.js';
import { generateSigningKey } from '../src/oauth/signing-key-material.js';
import { insertSigningKey } from '../src/oauth/signing-key-queries.js';
import { cluster, type Cluster } from './helpers/cluster.js';
import { CLI, run } from './helpers/processes.js';
import { startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';
import { jwksKids, postToken } from './helpers/token-requests.js';

let c: Cluster;
let a: TestServer;
let key: Bootstrapped;
const wrong = generateMasterKey();
const ENV = { ISSUER: 'http://keymint.test' };

beforeAll(async () => {
  c = await cluster(ENV);
  a = await c.start();
  key = await a.bootstrap();
});
afterAll(() => c?.close());

const cli = (masterKey: string, args: string[]) =>
  run(CLI, args, { DATABASE_URL: c.database.url, KEYMINT_MASTER_KEY: masterKey, BCRYPT_COST: '4', ISSUER: ENV.ISSUER });
const keyRows = async () => (await a.sql.query<{ kid: string }>('SELECT kid FROM signing_keys ORDER BY kid')).rows.map((r) => r.kid);
const issuedKid = async (s: TestServer) => {
  const res = await postToken(s.url, { basic: [key.accessKey.accessKeyId, key.secret] });
  expect(res.status, res.text).toBe(200);
  return decodeProtectedHeader(String(res.json?.access_token)).kid;
};

describe('a wrong master key writes nothing', () => {
  it('`keymint signing-keys rotate` with a mistyped key refuses and adds no key', async () => {
    const before = await keyRows();
    const r = await cli(wrong, ['signing-keys', 'rotate', '--activate-in', '0']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('KEYMINT_MASTER_KEY is not the master key of this database');
    expect(await keyRows()).toEqual(before);
    expect(await issuedKid(a)).toBe(before[0]);
  });

  it('an instance with a wrong key and another SIGNING_ALG refuses to start and adds no key', async () => {
    const before = await keyRows();
    const err = await startTestServer({ ...ENV, SIGNING_ALG: 'EdDSA' }, { database: c.database, masterKey: wrong }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('KEYMINT_MASTER_KEY is not the master key of this database');
    expect(await keyRows()).toEqual(before);
  });

  it('a database without a check value (from before it existed) adopts the key that opens its signing keys, and no other', async () => {
    await a.sql.query('DELETE FROM master_key_check');
    const err = await startTestServer(ENV, { database: c.database, masterKey: wrong }).catch((e: Error) => e);
    expect((err as Error).message).toContain('does not open any of its signing keys');
    expect((await a.sql.query('SELECT count(*)::int AS n FROM master_key_check')).rows[0].n).toBe(0);
    const ok = await cli(c.masterKey, ['migrate']);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await a.sql.query('SELECT count(*)::int AS n FROM master_key_check')).rows[0].n).toBe(1);
  });
});

describe('a signing key sealed with another master key (written before the check)', () => {
  it('is never selected nor published: instances keep signing with the last good key, start, and the CLI lists and prunes it', async () => {
    const good = await issuedKid(a);
    // What a wrong-key `rotate` used to write: a key that activates now, that no instance opens.
    const poison = await generateSigningKey('ES256', new SealedBox(Buffer.from(wrong, 'base64url')));
    await insertSigningKey(a.sql, { ...poison, activatesInSeconds: 0 });
    // Announced by the trigger: the running instance re-reads the table and ignores it.
    for (let i = 0; i < 20; i++) {
      expect(await issuedKid(a)).toBe(good);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await jwksKids(a.url)).not.toContain(poison.kid);
    const b = await c.start(); // a new instance starts, and signs with the good key
    expect(await issuedKid(b)).toBe(good);
    expect(await jwksKids(b.url)).not.toContain(poison.kid);

    const listed = await cli(c.masterKey, ['signing-keys', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const states = Object.fromEntries((JSON.parse(listed.stdout) as Array<{ kid: string; decryptable: boolean }>).map((k) => [k.kid, k.decryptable]));
    expect(states).toMatchObject({ [good!]: true, [poison.kid]: false });

    const refused = await cli(wrong, ['signing-keys', 'prune-undecryptable']);
    expect(refused.code).not.toBe(0);
    expect(await keyRows()).toContain(good);
    const pruned = await cli(c.masterKey, ['signing-keys', 'prune-undecryptable', '--json']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(JSON.parse(pruned.stdout)).toEqual({ removed: [poison.kid] });
    expect(await keyRows()).toEqual([good]);
    expect(await issuedKid(a)).toBe(good);
  }, 60_000);
});
