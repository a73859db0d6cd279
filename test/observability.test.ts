// Logs and metrics on real requests: one access line per request (with the caller's
// X-Request-Id when it is safe, returned in the response), refusals at warn with their
// reason and never a secret, ISO timestamps with pid and hostname; the latency metric's
// route label the same for a refused and an answered request.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';

let server: TestServer;
let a: Bootstrapped;
let b: Bootstrapped;
let people: ConsoleAccount;

beforeAll(async () => {
  server = await startTestServer({ AUTH_FAILURES_PER_KEY: '3', SIGNIN_FAILURES_PER_EMAIL: '3', LOG_LEVEL: 'info' });
  a = await server.bootstrap();
  b = await server.bootstrap();
  people = await consoleAccount(server);
});
afterAll(() => server?.close());

interface Line {
  level: number;
  time: string;
  pid: number;
  hostname: string;
  msg: string;
  reqId?: string;
  req?: { method: string; path: string };
  res?: { status: number };
  ms?: number;
  event?: string;
  keyId?: string;
  retryAfter?: number;
}

async function lines(): Promise<Line[]> {
  return (await readFile(server.logFile, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
}

/** The access line of the request sent with this X-Request-Id (waits for the file write). */
async function accessLine(reqId: string): Promise<Line> {
  for (let i = 0; i < 50; i++) {
    const found = (await lines()).filter((l) => l.msg === 'request' && l.reqId === reqId);
    if (found.length) {
      expect(found).toHaveLength(1);
      return found[0];
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no access line for ${reqId}`);
}

let n = 0;
const rid = () => `test-${process.pid}-${++n}`;

async function get(path: string, headers: Record<string, string> = {}) {
  const id = rid();
  const res = await fetch(`${server.url}${path}`, { headers: { 'x-request-id': id, ...headers } });
  await res.arrayBuffer();
  return { res, id };
}

async function metric(route: string, status: number, method = 'GET'): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`keymint_http_request_duration_seconds_count{method="${method}",route="${route}",status="${status}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('the access log', () => {
  it('writes one info line per request with the caller’s request ID, method, full path, status and time, and returns the ID', async () => {
    const { res, id } = await get(`/v1/projects/${a.projectId}/accessKeys?pageSize=5`, { authorization: server.basic(a.accessKey.accessKeyId, a.secret) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(id);
    const line = await accessLine(id);
    expect(line).toMatchObject({ level: 30, req: { method: 'GET', path: `/v1/projects/${a.projectId}/accessKeys` }, res: { status: 200 } });
    expect(line.ms).toBeGreaterThanOrEqual(0);
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(line.pid).toBe(process.pid);
    expect(line.hostname).toBe(hostname());
  });

  it('logs the token endpoint’s fast path too, with a request ID of its own when none is sent', async () => {
    const res = await fetch(`${server.url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: server.basic(a.accessKey.accessKeyId, a.secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = await accessLine(id);
    expect(line).toMatchObject({ level: 30, req: { method: 'POST', path: '/oauth2/token' }, res: { status: 200 } });
    const text = JSON.stringify(line);
    expect(text).not.toContain(a.secret);
    expect(text).not.toContain('access_token');
  });

  it.each([
    ['too long', 'x'.repeat(129)],
    ['unsafe characters', 'abc def<script>'],
    ['a newline attempt', 'abc%0d%0aInjected: 1'],
  ])('replaces an X-Request-Id that is %s with a new one', async (_what, bad) => {
    const res = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': bad } });
    const id = res.headers.get('x-request-id')!;
    expect(id).not.toBe(bad);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await accessLine(id);
    expect(await readFile(server.logFile, 'utf8')).not.toContain(bad);
  });

  it('logs a failed authentication at warn with the Key ID, never the secret, and no query string', async () => {
    const wrong = 'kmsk_' + 'W'.repeat(49);
    const { res, id } = await get(`/v1/projects/${b.projectId}/accessKeys?pageToken=${a.secret}`, { authorization: server.basic(b.accessKey.accessKeyId, wrong) });
    expect(res.status).toBe(401);
    const line = await accessLine(id);
    expect(line).toMatchObject({ level: 40, event: 'authentication_failed', keyId: b.accessKey.accessKeyId, res: { status: 401 } });
    expect(line.req!.path).toBe(`/v1/projects/${b.projectId}/accessKeys`);
    const text = JSON.stringify(line);
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(a.secret);
  });

  it('logs a key’s rate-limit refusal at warn with its Retry-After', async () => {
    const wrong = server.basic(b.accessKey.accessKeyId, 'kmsk_' + 'X'.repeat(49));
    let last: { res: Response; id: string } | undefined;
    for (let i = 0; i < 6 && last?.res.status !== 429; i++) last = await get(`/v1/projects/${b.projectId}/accessKeys`, { authorization: wrong });
    expect(last!.res.status).toBe(429);
    const line = await accessLine(last!.id);
    expect(line).toMatchObject({ level: 40, event: 'rate_limited', keyId: b.accessKey.accessKeyId, res: { status: 429 } });
    expect(line.retryAfter).toBeGreaterThan(0);
  });

  it('logs a console sign-in lock-out at warn, without the password', async () => {
    const email = people.users.basic.email;
    let last: Response | undefined;
    let id = '';
    for (let i = 0; i < 6 && last?.status !== 429; i++) {
      id = rid();
      last = await fetch(`${server.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': id },
        body: JSON.stringify({ email, password: 'Not-the-password-123' }),
      });
      await last.arrayBuffer();
    }
    expect(last!.status).toBe(429);
    const line = await accessLine(id);
    expect(line).toMatchObject({ level: 40, event: 'rate_limited', req: { method: 'POST', path: '/api/session' } });
    expect(JSON.stringify(await lines())).not.toContain('Not-the-password-123');
  });
});

describe('the latency metric’s route label', () => {
  it('is /api/session for a refused and an accepted session request', async () => {
    const before = { refused: await metric('/api/session', 401), ok: await metric('/api/session', 200) };
    expect((await get('/api/session')).res.status).toBe(401);
    expect((await get('/api/session', people.users.administrator.session.headers())).res.status).toBe(200);
    expect(await metric('/api/session', 401)).toBe(before.refused + 1);
    expect(await metric('/api/session', 200)).toBe(before.ok + 1);
  });

  it('is /v1/projects/:projectId/accessKeys for 200, 401 and 403', async () => {
    const route = '/v1/projects/:projectId/accessKeys';
    const before = [await metric(route, 200), await metric(route, 401), await metric(route, 403)];
    expect((await get(`/v1/projects/${a.projectId}/accessKeys`, { authorization: server.basic(a.accessKey.accessKeyId, a.secret) })).res.status).toBe(200);
    expect((await get(`/v1/projects/${a.projectId}/accessKeys`)).res.status).toBe(401);
    expect((await get(`/v1/projects/${b.projectId}/accessKeys`, { authorization: server.basic(a.accessKey.accessKeyId, a.secret) })).res.status).toBe(403);
    expect([await metric(route, 200), await metric(route, 401), await metric(route, 403)]).toEqual(before.map((v) => v + 1));
  });

  it('names a key’s route, the token endpoint and an unknown path by template, never by ID', async () => {
    const path = `/v1/projects/${a.projectId}/accessKeys/${a.accessKey.accessKeyId}`;
    expect((await get(path, { authorization: server.basic(a.accessKey.accessKeyId, a.secret) })).res.status).toBe(200);
    expect(await metric('/v1/projects/:projectId/accessKeys/:accessKeyId', 200)).toBeGreaterThan(0);
    expect(await metric('/oauth2/token', 200, 'POST')).toBeGreaterThan(0);
    await get(`/no/such/${a.projectId}`);
    expect(await metric('unmatched', 404)).toBeGreaterThan(0);
    expect(await (await fetch(`${server.url}/metrics`)).text()).not.toContain(a.projectId);
  });
});

describe('the log format', () => {
  it('is human-readable with LOG_FORMAT=pretty (and on a terminal), JSON otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keymint-log-'));
    try {
      const pretty = createLogger('info', { file: join(dir, 'pretty.log') }, 'pretty');
      pretty.info({ path: '/x' }, 'hello there');
      const json = createLogger('info', { file: join(dir, 'json.log') }, 'auto');
      json.info('hello there');
      const human = await readFile(join(dir, 'pretty.log'), 'utf8');
      expect(human).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4}\] INFO \(\d+ on .+\): hello there/);
      expect(() => JSON.parse(human)).toThrow();
      expect(JSON.parse(await readFile(join(dir, 'json.log'), 'utf8'))).toMatchObject({ msg: 'hello there', pid: process.pid, hostname: hostname() });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// A flood of refusals is not a flood of log lines: at most REFUSAL_LINES_PER_SECOND lines a
// second, the rest counted in one summary line per second; every refusal is accounted for.
describe('a burst of refused token requests', () => {
  let flooded: TestServer;
  beforeAll(async () => {
    flooded = await startTestServer({ LOG_LEVEL: 'warn' });
  });
  afterAll(() => flooded?.close());

  it('logs at most 50 refusals a second one by one and counts the others in a summary', async () => {
    const sent = 400;
    const answers = await Promise.all(
      Array.from({ length: sent }, () =>
        fetch(`${flooded.url}/oauth2/token`, {
          method: 'POST',
          headers: { authorization: flooded.basic(crypto.randomUUID(), 'kmsk_' + 'Z'.repeat(49)), 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        }).then((r) => r.status),
      ),
    );
    expect(answers.every((s) => s === 401 || s === 429)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_500)); // the last second's summary
    const lines = (await readFile(flooded.logFile, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line & { count?: number; byStatus?: Record<string, number> });
    const single = lines.filter((l) => l.req?.path === '/oauth2/token' && (l.event === 'authentication_failed' || l.event === 'rate_limited'));
    const summaries = lines.filter((l) => l.event === 'refusals_not_logged');
    expect(summaries.length).toBeGreaterThan(0);
    expect(single.length + summaries.reduce((n, l) => n + l.count!, 0)).toBe(sent);
    // Per second of the log, never more than the budget of single lines.
    const perSecond = new Map<string, number>();
    for (const l of single) perSecond.set(l.time.slice(0, 19), (perSecond.get(l.time.slice(0, 19)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(50);
    for (const l of summaries) expect(Object.values(l.byStatus!).reduce((a, b) => a + b, 0)).toBe(l.count);
  });
});
