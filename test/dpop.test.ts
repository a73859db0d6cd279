// DPoP (RFC 9449) end to end: DPoP-bound tokens from the token endpoint with oauth4webapi
// and openid-client (token_type DPoP, cnf.jkt), a key that requires DPoP (v1 tokenSettings,
// in force on the other instance within a second), DPoP proof jtis refused twice across
// instances, and a real resource API using keymint/verify that refuses a stolen bound token:
// sent as Bearer, with a proof of another key, a replayed proof, a proof for another
// request or token, or a stale one.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomUUID } from 'node:crypto';
import express from 'express';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, requireAccessToken } from '../src/verify/index.js';
import { cluster, SHARED_ISSUER, type Cluster } from './helpers/cluster.js';
import { createResponseValidator, type ResponseValidator } from './helpers/openapi-validator.js';
import { recordToken, type Bootstrapped, type TestServer } from './helpers/server.js';

let c: Cluster;
let a: TestServer;
let b: TestServer;
let key: Bootstrapped;
let doc: ResponseValidator;
let api: Server;
let apiUrl: string;
let pair: CryptoKeyPair;

const basicOf = (s: TestServer) => s.basic(key.accessKey.accessKeyId, key.secret);

async function proof(keys: { privateKey: CryptoKey; publicKey: CryptoKey }, htm: string, htu: string, extra: Record<string, unknown> = {}) {
  return new SignJWT({ jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000), ...extra })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(keys.publicKey) })
    .sign(keys.privateKey);
}

async function token(s: TestServer, dpop?: string) {
  const res = await fetch(`${s.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basicOf(s), 'content-type': 'application/x-www-form-urlencoded', ...(dpop ? { dpop } : {}) },
    body: 'grant_type=client_credentials',
  });
  const body = (await res.json()) as Record<string, string>;
  if (body.access_token) recordToken(body.access_token);
  return { status: res.status, body };
}

const TOKEN_URL = `${SHARED_ISSUER}/oauth2/token`;

async function settings(s: TestServer, method: 'GET' | 'PATCH', body?: unknown) {
  const res = await fetch(`${s.url}/v1/projects/${key.projectId}/accessKeys/${key.accessKey.accessKeyId}/tokenSettings`, {
    method,
    headers: { authorization: basicOf(s), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const out = { status: res.status, body: (await res.json()) as Record<string, unknown> };
  doc.assertValid(method, '/v1/projects/{projectId}/accessKeys/{accessKeyId}/tokenSettings', out.status, out.body);
  return out;
}

beforeAll(async () => {
  c = await cluster();
  a = await c.start();
  b = await c.start();
  key = await a.bootstrap();
  doc = createResponseValidator(await (await fetch(`${a.url}/v1/openapi.json`)).json());
  pair = await generateKeyPair('ES256', { extractable: true });
  // The resource API: keymint/verify behind express, over real HTTP. The cluster's issuer is
  // no address the instances listen on: the verifier's fetch goes to instance a instead.
  const verifier = createVerifier({
    issuer: SHARED_ISSUER,
    audience: SHARED_ISSUER,
    fetch: (url, init) => fetch(String(url).replace(SHARED_ISSUER, a.url), init),
  });
  const app = express();
  app.get('/things', requireAccessToken(verifier, { publicOrigin: 'https://api.example.com' }), (_req, res) => res.json({ ok: true, jkt: res.locals.accessToken?.jkt }));
  api = app.listen(0, '127.0.0.1');
  await new Promise((r) => api.once('listening', r));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  api?.close();
  await c?.close();
});

describe("Keymint's own management API", () => {
  it('refuses a DPoP-bound token sent as a Bearer token (RFC 9449 §7.1: a copied bound token is useless), accepts a plain one', async () => {
    const bound = await token(a, await proof(pair, 'POST', TOKEN_URL));
    expect(bound.status).toBe(200);
    expect(decodeJwt(bound.body.access_token).cnf).toHaveProperty('jkt');
    const plain = await token(a);
    const list = (t: string, s: TestServer) => fetch(`${s.url}/v1/projects/${key.projectId}/accessKeys`, { headers: { authorization: `Bearer ${t}` } });
    for (const s of [a, b]) {
      expect((await list(bound.body.access_token, s)).status).toBe(401);
      expect((await list(plain.body.access_token, s)).status).toBe(200);
    }
    const consoleList = await fetch(`${a.url}/api/projects/${key.projectId}/credentials`, { headers: { authorization: `Bearer ${bound.body.access_token}` } });
    expect(consoleList.status).toBe(401);
  });
});

describe('DPoP at the token endpoint', () => {
  it('oauth4webapi gets a DPoP-bound token: token_type DPoP, cnf.jkt the key thumbprint', async () => {
    const as: oauth.AuthorizationServer = { issuer: SHARED_ISSUER, token_endpoint: `${a.url}/oauth2/token` };
    const cl: oauth.Client = { client_id: key.accessKey.accessKeyId };
    const DPoP = oauth.DPoP(cl, pair);
    // oauth4webapi signs htu = the token_endpoint it calls; Keymint checks htu against its issuer's URL.
    const res = await oauth.clientCredentialsGrantRequest({ ...as, token_endpoint: TOKEN_URL }, cl, oauth.ClientSecretBasic(key.secret), {}, {
      DPoP,
      [oauth.allowInsecureRequests]: true,
      [oauth.customFetch]: (url, init) => fetch(String(url).replace(SHARED_ISSUER, a.url), init as RequestInit),
    });
    const tokens = await oauth.processClientCredentialsResponse(as, cl, res);
    recordToken(tokens.access_token);
    expect(tokens.token_type).toBe('dpop');
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: await calculateJwkThumbprint(await exportJWK(pair.publicKey)) });
  });

  it('openid-client gets a DPoP-bound token with getDPoPHandle', async () => {
    const config = new client.Configuration({ issuer: SHARED_ISSUER, token_endpoint: TOKEN_URL }, key.accessKey.accessKeyId, undefined, client.ClientSecretBasic(key.secret));
    client.allowInsecureRequests(config);
    config[client.customFetch] = (url, init) => fetch(String(url).replace(SHARED_ISSUER, b.url), init as RequestInit);
    const tokens = await client.clientCredentialsGrant(config, {}, { DPoP: client.getDPoPHandle(config, pair) });
    recordToken(tokens.access_token);
    expect(tokens.token_type).toBe('dpop');
    expect(decodeJwt(tokens.access_token).cnf).toHaveProperty('jkt');
  });

  it('refuses a DPoP proof (same jti) a second time, on the other instance', async () => {
    const once = await proof(pair, 'POST', TOKEN_URL);
    expect((await token(a, once)).status).toBe(200);
    const replay = await token(b, once);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: 'invalid_dpop_proof', error_description: expect.stringMatching(/used before/) });
  });

  it('refuses a proof for another URL or method', async () => {
    expect((await token(a, await proof(pair, 'POST', 'https://elsewhere.example/oauth2/token'))).body.error).toBe('invalid_dpop_proof');
    expect((await token(a, await proof(pair, 'GET', TOKEN_URL))).body.error).toBe('invalid_dpop_proof');
  });

  it('a key that requires DPoP is refused without a proof, on every instance within a second, and the change is audited', async () => {
    expect((await settings(a, 'GET')).body).toEqual({ dpopRequired: false, jwksUri: null });
    for (let i = 0; i < 3; i++) expect((await token(b)).status).toBe(200); // warm on b, its client built and kept
    expect((await settings(a, 'PATCH', { dpopRequired: true })).body).toEqual({ dpopRequired: true, jwksUri: null });
    const deadline = Date.now() + 1_000;
    let refused = await token(b);
    while (refused.status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      refused = await token(b);
    }
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/requires DPoP/) });
    // And stays refused once the key is warm again: no client built before the change is reused.
    for (let i = 0; i < 3; i++) expect((await token(b)).status).toBe(400);
    const bound = await token(b, await proof(pair, 'POST', TOKEN_URL));
    expect(bound.status).toBe(200);
    expect(bound.body.token_type).toBe('DPoP');
    const { rows } = await a.sql.query("SELECT details FROM audit_events WHERE action = 'credential.token_settings_change' AND credential_label = $1", [key.accessKey.displayName]);
    expect(rows.map((r) => r.details)).toEqual([{ dpopRequired: true, jwksUri: null }]);
    expect((await settings(a, 'PATCH', { dpopRequired: false })).body).toEqual({ dpopRequired: false, jwksUri: null });
    expect((await settings(a, 'PATCH', { dpopRequired: 'yes' })).status).toBe(400);
  });
});

describe('keymint/verify at a resource API', () => {
  let bound: string;
  const URL_ = 'https://api.example.com/things';
  const ath = (t: string) => createHash('sha256').update(t).digest('base64url');
  const call = (authorization: string, dpop?: string, path = '/things') =>
    fetch(`${apiUrl}${path}`, { headers: { authorization, ...(dpop ? { dpop } : {}) } });

  beforeAll(async () => {
    bound = (await token(a, await proof(pair, 'POST', TOKEN_URL))).body.access_token;
  });

  it('accepts the bound token with a proof of its key for the request', async () => {
    const res = await call(`DPoP ${bound}`, await proof(pair, 'GET', URL_, { ath: ath(bound) }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { jkt: string }).jkt).toBe(await calculateJwkThumbprint(await exportJWK(pair.publicKey)));
  });

  it('accepts it from oauth4webapi protectedResourceRequest with DPoP', async () => {
    const DPoP = oauth.DPoP({}, pair);
    const res = await oauth.protectedResourceRequest(bound, 'GET', new URL(URL_), new Headers(), null, {
      DPoP,
      [oauth.customFetch]: (url, init) => fetch(String(url).replace('https://api.example.com', apiUrl), init as RequestInit),
    });
    expect(res.status).toBe(200);
  });

  it('refuses the stolen token sent as a plain Bearer token', async () => {
    const res = await call(`Bearer ${bound}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect(((await res.json()) as { error_description: string }).error_description).toMatch(/DPoP-bound/);
  });

  const attacks: Array<[string, () => Promise<[string, string | undefined, string?]>]> = [
    ['no proof', async () => [`DPoP ${bound}`, undefined]],
    ['a proof signed by the thief\'s own key', async () => [`DPoP ${bound}`, await proof(await generateKeyPair('ES256', { extractable: true }), 'GET', URL_, { ath: ath(bound) })]],
    ['a proof for another URL', async () => [`DPoP ${bound}`, await proof(pair, 'GET', 'https://api.example.com/other', { ath: ath(bound) })]],
    ['a proof for another method', async () => [`DPoP ${bound}`, await proof(pair, 'POST', URL_, { ath: ath(bound) })]],
    ['a proof without ath', async () => [`DPoP ${bound}`, await proof(pair, 'GET', URL_)]],
    ['a proof for another token', async () => [`DPoP ${bound}`, await proof(pair, 'GET', URL_, { ath: ath('another token') })]],
    ['a stale proof', async () => [`DPoP ${bound}`, await proof(pair, 'GET', URL_, { ath: ath(bound), iat: Math.floor(Date.now() / 1000) - 300 })]],
  ];
  for (const [what, make] of attacks) {
    it(`refuses the bound token with ${what} (401 invalid_dpop_proof, DPoP challenge)`, async () => {
      const [authorization, dpop] = await make();
      const res = await call(authorization, dpop);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_dpop_proof".*algs="ES256 EdDSA PS256 RS256"/);
    });
  }

  it('refuses a proof replayed (same jti)', async () => {
    const once = await proof(pair, 'GET', URL_, { ath: ath(bound) });
    expect((await call(`DPoP ${bound}`, once)).status).toBe(200);
    const again = await call(`DPoP ${bound}`, once);
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error_description: string }).error_description).toMatch(/used before/);
  });

  it('refuses an unbound token sent with the DPoP scheme, and takes it as Bearer', async () => {
    const plain = (await token(a)).body.access_token;
    expect((await call(`DPoP ${plain}`, await proof(pair, 'GET', URL_, { ath: ath(plain) }))).status).toBe(401);
    expect((await call(`Bearer ${plain}`)).status).toBe(200);
  });
});
