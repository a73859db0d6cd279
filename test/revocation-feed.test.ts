// Issue 14 (B): revocation that reaches offline verifiers. Two Keymint instances on one
// database, and a real HTTP resource API that verifies tokens with keymint/verify following
// the revocation feed. A deleted key's token, an expired key's token and a token revoked by
// RFC 7009 /oauth2/revoke are refused by the resource API within 2 s (polled; the bound is
// the failure), while it makes no request to Keymint per verified token.
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createVerifier, requireAccessToken, type Verifier } from '../src/verify/index.js';
import { cluster, SHARED_ISSUER, type Cluster } from './helpers/cluster.js';
import { jwtPayload } from './helpers/api-client.js';
import { recordSecret, recordToken, type Bootstrapped, type TestServer } from './helpers/server.js';
import { basicHeader, FORM } from './helpers/token-requests.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let c: Cluster;
let a: TestServer, b: TestServer;
let boot: Bootstrapped;
let api: Server;
let apiUrl: string;
let verifier: Verifier;
const calls: string[] = [];
const figures: string[] = [];

beforeAll(async () => {
  c = await cluster();
  a = await c.start();
  b = await c.start();
  boot = await a.bootstrap();
  const probe = await a.token(boot.accessKey.accessKeyId, boot.secret);
  const audience = jwtPayload(probe).aud as string;
  // The resource API reaches Keymint (its issuer, http://keymint.test) at instance a; every
  // request it makes is counted.
  const toKeymint: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input).replace(SHARED_ISSUER, a.url);
    calls.push(new URL(url).pathname);
    return fetch(url, init);
  };
  verifier = createVerifier({ issuer: SHARED_ISSUER, audience, fetch: toKeymint, revocations: { waitSeconds: 10 } });
  const app = express();
  app.get('/data', requireAccessToken(verifier), (_req, res) => {
    res.json({ ok: true });
  });
  api = app.listen(0, '127.0.0.1');
  await new Promise((r) => api.once('listening', r));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  verifier?.close();
  api?.close();
  await c?.close();
  console.log(figures.map((f) => `FIGURE revocation-feed ${f}`).join('\n'));
});

const admin = () => a.basic(boot.accessKey.accessKeyId, boot.secret);
const useApi = async (token: string) => (await fetch(`${apiUrl}/data`, { headers: { authorization: `Bearer ${token}` } })).status;

async function newKey(s: TestServer, name: string, expireTime?: string) {
  const res = await fetch(`${s.url}/v1/projects/${boot.projectId}/accessKeys`, {
    method: 'POST', headers: { authorization: admin(), 'content-type': 'application/json' }, body: JSON.stringify({ displayName: name, expireTime }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { accessKey: { accessKeyId: string }; secret: string };
  recordSecret(body.secret, body.accessKey.accessKeyId);
  return { id: body.accessKey.accessKeyId, secret: body.secret };
}

/** ms from `from` until the resource API refuses `token` (401); Infinity past 10 s. */
async function refusedAfter(token: string, from: number): Promise<number> {
  for (;;) {
    const status = await useApi(token);
    if (status === 401) return Date.now() - from;
    expect(status).toBe(200);
    if (Date.now() - from > 10_000) return Infinity;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const revoke = (s: TestServer, token: string, auth: string, extra: Record<string, string> = {}) =>
  fetch(`${s.url}/oauth2/revoke`, { method: 'POST', headers: { authorization: auth, 'content-type': FORM }, body: new URLSearchParams({ token, ...extra }) });

describe('keymint/verify following the revocation feed', () => {
  it("refuses a deleted key's token within 2 s, with no request to Keymint per verification", async () => {
    const key = await newKey(a, 'deleted-soon');
    const token = await a.token(key.id, key.secret);
    expect(await useApi(token)).toBe(200);
    // Warm: a hundred verifications, and not one request to Keymint for them (only the
    // feed's background long-poll may run meanwhile).
    const before = calls.filter((p) => p !== '/oauth2/revocations').length;
    const feedBefore = calls.filter((p) => p === '/oauth2/revocations').length;
    for (let i = 0; i < 100; i++) expect(await useApi(token)).toBe(200);
    expect(calls.filter((p) => p !== '/oauth2/revocations').length).toBe(before);
    expect(calls.filter((p) => p === '/oauth2/revocations').length - feedBefore).toBeLessThanOrEqual(2);

    // Deleted through the other instance.
    const res = await fetch(`${b.url}/v1/projects/${boot.projectId}/accessKeys/${key.id}`, { method: 'DELETE', headers: { authorization: admin() } });
    expect(res.status).toBe(200);
    const ms = await refusedAfter(token, Date.now());
    figures.push(`deleted key's token refused by the resource API ${ms} ms after the delete`);
    expect(ms).toBeLessThanOrEqual(2000);
    // Other keys' tokens are untouched.
    expect(await useApi(await a.token(boot.accessKey.accessKeyId, boot.secret))).toBe(200);
  });

  it("refuses an expired key's token within 2 s of the expiry", async () => {
    const expireAt = Date.now() + 3000;
    const key = await newKey(a, 'expiring', new Date(expireAt).toISOString());
    const token = await a.token(key.id, key.secret);
    expect(await useApi(token)).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, expireAt - Date.now())));
    const ms = await refusedAfter(token, expireAt);
    figures.push(`expired key's token refused ${ms} ms after the expiry`);
    expect(ms).toBeLessThanOrEqual(2000);
  });

  it('RFC 7009 /oauth2/revoke revokes one token by its jti, everywhere, for its own client only', async () => {
    const key = await newKey(a, 'revoking');
    const own = basicHeader(key.id, key.secret);
    const doomed = await a.token(key.id, key.secret);
    const kept = await a.token(key.id, key.secret);
    recordToken(doomed);
    recordToken(kept);
    expect(await useApi(doomed)).toBe(200);
    expect(await useApi(kept)).toBe(200);

    // Another client may not revoke it; nobody unauthenticated either.
    const foreign = await revoke(b, doomed, admin());
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ error: 'invalid_request' });
    const anonymous = await fetch(`${b.url}/oauth2/revoke`, { method: 'POST', headers: { 'content-type': FORM }, body: new URLSearchParams({ token: doomed }) });
    expect(anonymous.status).toBe(401);
    expect(await useApi(doomed)).toBe(200);

    // Its own client revokes it at instance b; the API (following a's feed) refuses it.
    const done = await revoke(b, doomed, own, { token_type_hint: 'access_token' });
    expect(done.status).toBe(200);
    expect(done.headers.get('cache-control')).toBe('no-store');
    const revokedAt = Date.now();
    const ms = await refusedAfter(doomed, revokedAt);
    figures.push(`revoked token refused by the resource API ${ms} ms after /oauth2/revoke`);
    expect(ms).toBeLessThanOrEqual(2000);
    expect(await useApi(kept)).toBe(200);
    // Keymint agrees: introspection says inactive, on either instance.
    for (const s of [a, b]) {
      const seen = await fetch(`${s.url}/oauth2/introspect`, { method: 'POST', headers: { authorization: own, 'content-type': FORM }, body: new URLSearchParams({ token: doomed }) });
      await expect.poll(async () => (await (await fetch(`${s.url}/oauth2/introspect`, { method: 'POST', headers: { authorization: own, 'content-type': FORM }, body: new URLSearchParams({ token: doomed }) })).json()).active, { timeout: 2000 }).toBe(false);
      expect(seen.status).toBe(200);
    }
    // Revoking again, or a token that is not one, is 200 and changes nothing (RFC 7009 §2.2).
    expect((await revoke(a, doomed, own)).status).toBe(200);
    expect((await revoke(a, 'not.a.token', own)).status).toBe(200);
    expect(await useApi(kept)).toBe(200);
    expect((await revoke(a, '', own)).status).toBe(400);
    expect((await fetch(`${a.url}/oauth2/revoke`)).status).toBe(405);
  });
});

describe('a previous secret revoked with its tokens', () => {
  it('{"revokeTokens": true}: the tokens issued until then are refused within 2 s, newer ones accepted', async () => {
    const key = await newKey(a, 'leaked');
    const old = await a.token(key.id, key.secret);
    const base = `${a.url}/v1/projects/${boot.projectId}/accessKeys/${key.id}`;
    const rotated = await fetch(`${base}:rotateSecret`, { method: 'POST', headers: { authorization: admin() } });
    const { secret } = (await rotated.json()) as { secret: string };
    recordSecret(secret);
    const during = await a.token(key.id, secret);
    expect(await useApi(old)).toBe(200);
    expect(await useApi(during)).toBe(200);
    const res = await fetch(`${base}:revokePreviousSecret`, {
      method: 'POST', headers: { authorization: admin(), 'content-type': 'application/json' }, body: JSON.stringify({ revokeTokens: true }),
    });
    expect(res.status).toBe(200);
    const at = Date.now();
    expect(await refusedAfter(old, at)).toBeLessThanOrEqual(2000);
    expect(await refusedAfter(during, at)).toBeLessThanOrEqual(2000);
    // A token issued in a later second (iat after the revocation) is accepted.
    await new Promise((r) => setTimeout(r, 1100));
    expect(await useApi(await a.token(key.id, secret))).toBe(200);
    expect((await fetch(`${base}:revokePreviousSecret`, { method: 'POST', headers: { authorization: admin(), 'content-type': 'application/json' }, body: JSON.stringify({ revokeTokens: 'yes' }) })).status).toBe(400);
  });
});

describe('GET /oauth2/revocations', () => {
  it('is public, lists only IDs and times, answers 304 to its ETag, and a long-poll returns at the next revocation', async () => {
    const first = await fetch(`${a.url}/oauth2/revocations`);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const doc = (await first.json()) as { issuer: string; keys: Record<string, unknown>[]; tokens: Record<string, unknown>[]; max_token_lifetime: number };
    expect(doc.issuer).toBe(SHARED_ISSUER);
    expect(doc.keys.length).toBeGreaterThan(0);
    for (const k of doc.keys) expect(Object.keys(k).sort()).toEqual(['key_id', 'revoked_at']);
    for (const t of doc.tokens) expect(Object.keys(t).sort()).toEqual(['exp', 'jti']);
    expect(JSON.stringify(doc)).not.toMatch(/kmsk_|sha256|displayName|project/);

    const same = await fetch(`${b.url}/oauth2/revocations`, { headers: { 'if-none-match': etag } });
    expect(same.status).toBe(304); // the same document on every instance: the same ETag
    expect((await fetch(`${a.url}/oauth2/revocations?wait=x`, { headers: { 'if-none-match': etag } })).status).toBe(400);

    const key = await newKey(a, 'long-polled');
    const started = Date.now();
    const held = fetch(`${b.url}/oauth2/revocations?wait=15`, { headers: { 'if-none-match': etag } });
    await new Promise((r) => setTimeout(r, 300));
    await fetch(`${a.url}/v1/projects/${boot.projectId}/accessKeys/${key.id}`, { method: 'DELETE', headers: { authorization: admin() } });
    const woke = await held;
    expect(woke.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000); // woken by the change, not the 15 s timeout
    const next = (await woke.json()) as { keys: { key_id: string }[] };
    expect(next.keys.map((k) => k.key_id)).toContain(key.id);
    expect(woke.headers.get('etag')).not.toBe(etag);
  });

  it('discovery lists the revocation endpoint', async () => {
    const doc = (await (await fetch(`${a.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(doc.revocation_endpoint).toBe(`${SHARED_ISSUER}/oauth2/revoke`);
    expect(doc.revocation_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post']);
  });
});
