// Issue 14: keymint/verify's opt-in fail-closed bound on the revocation feed. A real Keymint,
// a real HTTP proxy in front of its revocation feed that can stop answering (requests held,
// never answered), and a real resource API with two routes: one verifier with
// revocations.maxStalenessMs, one without. While the feed answers, the bound refuses
// nothing; once it stops, the bounded route answers 503 (RevocationFeedStaleError) while
// the default one keeps trusting its last copy, as documented; when the feed answers again,
// tokens are accepted again. A feed never read refuses from the start.
import express from 'express';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createVerifier, requireAccessToken, RevocationFeedStaleError, type Verifier } from '../src/verify/index.js';
import { jwtPayload } from './helpers/api-client.js';
import { freePort, startTestServer, type TestServer } from './helpers/server.js';
import { until } from './helpers/token-requests.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const BOUND_MS = 3000;
let s: TestServer;
let proxy: Server;
let proxyUrl: string;
let api: Server;
let apiUrl: string;
let token: string;
let audience: string;
let answering = true;
const held = new Set<Socket>();
const verifiers: Verifier[] = [];

// Forwards everything to Keymint; while !answering, requests for the revocation feed are
// held open and never answered (a server that stopped answering, not one that refuses).
function forward(req: IncomingMessage, res: ServerResponse): void {
  if (!answering && req.url?.startsWith('/oauth2/revocations')) {
    held.add(req.socket);
    return;
  }
  const target = new URL(req.url ?? '/', s.url);
  const out = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  out.on('error', () => res.destroy());
  req.pipe(out);
}

const verifierOf = (revocations: Parameters<typeof createVerifier>[0]['revocations'], viaFetch: typeof fetch = fetch) => {
  const v = createVerifier({ issuer: s.config.issuer, audience, fetch: viaFetch, revocations });
  verifiers.push(v);
  return v;
};

// Discovery names the issuer's URLs: the verifiers reach them through the proxy.
const throughProxy: typeof fetch = (input, init) => fetch(String(input instanceof Request ? input.url : input).replace(s.url, proxyUrl), init);

beforeAll(async () => {
  s = await startTestServer();
  const boot = await s.bootstrap();
  token = await s.token(boot.accessKey.accessKeyId, boot.secret);
  audience = jwtPayload(token).aud as string;
  proxy = createServer(forward);
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const strict = verifierOf({ waitSeconds: 1, intervalMs: 100, maxStalenessMs: BOUND_MS }, throughProxy);
  const lenient = verifierOf({ waitSeconds: 1, intervalMs: 100 }, throughProxy);
  const app = express();
  app.get('/strict', requireAccessToken(strict), (_req, res) => res.json({ ok: true }));
  app.get('/lenient', requireAccessToken(lenient), (_req, res) => res.json({ ok: true }));
  api = app.listen(0, '127.0.0.1');
  await new Promise((r) => api.once('listening', r));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const v of verifiers) v.close();
  for (const socket of held) socket.destroy();
  api?.close();
  proxy?.close();
  await s?.close();
});

const call = async (route: string) => {
  const res = await fetch(`${apiUrl}${route}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
};

describe('revocations.maxStalenessMs', () => {
  it('refuses nothing while the feed answers, for longer than the bound (long-polls complete every waitSeconds)', async () => {
    const statuses = new Set<number>();
    const until = Date.now() + BOUND_MS * 1.5;
    let n = 0;
    while (Date.now() < until) {
      statuses.add((await call('/strict')).status);
      n++;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(n).toBeGreaterThan(10);
    expect([...statuses]).toEqual([200]);
  });

  it('once the feed stops answering, refuses with 503 within the bound (polled), while the default keeps its last copy', async () => {
    answering = false;
    const refused = await until('the bounded route to refuse', async () => {
      const res = await call('/strict');
      return res.status === 503 ? res : undefined;
    }, BOUND_MS + 3000, 100);
    expect(refused.body).toEqual({ error: 'temporarily_unavailable', error_description: 'The access token cannot be verified right now. Please retry shortly.' });
    expect(refused.retryAfter).toBe('5');
    expect((await call('/lenient')).status).toBe(200);
    // The error itself says why, for the resource API's logs.
    const strict = verifiers[0];
    const err = await strict.verify(token).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RevocationFeedStaleError);
    expect((err as RevocationFeedStaleError).staleForMs).toBeGreaterThan(BOUND_MS);
    expect((err as Error).message).toMatch(/revocation feed .* was last read \d+ s ago, more than maxStalenessMs 3000 allows/);
  });

  it('accepts tokens again once the feed answers again', async () => {
    answering = true;
    for (const socket of held) socket.destroy(); // the held long-poll fails now, and the follower retries
    held.clear();
    await until('the bounded route to accept again', async () => ((await call('/strict')).status === 200 ? true : undefined), 15_000, 100);
  });

  it('refuses from the start when the feed was never read (fail closed), while discovery and keys work', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    const feedless: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      return fetch(url.includes('/oauth2/revocations') ? url.replace(s.url, dead) : url, init);
    };
    const errors: Error[] = [];
    const v = verifierOf({ waitSeconds: 1, intervalMs: 100, maxStalenessMs: BOUND_MS, onError: (e) => errors.push(e) }, feedless);
    const err = await v.verify(token).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RevocationFeedStaleError);
    expect((err as RevocationFeedStaleError).staleForMs).toBeUndefined();
    expect((err as Error).message).toMatch(/could not be read yet/);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('refuses a bound a healthy long-poll could not keep', () => {
    expect(() => createVerifier({ issuer: s.config.issuer, audience, revocations: { waitSeconds: 20, maxStalenessMs: 5000 } }))
      .toThrow(/maxStalenessMs must be at least 21000/);
    expect(() => createVerifier({ issuer: s.config.issuer, audience, revocations: { waitSeconds: 2, maxStalenessMs: Number.NaN } }))
      .toThrow(/maxStalenessMs/);
  });
});
