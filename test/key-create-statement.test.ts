// Issue 12: the usual v1 create (no MAX_KEYS_PER_PROJECT, no grants) is one statement that
// writes the key and its audit event together, in an existing project of a verified account
// only. What is refused writes neither: a name taken, an unverified account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, recordSecret, type Bootstrapped, type TestServer } from './helpers/server.js';
import { basicHeader, raw } from './helpers/token-requests.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const body = (r: { json?: unknown }) => r.json as any;
let s: TestServer;
let k: Bootstrapped;

const create = (projectId: string, displayName: string) =>
  raw(`${s.url}/v1/projects/${projectId}/accessKeys`, {
    method: 'POST',
    headers: { authorization: basicHeader(k.accessKey.accessKeyId, k.secret), 'content-type': 'application/json' },
    body: JSON.stringify({ displayName }),
  }).then((res) => {
    if (typeof res.json?.secret === 'string') recordSecret(body(res).secret);
    return res;
  });
const rows = async (sql: string, params: unknown[]) => (await s.sql.query(sql, params)).rows;
const auditCount = async () => Number((await rows("SELECT count(*) AS n FROM audit_events WHERE action = 'credential.create' AND project_id = $1", [k.projectId]))[0].n);
const keyCount = async () => Number((await rows('SELECT count(*) AS n FROM access_keys WHERE project_id = $1', [k.projectId]))[0].n);
async function statements(): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  return Number(/^keymint_db_queries_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

beforeAll(async () => {
  s = await startTestServer();
  k = await s.bootstrap();
});
afterAll(() => s?.close());

describe('a v1 create', () => {
  it('writes the key and one audit event naming it, by the key that asked', async () => {
    const res = await create(k.projectId, 'made at once');
    expect(res.status).toBe(200);
    const id = body(res).accessKey.accessKeyId as string;
    const [key] = await rows('SELECT credential_id, display_name FROM access_keys WHERE id = $1', [id]);
    const events = await rows("SELECT * FROM audit_events WHERE action = 'credential.create' AND credential_id = $1", [key.credential_id]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      account_id: k.accountId,
      project_id: k.projectId,
      actor_type: 'access_key',
      actor_id: k.accessKey.accessKeyId,
      credential_kind: 'basic',
      credential_label: 'made at once',
    });
    expect(body(res).accessKey).toEqual({
      accessKeyId: id,
      displayName: 'made at once',
      projectId: k.projectId,
      createTime: expect.any(String),
      updateTime: expect.any(String),
    });
    // The new key works at once.
    expect(typeof (await s.token(id, body(res).secret))).toBe('string');
  });

  it('costs one statement: twenty creates add about twenty to the statement count (six each before)', async () => {
    const before = await statements();
    for (let i = 0; i < 20; i++) expect((await create(k.projectId, `counted ${i}`)).status).toBe(200);
    const added = (await statements()) - before;
    // A background flush (last use, usage) may add a few of its own meanwhile.
    expect(added).toBeGreaterThanOrEqual(20);
    expect(added).toBeLessThanOrEqual(26);
  });

  it('refused for a taken name writes neither a key nor an audit event', async () => {
    const [keys, events] = [await keyCount(), await auditCount()];
    const res = await create(k.projectId, 'made at once');
    expect(res.status).toBe(409);
    expect(body(res).error.status).toBe('ALREADY_EXISTS');
    expect([await keyCount(), await auditCount()]).toEqual([keys, events]);
  });

  it('refused in an unverified account (412) writes nothing', async () => {
    const other = await s.bootstrap({ account: 'Unverified Ltd', project: 'p', key: 'k' });
    await s.sql.query('UPDATE accounts SET verified_at = NULL WHERE id = $1', [other.accountId]);
    const before = Number((await rows('SELECT count(*) AS n FROM audit_events', []))[0].n);
    const asOther = await raw(`${s.url}/v1/projects/${other.projectId}/accessKeys`, {
      method: 'POST',
      headers: { authorization: basicHeader(other.accessKey.accessKeyId, other.secret), 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'not here' }),
    });
    expect(asOther.status).toBe(412);
    expect(body(asOther).error.message).toMatch(/verified accounts/);
    expect(await rows("SELECT 1 FROM access_keys WHERE display_name = 'not here'", [])).toHaveLength(0);
    expect(Number((await rows('SELECT count(*) AS n FROM audit_events', []))[0].n)).toBe(before);
  });
});
