// POST /oauth2/introspect (RFC 7662): active with the token's claims for a live token of
// the caller's project; active:false for a deleted or expired key, an expired token, a
// wrong signature or issuer, another project's token, or garbage; invalid_client for bad
// caller credentials (one body for unknown, wrong and expired); invalid_request otherwise.
// A DPoP-bound token is reported with token_type DPoP and its cnf.jkt (RFC 9449 §6.2).
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, SignJWT, type JWTPayload } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SealedBox } from '../src/crypto/sealed-box.js';
import { openPrivateJwk } from '../src/oauth/signing-key-material.js';
import { ApiClient } from './helpers/api-client.js';
import { recordToken, startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';
import { basicHeader, FORM, otherLastChar, raw, until } from './helpers/token-requests.js';

let s: TestServer;
let other: TestServer; // another Keymint: its own database, signing keys and issuer
let api: ApiClient;
let a: Bootstrapped; // the caller's project
let o: Bootstrapped; // another project on the same server
let token: string;

beforeAll(async () => {
  [s, other] = await Promise.all([startTestServer({ TOKEN_SCOPES: 'read write' }), startTestServer()]);
  api = await ApiClient.create(s);
  [a, o] = [await s.bootstrap(), await s.bootstrap()];
  token = await s.token(a.accessKey.accessKeyId, a.secret, { scope: 'read write' });
});
afterAll(() => Promise.all([s?.close(), other?.close()]));

type Caller = [id: string, secret: string];
const me = (): Caller => [a.accessKey.accessKeyId, a.secret];

function introspect(body: string | Record<string, string>, basic: Caller | null = me(), headers: Record<string, string> = {}) {
  return raw(`${s.url}/oauth2/introspect`, {
    method: 'POST',
    headers: { 'content-type': FORM, ...(basic && { authorization: basicHeader(...basic) }), ...headers },
    body: typeof body === 'string' ? body : new URLSearchParams(body),
  });
}

async function active(t: string, caller: Caller = me()): Promise<boolean> {
  const res = await introspect({ token: t }, caller);
  expect(res.status, res.text).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(typeof res.json?.active).toBe('boolean');
  if (!res.json!.active) expect(res.json).toEqual({ active: false });
  return res.json!.active as boolean;
}

async function newKey(b: Bootstrapped = a) {
  const res = await api.create(b.projectId, basicHeader(b.accessKey.accessKeyId, b.secret), `introspected ${randomUUID()}`);
  const { accessKeyId } = res.body.accessKey;
  return { id: accessKeyId as string, secret: res.body.secret as string, token: await s.token(accessKeyId, res.body.secret) };
}

/** A token signed with the server's own signing key, with claims changed at will. */
async function forge(claims: (c: JWTPayload) => JWTPayload): Promise<string> {
  const { kid, alg } = decodeProtectedHeader(token);
  const { rows } = await s.sql.query('SELECT private_sealed FROM signing_keys WHERE kid = $1', [kid]);
  const jwk = openPrivateJwk(new SealedBox(Buffer.from(s.config.masterKey!, 'base64url')), kid!, rows[0].private_sealed);
  return new SignJWT(claims(decodeJwt(token))).setProtectedHeader({ alg: alg!, typ: 'at+jwt', kid }).sign(await importJWK(jwk, alg));
}
const now = () => Math.floor(Date.now() / 1000);

describe('an active token', () => {
  it("answers active:true with the token's claims, no-store", async () => {
    const res = await introspect({ token, token_type_hint: 'access_token' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const c = decodeJwt(token);
    expect(res.json).toEqual({
      active: true, client_id: a.accessKey.accessKeyId, sub: c.sub, scope: 'read write', exp: c.exp, iat: c.iat,
      iss: s.config.issuer, aud: c.aud, jti: c.jti, token_type: 'Bearer', project_id: a.projectId,
    });
    expect(c.sub).toBe(a.accessKey.accessKeyId);
  });

  it("accepts client_secret_post, and another key's token of the same project", async () => {
    const k = await newKey();
    const res = await introspect({ token: k.token, client_id: a.accessKey.accessKeyId, client_secret: a.secret }, null);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ active: true, client_id: k.id, project_id: a.projectId });
    expect(res.json).not.toHaveProperty('scope'); // none was requested, so the token has none
  });

  it('says a DPoP-bound token is one: token_type DPoP and its cnf.jkt (RFC 9449 §6.2), for a token oauth4webapi got with a proof', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jkt = await calculateJwkThumbprint(await exportJWK(pair.publicKey));
    const as: oauth.AuthorizationServer = { issuer: s.config.issuer, token_endpoint: `${s.url}/oauth2/token` };
    const cl: oauth.Client = { client_id: a.accessKey.accessKeyId };
    const got = await oauth.clientCredentialsGrantRequest(as, cl, oauth.ClientSecretBasic(a.secret), {}, {
      DPoP: oauth.DPoP(cl, pair),
      [oauth.allowInsecureRequests]: true,
    });
    const tokens = await oauth.processClientCredentialsResponse(as, cl, got);
    recordToken(tokens.access_token);
    expect(tokens.token_type).toBe('dpop');
    const c = decodeJwt(tokens.access_token);
    expect(c.cnf).toEqual({ jkt });
    const res = await introspect({ token: tokens.access_token });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({
      active: true, client_id: a.accessKey.accessKeyId, sub: c.sub, exp: c.exp, iat: c.iat,
      iss: s.config.issuer, aud: c.aud, jti: c.jti, token_type: 'DPoP', cnf: { jkt }, project_id: a.projectId,
    });
  });

  it('a token without cnf.jkt is a Bearer token (a cnf of another kind is not echoed)', async () => {
    const res = await introspect({ token: await forge((c) => ({ ...c, jti: randomUUID(), cnf: { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' } })) });
    expect(res.json).toMatchObject({ active: true, token_type: 'Bearer' });
    expect(res.json).not.toHaveProperty('cnf');
  });

  it('answers active:true for a forged token only when nothing is wrong with it (the control for the cases below)', async () => {
    expect(await active(await forge((c) => ({ ...c, jti: randomUUID() })))).toBe(true);
  });
});

describe('an inactive token', () => {
  it('whose key was deleted', async () => {
    const k = await newKey();
    expect(await active(k.token)).toBe(true);
    expect((await api.delete(a.projectId, k.id, basicHeader(...me()))).status).toBe(200);
    expect(await active(k.token)).toBe(false);
  });

  it('whose key has expired (its token has not)', async () => {
    const k = await newKey();
    expect(await active(k.token)).toBe(true);
    await s.sql.query("UPDATE access_keys SET expire_time = now() - interval '1 second' WHERE id = $1", [k.id]);
    await s.sql.query("SELECT pg_notify('keymint_changes', json_build_object('kind', 'access_key', 'id', $1::text)::text)", [k.id]);
    await until('the expired key to make its token inactive', async () => ((await active(k.token)) ? undefined : true));
    expect(decodeJwt(k.token).exp! > now()).toBe(true);
  });

  const cases: Array<[string, () => Promise<string> | string]> = [
    ['that has expired', () => forge((c) => ({ ...c, iat: now() - 7200, exp: now() - 3600 }))],
    ['with a tampered signature', () => `${token.slice(0, -6)}${token.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`],
    ['with a tampered payload', () => {
      const [h, , sig] = token.split('.');
      const payload = Buffer.from(JSON.stringify({ ...decodeJwt(token), project_id: o.projectId })).toString('base64url');
      return `${h}.${payload}.${sig}`;
    }],
    ['from another issuer, signed with our key', () => forge((c) => ({ ...c, iss: 'https://evil.example' }))],
    ['from another Keymint (its own signing key)', async () => {
      const b = await other.bootstrap();
      return other.token(b.accessKey.accessKeyId, b.secret);
    }],
    ['naming a key that does not exist', () => forge((c) => ({ ...c, client_id: randomUUID() }))],
    ['of another project', () => s.token(o.accessKey.accessKeyId, o.secret)],
    ['that is garbage', () => 'not-a-token'],
    ['that is three dots of garbage', () => 'a.b.c'],
    ['that is unsigned (alg none)', () => `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${token.split('.')[1]}.`],
    ['that is 10 000 characters long', () => 'x'.repeat(10_000)],
  ];
  it.each(cases)('%s', async (_name, make) => {
    expect(await active(await make())).toBe(false);
  });

  it("of another project, though that project's own key sees it as active", async () => {
    const theirs = await s.token(o.accessKey.accessKeyId, o.secret);
    expect(await active(theirs, [o.accessKey.accessKeyId, o.secret])).toBe(true);
    expect(await active(theirs)).toBe(false);
  });
});

describe('caller authentication', () => {
  it('refuses an unknown key, a wrong secret and an expired key with the same 401 invalid_client', async () => {
    const expired = await newKey();
    await s.sql.query("UPDATE access_keys SET expire_time = now() - interval '1 second' WHERE id = $1", [expired.id]);
    await s.sql.query("SELECT pg_notify('keymint_changes', json_build_object('kind', 'access_key', 'id', $1::text)::text)", [expired.id]);
    await until('the expired caller to be refused', async () => ((await introspect({ token }, [expired.id, expired.secret])).status === 401 ? true : undefined));
    const answers = await Promise.all([
      introspect({ token }, [randomUUID(), a.secret]),
      introspect({ token }, [a.accessKey.accessKeyId, otherLastChar(a.secret)]),
      introspect({ token }, [expired.id, expired.secret]),
      introspect({ token }, ['not-a-uuid', a.secret]),
      introspect({ token, client_id: a.accessKey.accessKeyId, client_secret: 'wrong' }, null),
    ]);
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('refuses a request without client authentication, or with a client_id and no secret', async () => {
    for (const res of [await introspect({ token }, null), await introspect({ token, client_id: a.accessKey.accessKeyId }, null)]) {
      expect(res.status).toBe(401);
      expect(res.json?.error).toBe('invalid_client');
    }
  });

  it('refuses Bearer authentication and two authentication methods at once as invalid_request', async () => {
    const bearer = await introspect({ token }, null, { authorization: `Bearer ${token}` });
    expect(bearer.status).toBe(400);
    expect(bearer.json?.error).toBe('invalid_request');
    const both = await introspect({ token, client_id: a.accessKey.accessKeyId, client_secret: a.secret });
    expect(both.status).toBe(400);
    expect(both.json?.error).toBe('invalid_request');
  });
});

describe('malformed requests', () => {
  it.each([
    ['no token', {}],
    ['an empty token', { token: '' }],
    ['the token twice', 'token=a&token=b'],
  ])('%s → 400 invalid_request', async (_name, body) => {
    const res = await introspect(body);
    expect(res.status).toBe(400);
    expect(res.json?.error).toBe('invalid_request');
    expect(res.json?.error_description).toEqual(expect.any(String));
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('a JSON body → 400 invalid_request', async () => {
    const res = await introspect(JSON.stringify({ token }), me(), { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'invalid_request' });
  });

  it('a body over 64 KiB → 413 invalid_request; GET → 405', async () => {
    const big = await introspect({ token: 'x'.repeat(70_000) });
    expect(big.status).toBe(413);
    expect(big.json?.error).toBe('invalid_request');
    const get = await raw(`${s.url}/oauth2/introspect`, { headers: { authorization: basicHeader(...me()) } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});

describe('discovery', () => {
  it('names the introspection endpoint and its client authentication methods, and it answers', async () => {
    const doc = (await raw(`${s.url}/.well-known/oauth-authorization-server`)).json!;
    expect(doc.introspection_endpoint).toBe(`${s.config.issuer}/oauth2/introspect`);
    expect(doc.introspection_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post']);
    expect((await introspect({ token })).json?.active).toBe(true);
  });
});
