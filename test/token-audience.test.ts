// Issue #11 item 1, the attack: a token minted for another API (TOKEN_AUDIENCE, scope=read),
// or signed with Keymint's own key for some other audience, used as an admin credential on
// Keymint's management API (v1 and the console API's credential calls). Each is refused
// with 401 invalid_token (RFC 6750 §3.1) and changes nothing; a token asked for the
// management audience (resource=<issuer>, RFC 8707) still works.
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SealedBox } from '../src/crypto/sealed-box.js';
import { openPrivateJwk } from '../src/oauth/signing-key-material.js';
import { startTestServer, recordToken, type Bootstrapped, type TestServer } from './helpers/server.js';
import { basicHeader, raw, type RawResponse } from './helpers/token-requests.js';

const API = 'https://api.example.test';
let s: TestServer;
let key: Bootstrapped;
let apiToken: string;
let credentialId: string;

beforeAll(async () => {
  s = await startTestServer({ TOKEN_AUDIENCE: API, TOKEN_SCOPES: 'read write' });
  key = await s.bootstrap();
  apiToken = await s.token(key.accessKey.accessKeyId, key.secret, { scope: 'read' });
  // A credential to reveal and delete, made with the key's own secret (Basic).
  const made = await call('POST', `/api/projects/${key.projectId}/credentials`, basicHeader(key.accessKey.accessKeyId, key.secret), { kind: 'basic', label: 'target' });
  expect(made.status, made.text).toBe(201);
  credentialId = made.json!.credential.credentialId;
});
afterAll(() => s?.close());

function call(method: string, path: string, authorization: string, body?: unknown): Promise<RawResponse & { json: any }> {
  return raw(`${s.url}${path}`, {
    method,
    headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** A token signed with the server's active key, with the claims of a real one changed. */
async function forge(change: (c: JWTPayload) => JWTPayload): Promise<string> {
  const { kid, alg } = decodeProtectedHeader(apiToken);
  const { rows } = await s.sql.query('SELECT private_sealed FROM signing_keys WHERE kid = $1', [kid]);
  const jwk = openPrivateJwk(new SealedBox(Buffer.from(s.config.masterKey!, 'base64url')), kid!, rows[0].private_sealed);
  const forged = await new SignJWT(change(decodeJwt(apiToken))).setProtectedHeader({ alg: alg!, typ: 'at+jwt', kid }).sign(await importJWK(jwk, alg));
  recordToken(forged);
  return forged;
}

const counts = async () => (await s.sql.query('SELECT count(*)::int AS n FROM access_keys')).rows[0].n as number;

function expectInvalidToken(res: RawResponse) {
  expect(res.status, res.text).toBe(401);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="keymint", error="invalid_token"/);
  expect(res.text).not.toMatch(/kmsk_|apiSecret/);
}

const attacks = () => {
  const p = key.projectId;
  return [
    ['POST /v1/projects/P/accessKeys', 'POST', `/v1/projects/${p}/accessKeys`, { displayName: 'planted' }],
    ['GET /v1/projects/P/accessKeys', 'GET', `/v1/projects/${p}/accessKeys`, undefined],
    ['console: create a legacy credential', 'POST', `/api/projects/${p}/credentials`, { kind: 'legacy', username: 'planted.user', password: 'Planted-Passw0rd-1' }],
    ['console: create an API key', 'POST', `/api/projects/${p}/credentials`, { kind: 'basic', label: 'planted' }],
    ['console: reveal an API key', 'POST', `/api/projects/${p}/credentials/${credentialId}/reveal`, undefined],
    ['console: delete credentials', 'POST', `/api/projects/${p}/credentials/delete`, { credentialIds: [credentialId] }],
  ] as const;
};

describe('a token minted for another API', () => {
  it('is what the token endpoint gives by default with TOKEN_AUDIENCE set', () => {
    expect(decodeJwt(apiToken)).toMatchObject({ aud: API, scope: 'read', client_id: key.accessKey.accessKeyId });
  });

  it('is refused with 401 invalid_token by v1 and the console API, and changes nothing', async () => {
    const before = await counts();
    for (const [name, method, path, body] of attacks()) {
      const res = await call(method, path, `Bearer ${apiToken}`, body);
      expectInvalidToken(res);
      expect(res.json?.error?.status, name).toBe('UNAUTHENTICATED');
    }
    expect(await counts()).toBe(before);
    const { rows } = await s.sql.query('SELECT count(*)::int AS n FROM access_keys WHERE credential_id = $1', [credentialId]);
    expect(rows[0].n).toBe(1);
  });

  it('is refused when signed with our own key for aud=https://some-other-api.example (or no aud)', async () => {
    const before = await counts();
    for (const change of [
      (c: JWTPayload) => ({ ...c, aud: 'https://some-other-api.example' }),
      (c: JWTPayload) => ({ ...c, aud: ['https://some-other-api.example'] }),
      ({ aud: _aud, ...c }: JWTPayload) => c,
    ]) {
      const forged = await forge(change);
      for (const [, method, path, body] of attacks()) expectInvalidToken(await call(method, path, `Bearer ${forged}`, body));
    }
    expect(await counts()).toBe(before);
    // The forgery itself is sound: the same token with the management audience is accepted.
    const control = await forge((c) => ({ ...c, aud: s.config.issuer }));
    expect((await call('GET', `/v1/projects/${key.projectId}/accessKeys`, `Bearer ${control}`)).status).toBe(200);
  });
});

describe('a token for the management API', () => {
  it('is asked for with resource=<issuer> (RFC 8707) and manages keys', async () => {
    const token = await s.token(key.accessKey.accessKeyId, key.secret, { resource: s.config.issuer });
    expect(decodeJwt(token).aud).toBe(s.config.issuer);
    const res = await call('POST', `/v1/projects/${key.projectId}/accessKeys`, `Bearer ${token}`, { displayName: 'by a management token' });
    expect(res.status, res.text).toBe(200);
    const listed = await call('GET', `/api/projects/${key.projectId}/credentials`, `Bearer ${token}`);
    expect(listed.status, listed.text).toBe(200);
  });

  it('is refused for a resource neither API serves', async () => {
    const res = await raw(`${s.url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: basicHeader(key.accessKey.accessKeyId, key.secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: 'https://some-other-api.example' }),
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'invalid_target' });
    expect(res.json!.error_description).toContain(API);
  });
});

describe('with the default configuration (no TOKEN_AUDIENCE)', () => {
  let d: TestServer;
  beforeAll(async () => {
    d = await startTestServer();
  });
  afterAll(() => d?.close());

  it('a token fetched with no resource names the issuer and works on the Access Keys API', async () => {
    const k = await d.bootstrap();
    const token = await d.token(k.accessKey.accessKeyId, k.secret);
    expect(decodeJwt(token).aud).toBe(d.config.issuer);
    const res = await raw(`${d.url}/v1/projects/${k.projectId}/accessKeys`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, res.text).toBe(200);
  });
});
