// Issue 13, keymint/verify against a real Keymint: a resource API for the orders API accepts
// a token granted orders:read for it, answers 403 insufficient_scope (the scope named in the
// challenge, RFC 6750 §3.1) for a route needing orders:write, by middleware and by the
// function form; a resource API for another API refuses the same token (its aud), and a
// verifier without an audience cannot be built.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertScopes, createVerifier, hasScopes, InsufficientScopeError, requireAccessToken, requireScopes } from '../src/verify/index.js';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { recordSecret, recordToken, startTestServer, type TestServer } from './helpers/server.js';
import { basicHeader, postToken, raw } from './helpers/token-requests.js';

const ORDERS = 'https://orders.verify.test';
const BILLING = 'https://billing.verify.test';
let s: TestServer;
let acct: ConsoleAccount;
let ordersApi: { url: string; server: Server };
let billingApi: { url: string; server: Server };
let token: string;
let keyId: string;

async function resourceApi(audience: string) {
  const verifier = createVerifier({ issuer: s.config.issuer, audience });
  const app = express();
  const guard = requireAccessToken(verifier, { realm: 'orders' });
  app.get('/orders', guard, requireScopes('orders:read'), (_req, res) => {
    const t = res.locals.accessToken!;
    res.json({ clientId: t.clientId, accountId: t.accountId, scopes: t.scopes });
  });
  app.post('/orders', guard, requireScopes(['orders:write'], { realm: 'orders' }), (_req, res) => void res.json({ written: true }));
  // The function form, inside a handler.
  app.get('/orders/export', guard, (_req, res) => {
    const t = res.locals.accessToken!;
    try {
      assertScopes(t, 'orders:read', 'orders:export');
      res.json({ exported: true });
    } catch (err) {
      if (!(err instanceof InsufficientScopeError)) throw err;
      res.status(403).json({ error: 'insufficient_scope', needed: err.scopes, hasRead: hasScopes(t, 'orders:read') });
    }
  });
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

beforeAll(async () => {
  s = await startTestServer();
  acct = await consoleAccount(s);
  for (const [identifier, names] of [[ORDERS, ['orders:read', 'orders:write', 'orders:export']], [BILLING, ['invoices:read']]] as const) {
    const res = await acct.users.administrator.call('POST', '/apis', { identifier, displayName: identifier, scopes: names.map((name) => ({ name })) });
    expect(res.status, res.text).toBe(201);
  }
  const manager = await acct.users.administrator.call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'basic', label: 'manager' });
  recordSecret(manager.body.apiSecret);
  const made = await raw(`${s.url}/v1/projects/${acct.projectId}/accessKeys`, {
    method: 'POST',
    headers: { authorization: basicHeader(manager.body.apiKey, manager.body.apiSecret), 'content-type': 'application/json' },
    body: JSON.stringify({ displayName: 'orders reader', grants: [{ api: ORDERS, scopes: ['orders:read'] }] }),
  });
  expect(made.status, made.text).toBe(200);
  recordSecret(made.json!.secret as string);
  keyId = (made.json!.accessKey as { accessKeyId: string }).accessKeyId;
  const issued = await postToken(s.url, { basic: [keyId, made.json!.secret as string], body: { grant_type: 'client_credentials', resource: ORDERS, scope: 'orders:read' } });
  expect(issued.status, issued.text).toBe(200);
  token = issued.json!.access_token as string;
  recordToken(token);
  ordersApi = await resourceApi(ORDERS);
  billingApi = await resourceApi(BILLING);
});
afterAll(async () => {
  for (const api of [ordersApi, billingApi]) api?.server.close();
  await s?.close();
});

const call = (base: string, method: string, path: string) => fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

describe('keymint/verify with grants', () => {
  it('accepts the token for its API and scope, with the key\'s account', async () => {
    const res = await call(ordersApi.url, 'GET', '/orders');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ clientId: keyId, accountId: acct.accountId, scopes: ['orders:read'] });
  });

  it('answers 403 insufficient_scope naming the scope a route needs (middleware)', async () => {
    const res = await call(ordersApi.url, 'POST', '/orders');
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="orders", error="insufficient_scope", scope="orders:write"');
    expect((await res.json()).error).toBe('insufficient_scope');
  });

  it('the function form names every scope required', async () => {
    const res = await call(ordersApi.url, 'GET', '/orders/export');
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'insufficient_scope', needed: ['orders:read', 'orders:export'], hasRead: true });
  });

  it('a resource API for another API refuses the token (401 invalid_token)', async () => {
    const res = await call(billingApi.url, 'GET', '/orders');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="orders", error="invalid_token"/);
  });

  it('cannot be built without an audience, and requireScopes without a scope', () => {
    for (const audience of [undefined, '', [], ['']]) {
      expect(() => createVerifier({ issuer: s.config.issuer, audience } as never), JSON.stringify(audience)).toThrow(/needs audience/);
    }
    expect(() => requireScopes()).toThrow(TypeError);
    expect(() => requireScopes('two words')).toThrow(TypeError);
  });
});
