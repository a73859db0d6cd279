// Issue 5's correctness half: the warm token path makes no database query, caches are
// dropped on every instance when a key changes (LISTEN/NOTIFY) or when the listening
// connection drops (the change log catches up), and a rotation under load across three instances breaks no token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { rotateSigningKey } from '../src/oauth/signing-keys.js';
import { cluster, type Cluster } from './helpers/cluster.js';
import { recordSecret, type Bootstrapped, type TestServer } from './helpers/server.js';
import { consoleAccount } from './helpers/console-account.js';
import { basicHeader, otherLastChar, postToken, until } from './helpers/token-requests.js';

const metric = async (s: TestServer, name: string, labels = ''): Promise<number> => {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').pop()) : 0;
};

const tokenStatus = async (s: TestServer, b: Bootstrapped) =>
  (await postToken(s.url, { basic: [b.accessKey.accessKeyId, b.secret] })).status;

const apiStatus = (s: TestServer, b: Bootstrapped, authorization: string) =>
  fetch(`${s.url}/v1/projects/${b.projectId}/accessKeys`, { headers: { authorization } }).then((r) => r.status);

let c: Cluster;
let a: TestServer, bb: TestServer, cc: TestServer;

beforeAll(async () => {
  c = await cluster({ TOKEN_TTL_SECONDS: '600' });
  [a, bb, cc] = await Promise.all([c.start(), c.start(), c.start()]);
});
afterAll(() => c?.close());

describe('the warm path', () => {
  it('issues tokens with zero database queries once a key has verified', async () => {
    const b = await a.bootstrap();
    expect(await tokenStatus(a, b)).toBe(200); // cold: one read, one digest
    const before = await metric(a, 'keymint_db_queries_total');
    const statuses = await Promise.all(Array.from({ length: 30 }, () => tokenStatus(a, b)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect((await metric(a, 'keymint_db_queries_total')) - before).toBe(0);
    // Each warm request compares its secret's digest (#12: no verified-secret cache any more, nothing to skip).
    expect(await metric(a, 'keymint_secret_comparisons_total')).toBeGreaterThanOrEqual(31);
    expect(await metric(a, 'keymint_bcrypt_compares_total')).toBe(0);
    expect(await metric(a, 'keymint_tokens_issued_total')).toBeGreaterThanOrEqual(31);
  });

  it('still refuses a wrong secret for a cached key, and counts the refusal', async () => {
    const b = await a.bootstrap();
    expect(await tokenStatus(a, b)).toBe(200);
    const res = await postToken(a.url, { basic: [b.accessKey.accessKeyId, otherLastChar(b.secret)] });
    expect(res.status).toBe(401);
    expect(await metric(a, 'keymint_tokens_refused_total', '{reason="invalid_client"}')).toBeGreaterThanOrEqual(1);
  });

  it('serves Basic and Bearer API authentication from the caches too', async () => {
    const b = await a.bootstrap();
    const basic = basicHeader(b.accessKey.accessKeyId, b.secret);
    const bearer = `Bearer ${await a.token(b.accessKey.accessKeyId, b.secret)}`;
    expect(await apiStatus(a, b, basic)).toBe(200);
    const before = await metric(a, 'keymint_db_queries_total');
    expect(await apiStatus(a, b, basic)).toBe(200);
    expect(await apiStatus(a, b, bearer)).toBe(200);
    // Only what listing itself reads (the page of keys, its project, and the page's policies
    // and grants: 4 statements per list): authentication read nothing.
    expect((await metric(a, 'keymint_db_queries_total')) - before).toBe(2 * 4);
  });
});

describe('revocation across instances', () => {
  it('a key deleted through one instance is refused by the others within 1 second', async () => {
    const b = await a.bootstrap();
    const bearer = `Bearer ${await a.token(b.accessKey.accessKeyId, b.secret)}`;
    for (const s of [a, bb, cc]) {
      expect(await tokenStatus(s, b)).toBe(200); // warm every instance's caches
      expect(await apiStatus(s, b, bearer)).toBe(200);
    }
    const del = await fetch(`${a.url}/v1/projects/${b.projectId}/accessKeys/${b.accessKey.accessKeyId}`, {
      method: 'DELETE',
      headers: { authorization: basicHeader(b.accessKey.accessKeyId, b.secret) },
    });
    expect(del.status).toBe(200);
    expect(await tokenStatus(a, b)).toBe(401); // the deleting instance: at once
    for (const s of [bb, cc]) {
      await until('the token endpoint to refuse the deleted key', async () => ((await tokenStatus(s, b)) === 401 ? true : undefined), 1000, 20);
      await until('the API to refuse its token', async () => ((await apiStatus(s, b, bearer)) === 401 ? true : undefined), 1000, 20);
    }
  });

  it('credentials deleted or re-passworded in the console stop working on every instance within 1 second', async () => {
    const acct = await consoleAccount(a);
    const admin = acct.users.administrator;
    const creds = `/projects/${acct.projectId}/credentials`;
    const basicKey = (await admin.call('POST', creds, { kind: 'basic', label: 'fleet' })).body;
    recordSecret(basicKey.apiSecret);
    const username = `fleet${Date.now()}`;
    recordSecret('Fleet0pass');
    recordSecret('Fleet1pass');
    const legacy = (await admin.call('POST', creds, { kind: 'legacy', username, password: 'Fleet0pass' })).body;
    const other = (await admin.call('POST', creds, { kind: 'legacy', username: `${username}x`, password: 'Fleet0pass' })).body;
    const status = async (s: TestServer, id: string, secret: string) => (await postToken(s.url, { basic: [id, secret] })).status;
    for (const s of [a, bb, cc]) {
      expect(await status(s, basicKey.apiKey, basicKey.apiSecret)).toBe(200); // warm every instance
      expect(await status(s, username, 'Fleet0pass')).toBe(200);
      expect(await status(s, `${username}x`, 'Fleet0pass')).toBe(200);
    }
    const deleted = await admin.call('POST', `${creds}/delete`, { credentialIds: [basicKey.credential.credentialId, legacy.credential.credentialId] });
    expect(deleted.body).toEqual({ deleted: 2 });
    const changed = await admin.call('PATCH', `${creds}/${other.credential.credentialId}`, { password: 'Fleet1pass' });
    expect(changed.status).toBe(200);
    for (const s of [a, bb, cc]) {
      await until('the deleted key to be refused', async () => ((await status(s, basicKey.apiKey, basicKey.apiSecret)) === 401 ? true : undefined), 1000, 20);
      await until('the deleted legacy credential to be refused', async () => ((await status(s, username, 'Fleet0pass')) === 401 ? true : undefined), 1000, 20);
      await until('the old legacy password to be refused', async () => ((await status(s, `${username}x`, 'Fleet0pass')) === 401 ? true : undefined), 1000, 20);
      expect(await status(s, `${username}x`, 'Fleet1pass')).toBe(200);
    }
  });

  it("a project deleted with its credentials in the console: they stop working on every instance within 1 second", async () => {
    const acct = await consoleAccount(a);
    const admin = acct.users.administrator;
    const project = (await admin.call('POST', '/projects', { name: `Fleet ${Date.now()}` })).body;
    const creds = `/projects/${project.projectId}/credentials`;
    const key = (await admin.call('POST', creds, { kind: 'basic', label: 'fleet' })).body;
    recordSecret(key.apiSecret);
    const username = `proj${Date.now()}`;
    recordSecret('Fleet2pass');
    await admin.call('POST', creds, { kind: 'legacy', username, password: 'Fleet2pass' });
    const status = async (s: TestServer, id: string, secret: string) => (await postToken(s.url, { basic: [id, secret] })).status;
    for (const s of [a, bb, cc]) {
      expect(await status(s, key.apiKey, key.apiSecret)).toBe(200); // warm every instance
      expect(await status(s, username, 'Fleet2pass')).toBe(200);
    }
    const deleted = await admin.call('DELETE', `/projects/${project.projectId}?withCredentials=true`);
    expect(deleted.body).toEqual({ deletedCredentials: 2 });
    for (const s of [a, bb, cc]) {
      await until('the project\'s key to be refused', async () => ((await status(s, key.apiKey, key.apiSecret)) === 401 ? true : undefined), 1000, 20);
      await until('the project\'s legacy credential to be refused', async () => ((await status(s, username, 'Fleet2pass')) === 401 ? true : undefined), 1000, 20);
    }
  });

  it('forgets a key deleted while the listening connections were down (read from change_log), then listens again', async () => {
    const b = await bb.bootstrap();
    expect(await tokenStatus(bb, b)).toBe(200);
    // Cut every instance's LISTEN connection, then delete the key: the NOTIFY finds no
    // listener; the change log, read when the listeners are back, makes the instances forget it.
    await c.servers[0].sql.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'keymint-listen' AND datname = current_database()");
    await c.servers[0].sql.query('DELETE FROM access_keys WHERE id = $1', [b.accessKey.accessKeyId]);
    await until('the instance to forget the deleted key', async () => ((await tokenStatus(bb, b)) === 401 ? true : undefined), 5000, 50);
    const listening = await c.servers[0].sql.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'keymint-listen' AND datname = current_database()",
    );
    expect(listening.rows[0].n).toBe(3);
  });
});

describe('signing-key rotation under load across three instances', () => {
  it('breaks no token: every token from any instance verifies at every instance', async () => {
    const b = await a.bootstrap();
    const instances = [a, bb, cc];
    const kids = new Set<string>();
    const failures: string[] = [];
    let stop = false;
    const load = async (i: number) => {
      for (let n = 0; !stop; n++) {
        const from = instances[(i + n) % 3];
        const res = await postToken(from.url, { basic: [b.accessKey.accessKeyId, b.secret] });
        if (res.status !== 200) {
          failures.push(`token ${res.status}`);
          continue;
        }
        const token = String(res.json?.access_token);
        kids.add(decodeProtectedHeader(token).kid!);
        for (const at of instances) {
          const status = await apiStatus(at, b, `Bearer ${token}`);
          if (status !== 200) failures.push(`verify ${status}`);
        }
      }
    };
    const workers = Array.from({ length: 6 }, (_, i) => load(i));
    await new Promise((r) => setTimeout(r, 300));
    const rotated = await rotateSigningKey(a.sql, c.box, 'ES256', 1);
    await a.sql.query("SELECT pg_notify('keymint_changes', '{\"kind\":\"signing_keys\"}')");
    await until('tokens signed by the new key', async () => (kids.has(rotated.kid) ? true : undefined), 5000, 50);
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(workers);
    expect(failures).toEqual([]);
    expect(kids.size).toBe(2);
  }, 20_000);
});
