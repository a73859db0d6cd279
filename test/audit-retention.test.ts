// The audit log keeps AUDIT_RETENTION_DAYS of events: older ones are deleted at start and
// every hour (src/audit/retention.ts); 0 keeps everything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import pino from 'pino';
import { AuditRetention } from '../src/audit/retention.js';
import { loadConfig } from '../src/config.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { consoleAccount } from './helpers/console-account.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ AUDIT_RETENTION_DAYS: '30' });
});
afterAll(() => server?.close());

async function eventAged(accountId: string, days: number): Promise<string> {
  const id = uuidv7();
  await server.sql.query(
    `INSERT INTO audit_events (id, account_id, actor_type, action, created_at)
     VALUES ($1, $2, 'anonymous', 'session.sign_in_failures', now() - make_interval(days => $3))`,
    [id, accountId, days],
  );
  return id;
}

const ids = async (accountId: string) =>
  (await server.sql.query<{ id: string }>('SELECT id FROM audit_events WHERE account_id = $1', [accountId])).rows.map((r) => r.id);

describe('audit retention', () => {
  it('deletes the events older than the retention, in batches, and keeps the rest', async () => {
    const acct = await consoleAccount(server);
    const old = await Promise.all(Array.from({ length: 3 }, () => eventAged(acct.accountId, 31)));
    const kept = await eventAged(acct.accountId, 29);
    const retention = new AuditRetention({ db: server.sql, log: pino({ level: 'silent' }), days: 30 });
    expect(await retention.sweep()).toBe(3);
    const left = await ids(acct.accountId);
    for (const id of old) expect(left).not.toContain(id);
    expect(left).toContain(kept);
    expect(left.length).toBeGreaterThan(1); // the sign-ins of consoleAccount are recent
    expect(await retention.sweep()).toBe(0);
  });

  it('keeps everything with 0 days, and refuses a negative or absurd setting', async () => {
    const acct = await consoleAccount(server);
    const ancient = await eventAged(acct.accountId, 5000);
    expect(await new AuditRetention({ db: server.sql, log: pino({ level: 'silent' }), days: 0 }).sweep()).toBe(0);
    expect(await ids(acct.accountId)).toContain(ancient);
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '0' }).auditRetentionDays).toBe(0);
    expect(loadConfig({}).auditRetentionDays).toBe(400);
    expect(() => loadConfig({ AUDIT_RETENTION_DAYS: '-1' })).toThrow(/AUDIT_RETENTION_DAYS/);
    expect(() => loadConfig({ AUDIT_RETENTION_DAYS: 'forever' })).toThrow(/AUDIT_RETENTION_DAYS/);
  });

  it('runs when the server starts', async () => {
    const other = await startTestServer({ AUDIT_RETENTION_DAYS: '7' }, { database: server.database, masterKey: server.config.masterKey! });
    try {
      const acct = await consoleAccount(other);
      const stale = await eventAged(acct.accountId, 8);
      const restarted = await startTestServer({ AUDIT_RETENTION_DAYS: '7' }, { database: server.database, masterKey: server.config.masterKey! });
      try {
        await expect.poll(async () => ids(acct.accountId), { timeout: 5000 }).not.toContain(stale);
      } finally {
        await restarted.close();
      }
    } finally {
      await other.close();
    }
  });
});
