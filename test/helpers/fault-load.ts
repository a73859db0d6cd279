// Load for the fault tests: writers that create and delete access keys through the v1 API
// and readers that fetch warm tokens, each answer recorded. The ledger of acknowledged
// writes is checked against the database afterwards: every acknowledged create is there,
// every acknowledged delete is gone. Nothing here sleeps on an assumption of speed.
import http from 'node:http';
import pg from 'pg';
import { expect } from 'vitest';
import { basicHeader } from './token-requests.js';

export interface Boot {
  projectId: string;
  accessKey: { accessKeyId: string };
  secret: string;
}

export interface Answer {
  at: number;
  ms: number;
  status: number | 'refused';
  retryAfter: string | null;
  kind: 'create' | 'delete' | 'token' | 'list';
}

export class FaultLoad {
  readonly answers: Answer[] = [];
  readonly created = new Map<string, string>(); // acknowledged: displayName -> id
  readonly deleted = new Set<string>(); // acknowledged deletes (ids)
  // Deletes sent, whatever the answer: a 503 may come after a COMMIT, so the key may be gone.
  readonly #deleteSent = new Set<string>();
  readonly bodies500: string[] = [];
  #stop = false;
  #running: Promise<void>[] = [];
  #n = 0;
  // Names unique to this load: several loads run on one project, one after the other.
  readonly #tag = Math.random().toString(36).slice(2, 8);

  constructor(
    private readonly baseUrl: () => string,
    private readonly boot: Boot,
  ) {}

  get #auth() {
    return basicHeader(this.boot.accessKey.accessKeyId, this.boot.secret);
  }

  async #request(kind: Answer['kind'], path: string, init: RequestInit): Promise<{ status: number | 'refused'; body: string }> {
    const at = Date.now();
    try {
      const res = await fetch(`${this.baseUrl()}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
      const body = await res.text();
      this.answers.push({ at, ms: Date.now() - at, status: res.status, retryAfter: res.headers.get('retry-after'), kind });
      if (res.status >= 500 && res.status !== 503) this.bodies500.push(`${kind} ${res.status} ${body}`);
      return { status: res.status, body };
    } catch {
      this.answers.push({ at, ms: Date.now() - at, status: 'refused', retryAfter: null, kind });
      return { status: 'refused', body: '' };
    }
  }

  async #writer(w: number) {
    const project = `/v1/projects/${this.boot.projectId}/accessKeys`;
    while (!this.#stop) {
      const name = `${this.#tag}-w${w}-${this.#n++}`;
      const res = await this.#request('create', project, {
        method: 'POST',
        headers: { authorization: this.#auth, 'content-type': 'application/json' },
        body: JSON.stringify({ displayName: name }),
      });
      if (res.status !== 200) continue;
      const id = (JSON.parse(res.body) as { accessKey: { accessKeyId: string } }).accessKey.accessKeyId;
      this.created.set(name, id);
      if (this.#n % 2 === 0) {
        this.#deleteSent.add(id);
        const del = await this.#request('delete', `${project}/${id}`, { method: 'DELETE', headers: { authorization: this.#auth } });
        if (del.status === 200) this.deleted.add(id);
      }
    }
  }

  async #reader() {
    while (!this.#stop) {
      await this.#request('token', '/oauth2/token', {
        method: 'POST',
        headers: { authorization: this.#auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
    }
  }

  start(writers = 4, readers = 2): void {
    for (let w = 0; w < writers; w++) this.#running.push(this.#writer(w));
    for (let r = 0; r < readers; r++) this.#running.push(this.#reader());
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await Promise.all(this.#running);
  }

  since(t: number, kind?: Answer['kind']): Answer[] {
    return this.answers.filter((a) => a.at >= t && (!kind || a.kind === kind));
  }

  /** Acknowledged creates are stored, acknowledged deletes are gone: checked in SQL. */
  async checkLedger(databaseUrl: string): Promise<{ creates: number; deletes: number }> {
    const sql = new pg.Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      const { rows } = await sql.query<{ id: string; display_name: string }>('SELECT id, display_name FROM access_keys WHERE project_id = $1', [this.boot.projectId]);
      const stored = new Map(rows.map((r) => [r.display_name, r.id]));
      const storedIds = new Set(rows.map((r) => r.id));
      const lost = [...this.created].filter(([name, id]) => !this.#deleteSent.has(id) && stored.get(name) !== id);
      const resurrected = [...this.deleted].filter((id) => storedIds.has(id));
      expect(lost, 'acknowledged creates missing from the database').toEqual([]);
      expect(resurrected, 'acknowledged deletes still in the database').toEqual([]);
      return { creates: this.created.size, deletes: this.deleted.size };
    } finally {
      await sql.end();
    }
  }
}

export interface OutageRun {
  name: string;
  base: string;
  boot: Boot;
  /** A real key never used and not resident: a token for it needs the database (a made-up ID may be refused without it). */
  cold: Boot;
  /** A real key never used, resident (auth/resident-keys.ts): its first token needs no database. */
  resident?: Boot;
  databaseUrl: string;
  server: { child: { exitCode: number | null }; output(): string };
  fault(): Promise<void> | void;
  heal(): Promise<void> | void;
  /** How long the fault lasts at least (it lasts until enough answers came, too). */
  minMs?: number;
  /** Bound on each database-bound answer during the fault. */
  answerWithinMs?: number;
}

/**
 * Runs load, applies the fault, checks what the issue requires while it lasts (no exit,
 * 503 + Retry-After for database-bound requests, warm tokens 200, /readyz 503 within 2.5 s),
 * heals, checks recovery and the ledger; returns the figures as a line for the docs.
 */
export async function outage({ name, base, boot, cold: coldKey, resident: residentKey, databaseUrl, server, fault, heal, minMs = 3_000, answerWithinMs = 10_000 }: OutageRun): Promise<string> {
  const list = () => statusOf(`${base}/v1/projects/${boot.projectId}/accessKeys`, { headers: { authorization: basicHeader(boot.accessKey.accessKeyId, boot.secret) } });
  await warmEveryWorker(base, boot);
  const load = new FaultLoad(() => base, boot);
  load.start(6, 2);
  await waitFor('acknowledged writes before the fault', async () => (load.created.size >= 20 ? true : undefined), 30_000);
  await fault();
  const faultAt = Date.now(); // once the fault is in place (pg_ctl stop returns when the server is down)

  // During the outage: a cold key, the probe, and the load's own answers.
  const cold = await statusOf(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basicHeader(coldKey.accessKey.accessKeyId, coldKey.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const residentToken = residentKey && (await statusOf(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basicHeader(residentKey.accessKey.accessKeyId, residentKey.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  }));
  const ready = await statusOf(`${base}/readyz`);
  await waitFor('database-bound answers during the outage', async () => (load.since(faultAt + 200, 'create').length >= 8 && Date.now() - faultAt > minMs ? true : undefined), 60_000);
  const healAt = Date.now();
  await heal();
  expect(server.child.exitCode, `the server exited during the fault:\n${server.output().slice(-2000)}`).toBe(null);
  const recovered = await waitFor('a database-bound request to succeed again', async () => ((await list()).status === 200 ? true : undefined), 30_000);
  await waitFor('acknowledged writes after recovery', async () => (load.since(healAt + recovered.ms, 'create').some((a) => a.status === 200) ? true : undefined), 30_000);
  await load.stop();

  expect(server.child.exitCode, `the server exited:\n${server.output()}`).toBe(null);
  expect(load.bodies500).toEqual([]);
  const during = load.answers.filter((a) => a.at >= faultAt + 200 && a.at + a.ms <= healAt);
  expect(during.filter((a) => a.status === 'refused'), 'requests the server did not answer').toEqual([]);
  const writes = during.filter((a) => a.kind !== 'token');
  expect(writes.length).toBeGreaterThan(0);
  for (const w of writes) {
    expect(w.status).toBe(503);
    expect(w.retryAfter).toMatch(/^\d+$/);
  }
  const tokens = during.filter((a) => a.kind === 'token');
  expect(tokens.length).toBeGreaterThan(0);
  expect(tokens.filter((t) => t.status !== 200).map((t) => t.status), 'warm tokens during the outage').toEqual([]);
  expect(cold.status).toBe(503);
  expect(JSON.parse(cold.body).error).toBe('temporarily_unavailable');
  expect(cold.ms).toBeLessThan(answerWithinMs);
  // A resident key's first token needs no database: served through the outage.
  if (residentToken) expect(residentToken.status, residentToken.body).toBe(200);
  expect(ready.status).toBe(503);
  expect(ready.ms).toBeLessThan(2_500);
  const ledger = await load.checkLedger(databaseUrl);
  const slowest = Math.max(...writes.map((w) => w.ms));
  const figure =
    `${name}: ${writes.length} database-bound answers during the outage, all 503 with Retry-After, slowest ${slowest} ms; ` +
      `${tokens.length} warm tokens, all 200;${residentToken ? ' a resident key never used before: 200;' : ''} /readyz 503 in ${ready.ms} ms; recovered ${recovered.ms} ms after the database returned; ` +
      `ledger: ${ledger.creates} acknowledged creates present, ${ledger.deletes} acknowledged deletes absent; process alive`;
  console.log(`FIGURE ${figure}`);
  expect(recovered.ms).toBeLessThan(15_000);
  expect(slowest).toBeLessThan(answerWithinMs);
  return figure;
}

/**
 * A token for the load's key on several fresh connections, so that every worker of a
 * WORKERS=n server (node:cluster hands each new connection to the next worker) holds the
 * key before the fault: each worker's cache is its own, and a reader's connection that is
 * replaced during the fault may land on any worker.
 */
async function warmEveryWorker(base: string, boot: Boot, connections = 8): Promise<void> {
  for (let i = 0; i < connections; i++) {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${base}/oauth2/token`, {
        method: 'POST',
        agent: false, // a new connection each time
        headers: { authorization: basicHeader(boot.accessKey.accessKeyId, boot.secret), 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end('grant_type=client_credentials');
    });
    expect(status, 'a token before the fault').toBe(200);
  }
}

/** Polls `probe` until it returns a value, at most `ms`; returns the value and the time it took. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms: number, every = 100): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** The status of one request, or 'refused' when the server did not answer at all. */
export async function statusOf(url: string, init: RequestInit = {}, timeoutMs = 20_000): Promise<{ status: number | 'refused'; ms: number; retryAfter: string | null; body: string }> {
  const started = Date.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    return { status: res.status, ms: Date.now() - started, retryAfter: res.headers.get('retry-after'), body };
  } catch {
    return { status: 'refused', ms: Date.now() - started, retryAfter: null, body: '' };
  }
}
