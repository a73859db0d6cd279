// Issue #11 item 6, the attack: behind a proxy that appends the real client address to
// X-Forwarded-For, a client writes forged entries on the left of it. With TRUST_PROXY as a
// hop count or a list of proxies, the address is the right-most untrusted entry, so 40
// failures with forged left-most entries are all counted against the real address and
// blocked, on every door (token endpoint by Basic, client_secret_post and HMAC, the v1
// API), and a console sign-in is audited with the real address, not 6.6.6.6.
// The test plays the proxy itself: it connects from 127.0.0.1 and sends what a proxy that
// appends would send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { signHmacRequest } from '../src/auth/hmac-signature.js';
import { startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';
import { consoleAccount } from './helpers/console-account.js';
import { basicHeader, FORM, raw } from './helpers/token-requests.js';

const REAL = '203.0.113.7';
const BUDGET = 5;
const forged = (i: number, real = REAL) => `6.6.6.${i % 250}, ${real}`;

describe('TRUST_PROXY configuration', () => {
  const base = { DATABASE_URL: 'postgres://localhost/x', KEYMINT_MASTER_KEY: 'A'.repeat(43) };
  it('takes a hop count or a list of proxy addresses/CIDRs', () => {
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,loopback' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'loopback']);
  });
  it('refuses the old "true" with a message saying what to set', () => {
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: "true" is no longer accepted.*TRUST_PROXY=1.*TRUST_PROXY=10\.0\.0\.0\/8/);
  });
  it.each(['yes', '10.0.0.0/99', 'proxy.example.com', '1,,2', '999'])('refuses %j naming the variable', (value) => {
    expect(() => loadConfig({ ...base, TRUST_PROXY: value })).toThrow(/TRUST_PROXY: /);
  });
});

for (const trust of ['1', '127.0.0.1/8,::1']) {
  describe(`TRUST_PROXY=${trust}, forged left-most X-Forwarded-For entries`, () => {
    let s: TestServer;
    let key: Bootstrapped;
    beforeAll(async () => {
      s = await startTestServer({ TRUST_PROXY: trust, AUTH_FAILURES_PER_ADDRESS: String(BUDGET), SIGNIN_FAILURES_PER_ADDRESS: String(BUDGET) });
      key = await s.bootstrap();
    });
    afterAll(() => s?.close());

    /** 40 attempts, each with another forged entry in front of `real`: their statuses. */
    async function attempts(send: (xff: string) => Promise<number>, real: string): Promise<number[]> {
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push(await send(forged(i, real)));
      return statuses;
    }
    const expectBlocked = (statuses: number[], failure: number) => {
      expect(statuses.slice(0, BUDGET)).toEqual(Array(BUDGET).fill(failure));
      expect(statuses.slice(BUDGET)).toEqual(Array(40 - BUDGET).fill(429));
    };

    it('blocks 40 wrong secrets at the token endpoint (client_secret_basic)', async () => {
      const statuses = await attempts(async (xff) => {
        const res = await raw(`${s.url}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': FORM, authorization: basicHeader(key.accessKey.accessKeyId, 'kmsk_wrong'), 'x-forwarded-for': xff },
          body: 'grant_type=client_credentials',
        });
        return res.status;
      }, '203.0.113.1');
      expectBlocked(statuses, 401);
    });

    it('blocks 40 wrong secrets at the token endpoint (client_secret_post)', async () => {
      const statuses = await attempts(async (xff) => {
        const res = await raw(`${s.url}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': FORM, 'x-forwarded-for': xff },
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: key.accessKey.accessKeyId, client_secret: 'kmsk_wrong' }),
        });
        return res.status;
      }, '203.0.113.2');
      expect(statuses.slice(BUDGET).every((st) => st === 429)).toBe(true);
    });

    it('blocks 40 wrong Basic secrets on the v1 API', async () => {
      const statuses = await attempts(async (xff) => {
        const res = await raw(`${s.url}/v1/projects/${key.projectId}/accessKeys`, {
          headers: { authorization: basicHeader(key.accessKey.accessKeyId, 'kmsk_wrong'), 'x-forwarded-for': xff },
        });
        return res.status;
      }, '203.0.113.3');
      expectBlocked(statuses, 401);
    });

    it('blocks 40 badly signed HMAC token requests', async () => {
      const statuses = await attempts(async (xff) => {
        const body = 'grant_type=client_credentials';
        const headers = signHmacRequest({ username: key.accessKey.accessKeyId, secret: 'not-the-secret', method: 'POST', path: '/oauth2/token', body, date: new Date() });
        const res = await raw(`${s.url}/oauth2/token`, { method: 'POST', headers: { ...headers, 'content-type': FORM, 'x-forwarded-for': xff }, body });
        return res.status;
      }, '203.0.113.4');
      expectBlocked(statuses, 401);
    });

    it('counts the failures against the real address: a fresh real address still gets a token', async () => {
      const res = await raw(`${s.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': FORM, authorization: basicHeader(key.accessKey.accessKeyId, key.secret), 'x-forwarded-for': forged(1, '198.51.100.200') },
        body: 'grant_type=client_credentials',
      });
      expect(res.status, res.text).toBe(200);
    });

    it('audits a console sign-in with the real address, not 6.6.6.6', async () => {
      const acct = await consoleAccount(s);
      const admin = acct.users.administrator;
      const res = await fetch(`${s.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '6.6.6.6, 198.51.100.9' },
        body: JSON.stringify({ email: admin.email, password: admin.password }),
      });
      expect(res.status).toBe(200);
      const { rows } = await s.sql.query(
        "SELECT address FROM audit_events WHERE account_id = $1 AND action = 'session.sign_in' ORDER BY id DESC LIMIT 1",
        [acct.accountId],
      );
      expect(rows[0].address).toBe('198.51.100.9');
    });
  });
}

describe('TRUST_PROXY unset', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s?.close());

  it('ignores X-Forwarded-For altogether: the socket address is audited', async () => {
    const acct = await consoleAccount(s);
    const admin = acct.users.administrator;
    const res = await fetch(`${s.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '6.6.6.6' },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    expect(res.status).toBe(200);
    const { rows } = await s.sql.query("SELECT address FROM audit_events WHERE account_id = $1 AND action = 'session.sign_in' ORDER BY id", [acct.accountId]);
    expect(rows.map((r) => r.address)).not.toContain('6.6.6.6');
    expect(rows.at(-1).address).toMatch(/127\.0\.0\.1$/);
  });
});
