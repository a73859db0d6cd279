// Token quotas (issue 16) across two instances on real Postgres, and usage counts through a
// SIGTERM of real server processes: a quota of 100 per hour refuses the 101st token on
// either instance once their flushes have shared the totals (429, OAuth error body,
// Retry-After, counted as `quota`), and tokens are issued again in the next hour (the clock
// is injected); two child servers stopped with SIGTERM lose no count (no flush ran before:
// close() writes it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { cluster, type Cluster } from './helpers/cluster.js';
import type { TestServer } from './helpers/server.js';
import { freePort, recordSecret } from './helpers/server.js';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { createResponseValidator } from './helpers/openapi-validator.js';
import { tokenRequest } from './helpers/api-client.js';
import { CLI, run, startMain } from './helpers/processes.js';
import { createTestDatabase } from './helpers/database.js';
import { generateMasterKey } from '../src/crypto/master-key.js';

const HOUR = 3_600_000;

describe('quotas', () => {
  let c: Cluster;
  let s1: TestServer;
  let s2: TestServer;
  let account: ConsoleAccount;
  // Five minutes into an hour, so that the test never straddles an hour by accident.
  let offset = Math.ceil(Date.now() / HOUR) * HOUR + 5 * 60_000 - Date.now();
  const now = () => Date.now() + offset;

  beforeAll(async () => {
    c = await cluster({ USAGE_FLUSH_MS: '600000' });
    s1 = await c.start({}, { now });
    s2 = await c.start({}, { now });
    account = await consoleAccount(s1);
  }, 60_000);
  afterAll(() => c?.close());

  const issue = async (s: TestServer, key: { apiKey: string; apiSecret: string }, n: number) => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) statuses.push((await tokenRequest(s, key.apiKey, key.apiSecret)).status);
    return statuses;
  };

  it('refuses the 101st token of the hour on either instance, then issues again the next hour', async () => {
    const doc = createResponseValidator(await (await fetch(`${s1.url}/api/openapi.json`)).json());
    const admin = account.users.administrator;
    const created = await admin.call('POST', `/projects/${account.projectId}/credentials`, { kind: 'basic', label: 'Runaway' });
    recordSecret(created.body.apiSecret, created.body.apiKey);
    const key = { apiKey: created.body.apiKey as string, apiSecret: created.body.apiSecret as string };
    const quotaPath = `/projects/${account.projectId}/credentials/${created.body.credential.credentialId}/quota`;

    // Only Administrators set a quota; a bad value says what is accepted.
    const denied = await account.users.advanced.call('PUT', quotaPath, { tokensPerHour: 100, tokensPerDay: null });
    doc.assertValid('PUT', '/api/projects/{projectId}/credentials/{credentialId}/quota', denied.status, denied.body);
    expect(denied.status).toBe(403);
    const bad = await admin.call('PUT', quotaPath, { tokensPerHour: 0, tokensPerDay: null });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/tokensPerHour must be a whole number from 1/);
    const set = await admin.call('PUT', quotaPath, { tokensPerHour: 100, tokensPerDay: null });
    doc.assertValid('PUT', '/api/projects/{projectId}/credentials/{credentialId}/quota', set.status, set.body);
    expect(set.body).toEqual({ tokensPerHour: 100, tokensPerDay: null });
    const read = await account.users.basic.call('GET', quotaPath);
    doc.assertValid('GET', '/api/projects/{projectId}/credentials/{credentialId}/quota', read.status, read.body);
    expect(read.body).toEqual({ tokensPerHour: 100, tokensPerDay: null });
    await s2.running.usage!.recorder.flush(); // s2 reads the new limit

    expect(await issue(s1, key, 60)).toEqual(Array(60).fill(200));
    await s1.running.usage!.recorder.flush();
    expect(await issue(s2, key, 40)).toEqual(Array(40).fill(200));
    await s2.running.usage!.recorder.flush(); // writes its 40, reads back 100

    const refused = await tokenRequest(s2, key.apiKey, key.apiSecret);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: 'invalid_request', error_description: expect.stringMatching(/quota is used up/) });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(54 * 60 - 30); // the rest of the hour: ~55 minutes
    expect(retryAfter).toBeLessThanOrEqual(55 * 60);

    await s1.running.usage!.recorder.flush(); // s1 reads back the 100 as well
    expect((await tokenRequest(s1, key.apiKey, key.apiSecret)).status).toBe(429);
    // A wrong secret is still a wrong secret: the quota speaks only to the key's holder.
    expect((await tokenRequest(s1, key.apiKey, 'not-the-secret')).status).toBe(401);

    offset += HOUR;
    expect(await issue(s1, key, 3)).toEqual([200, 200, 200]);
    expect(await issue(s2, key, 2)).toEqual([200, 200]);

    await Promise.all([s1.running.usage!.recorder.flush(), s2.running.usage!.recorder.flush()]);
    const from = new Date(now() - 2 * HOUR).toISOString();
    const to = new Date(now() + HOUR).toISOString();
    const usage = await account.users.basic.call('GET', `/projects/${account.projectId}/usage?granularity=hour&from=${from}&to=${to}`);
    doc.assertValid('GET', '/api/projects/{projectId}/usage', usage.status, usage.body);
    expect(usage.body.totals).toEqual({ tokens: 105, wrongSecret: 1, expired: 0, rateLimited: 0, quota: 2 });
    const hours = usage.body.buckets.filter((b: { tokens: number }) => b.tokens > 0).map((b: { tokens: number; quota: number }) => [b.tokens, b.quota]);
    expect(hours).toEqual([[100, 2], [5, 0]]);
  });

  it('a restarted instance knows the hour and the day so far: no token past the quota before its first flush', async () => {
    const admin = account.users.administrator;
    const created = await admin.call('POST', `/projects/${account.projectId}/credentials`, { kind: 'basic', label: 'Restarted' });
    recordSecret(created.body.apiSecret, created.body.apiKey);
    const key = { apiKey: created.body.apiKey as string, apiSecret: created.body.apiSecret as string };
    const quotaPath = `/projects/${account.projectId}/credentials/${created.body.credential.credentialId}/quota`;
    expect((await admin.call('PUT', quotaPath, { tokensPerHour: 2, tokensPerDay: null })).status).toBe(200);
    expect(await issue(s1, key, 3)).toEqual([200, 200, 429]);
    await s1.running.usage!.recorder.flush();
    // A third instance starts now (USAGE_FLUSH_MS 10 min: no flush of its own for a while).
    const s3 = await c.start({}, { now });
    try {
      expect(await issue(s3, key, 2)).toEqual([429, 429]);
    } finally {
      await c.stop(s3);
    }
  });

  it("applies the project's default to keys without a quota of their own", async () => {
    const admin = account.users.administrator;
    const created = await admin.call('POST', `/projects/${account.projectId}/credentials`, { kind: 'basic', label: 'Defaulted' });
    recordSecret(created.body.apiSecret, created.body.apiKey);
    const key = { apiKey: created.body.apiKey as string, apiSecret: created.body.apiSecret as string };
    const set = await admin.call('PUT', `/projects/${account.projectId}/quota`, { tokensPerHour: null, tokensPerDay: 3 });
    expect(set.status).toBe(200);
    await s2.running.usage!.recorder.flush(); // s2 reads the new default
    expect(await issue(s1, key, 4)).toEqual([200, 200, 200, 429]);
    // Between two flushes each instance knows only its own tokens: s2 overshoots by what s1
    // issued meanwhile (the documented bound), and no more.
    expect(await issue(s2, key, 4)).toEqual([200, 200, 200, 429]);
    await Promise.all([s1.running.usage!.recorder.flush(), s2.running.usage!.recorder.flush()]);
    expect((await issue(s1, key, 1))[0]).toBe(429);
    await admin.call('PUT', `/projects/${account.projectId}/quota`, { tokensPerHour: null, tokensPerDay: null });
  });

  it('writes every quota change and the unused-days setting to the audit log, with the limits before and after', async () => {
    const admin = account.users.administrator;
    const created = await admin.call('POST', `/projects/${account.projectId}/credentials`, { kind: 'hmac', label: 'Audited quota' });
    recordSecret(created.body.apiSecret, created.body.apiKey);
    const credentialId = created.body.credential.credentialId as string;
    const keyQuota = `/projects/${account.projectId}/credentials/${credentialId}/quota`;
    expect((await admin.call('PUT', keyQuota, { tokensPerHour: 50, tokensPerDay: null })).status).toBe(200);
    expect((await admin.call('PUT', keyQuota, { tokensPerHour: null, tokensPerDay: null })).status).toBe(200);
    expect((await admin.call('PUT', `/projects/${account.projectId}/quota`, { tokensPerHour: 7, tokensPerDay: 70 })).status).toBe(200);
    expect((await admin.call('PUT', '/account/usage-settings', { unusedKeyDays: 12 })).status).toBe(200);
    // A refused change is not audited.
    expect((await account.users.advanced.call('PUT', keyQuota, { tokensPerHour: 1, tokensPerDay: null })).status).toBe(403);
    const log = await admin.call('GET', '/account/audit-events?pageSize=4');
    expect(log.status).toBe(200);
    const events = (log.body.auditEvents as Array<Record<string, any>>).reverse();
    expect(events.map((e) => e.action)).toEqual(['quota.change', 'quota.change', 'quota.change', 'account.usage_settings_change']);
    expect(events[0]).toMatchObject({
      actor: { type: 'user', name: admin.email },
      projectId: account.projectId,
      credential: { credentialId, kind: 'hmac', label: 'Audited quota' },
      details: { fromTokensPerHour: null, fromTokensPerDay: null, tokensPerHour: 50, tokensPerDay: null },
    });
    expect(events[1].details).toEqual({ fromTokensPerHour: 50, fromTokensPerDay: null, tokensPerHour: null, tokensPerDay: null });
    expect(events[2]).toMatchObject({ credential: null, details: { tokensPerHour: 7, tokensPerDay: 70, projectDefault: true } });
    expect(events[3].details).toEqual({ fromUnusedKeyDays: 30, unusedKeyDays: 12 });
    expect(events[0].address).toMatch(/127\.0\.0\.1/);
    await admin.call('PUT', `/projects/${account.projectId}/quota`, { tokensPerHour: null, tokensPerDay: null });
  });
});

describe('SIGTERM', () => {
  it('loses no count: two server processes stopped before any flush write everything on the way out', async () => {
    const database = await createTestDatabase();
    try {
      const env = { DATABASE_URL: database.url, KEYMINT_MASTER_KEY: generateMasterKey(), BCRYPT_COST: '4', HOST: '127.0.0.1', ISSUER: 'http://keymint.test', USAGE_FLUSH_MS: '600000' };
      const boot = JSON.parse((await run(CLI, ['bootstrap', '--account', 'U', '--project', 'P', '--key', 'K', '--json'], env)).stdout);
      recordSecret(boot.secret, boot.accessKey.accessKeyId);
      const ports = [await freePort(), await freePort()];
      const servers = await Promise.all(ports.map((p) => startMain({ ...env, PORT: String(p) })));
      const basic = `Basic ${Buffer.from(`${boot.accessKey.accessKeyId}:${boot.secret}`).toString('base64')}`;
      const wrong = `Basic ${Buffer.from(`${boot.accessKey.accessKeyId}:wrong`).toString('base64')}`;
      const counts = [37, 23];
      for (const [i, port] of ports.entries()) {
        for (let n = 0; n < counts[i]; n++) {
          const res = await fetch(`http://127.0.0.1:${port}/oauth2/token`, {
            method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials',
          });
          expect(res.status).toBe(200);
          await res.body?.cancel();
        }
        const refused = await fetch(`http://127.0.0.1:${port}/oauth2/token`, {
          method: 'POST', headers: { authorization: wrong, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials',
        });
        expect(refused.status).toBe(401);
      }
      const sql = new pg.Client({ connectionString: database.url });
      await sql.connect();
      try {
        expect((await sql.query('SELECT count(*)::int AS n FROM usage_counts')).rows[0].n).toBe(0); // nothing flushed yet
        for (const s of servers) expect(await s.stop()).toBe(0);
        // Each count is in one row: the minute's (the sweep rolls it into its hour later).
        const { rows } = await sql.query(
          `SELECT granularity, sum(tokens)::int AS tokens, sum(wrong_secret)::int AS wrong FROM usage_counts WHERE key_id = $1 GROUP BY granularity ORDER BY granularity`,
          [boot.accessKey.accessKeyId],
        );
        expect(rows).toEqual([{ granularity: 'minute', tokens: 60, wrong: 2 }]);
      } finally {
        await sql.end();
      }
    } finally {
      await database.drop();
    }
  }, 60_000);
});
