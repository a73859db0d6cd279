// Issue #11 item 8, the attack: a REST HMAC request captured once (from a log, a proxy) is
// sent again within its 5-minute Date window, to the same instance or another one, to
// repeat a change or to mint tokens. Each signature is accepted once across the cluster.
// Signed here with node:crypto from the documented scheme (docs/HMAC.md), not by src/.
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cluster, type Cluster } from './helpers/cluster.js';
import { recordSecret, recordToken, type Bootstrapped, type TestServer } from './helpers/server.js';
import { basicHeader, FORM, raw } from './helpers/token-requests.js';

let c: Cluster;
let a: TestServer;
let b: TestServer;
let key: Bootstrapped;
let hmac: { id: string; secret: string };

function sign(method: string, target: string, body: string | undefined, date: Date): Record<string, string> {
  const headers: Record<string, string> = { date: date.toUTCString() };
  const names = ['date'];
  if (body !== undefined) {
    headers['x-Content-MD5'] = createHash('md5').update(body).digest('hex');
    names.push('x-Content-MD5');
  }
  names.push('request-line');
  const text = names.map((n) => (n === 'request-line' ? `${method} ${target} HTTP/1.1` : `${n}: ${headers[n]}`)).join('\n');
  const signature = createHmac('sha256', hmac.secret).update(text).digest('base64');
  headers.authorization = `hmac username="${hmac.id}", algorithm="hmac-sha256", headers="${names.join(' ')}", signature="${signature}"`;
  return headers;
}

beforeAll(async () => {
  c = await cluster();
  [a, b] = await Promise.all([c.start(), c.start()]);
  key = await a.bootstrap();
  const made = await raw(`${a.url}/api/projects/${key.projectId}/credentials`, {
    method: 'POST',
    headers: { authorization: basicHeader(key.accessKey.accessKeyId, key.secret), 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'hmac', label: 'replayed' }),
  });
  expect(made.status, made.text).toBe(201);
  hmac = { id: made.json!.apiKey as string, secret: made.json!.apiSecret as string };
  recordSecret(hmac.secret);
});
afterAll(() => c?.close());

const keyCount = async () => (await a.sql.query('SELECT count(*)::int AS n FROM access_keys WHERE project_id = $1', [key.projectId])).rows[0].n as number;

describe('an exact replay of a signed request within its Date window', () => {
  it('is refused on the v1 API, at the same instance and at another one', async () => {
    const target = `/v1/projects/${key.projectId}/accessKeys`;
    const body = JSON.stringify({ displayName: 'made once' });
    const headers = { ...sign('POST', target, body, new Date()), 'content-type': 'application/json' };
    const before = await keyCount();
    const first = await raw(`${a.url}${target}`, { method: 'POST', headers, body });
    expect(first.status, first.text).toBe(200);
    recordSecret(first.json!.secret as string);
    for (const server of [a, b]) {
      const again = await raw(`${server.url}${target}`, { method: 'POST', headers, body });
      expect(again.status, again.text).toBe(401);
      expect((again.json as any).error.message).toMatch(/already accepted.*Sign each request when it is sent/);
      expect(again.headers.get('www-authenticate')).toMatch(/^hmac realm="keymint"/);
    }
    expect(await keyCount()).toBe(before + 1);
  });

  it('is refused for a GET too, while the same request signed a second later is accepted', async () => {
    const target = `/v1/projects/${key.projectId}/accessKeys`;
    const date = new Date(Date.now() - 2000);
    const headers = sign('GET', target, undefined, date);
    expect((await raw(`${b.url}${target}`, { headers })).status).toBe(200);
    expect((await raw(`${a.url}${target}`, { headers })).status).toBe(401);
    expect((await raw(`${a.url}${target}`, { headers: sign('GET', target, undefined, new Date(date.getTime() + 1000)) })).status).toBe(200);
  });

  it('mints no second token at the token endpoint', async () => {
    const body = 'grant_type=client_credentials';
    const headers = { ...sign('POST', '/oauth2/token', body, new Date()), 'content-type': FORM };
    const first = await raw(`${a.url}/oauth2/token`, { method: 'POST', headers, body });
    expect(first.status, first.text).toBe(200);
    recordToken(first.json!.access_token as string);
    for (const server of [b, a]) {
      const again = await raw(`${server.url}/oauth2/token`, { method: 'POST', headers, body });
      expect(again.status, again.text).toBe(400);
      expect(again.json).toEqual({ error: 'invalid_request', error_description: 'this signed request was already used: sign each request when it is sent' });
    }
  });

  it('is remembered as a digest only, until the window has passed', async () => {
    const { rows } = await a.sql.query('SELECT digest, expires_at FROM hmac_signatures_seen');
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const row of rows) {
      expect(row.digest).toHaveLength(32);
      const left = new Date(row.expires_at).getTime() - Date.now();
      expect(left).toBeGreaterThan(290_000);
      expect(left).toBeLessThanOrEqual(302_000);
    }
  });

  it('does not count against the failure budget (it is not a guess)', async () => {
    const { rows } = await a.sql.query("SELECT count(*)::int AS n FROM auth_failures WHERE bucket LIKE 'key:%' AND bucket = $1", [`key:${hmac.id.toLowerCase()}`]);
    expect(rows[0].n).toBe(0);
  });
});
