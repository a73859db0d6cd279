// POST /oauth2/token, the success path: both client authentication methods, the RFC 9068
// header and claims, TTL, audience, scopes and resource indicators, and the signature
// checked against the published JWKS for every supported SIGNING_ALG.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';
import { asBasic, issue, jwksKids, postToken } from './helpers/token-requests.js';

const AUDIENCE = 'https://api.example.com';

let plain: TestServer; // all defaults: ES256, TTL 3600, audience = issuer, no scopes
let custom: TestServer; // TTL 120, an explicit audience, scopes "read write"
let plainKey: Bootstrapped;
let customKey: Bootstrapped;

beforeAll(async () => {
  [plain, custom] = await Promise.all([
    startTestServer(),
    startTestServer({ TOKEN_TTL_SECONDS: '120', TOKEN_AUDIENCE: AUDIENCE, TOKEN_SCOPES: 'read write' }),
  ]);
  [plainKey, customKey] = await Promise.all([plain.bootstrap(), custom.bootstrap()]);
});
afterAll(async () => {
  await Promise.all([plain?.close(), custom?.close()]);
});

describe('token response', () => {
  const methods = {
    client_secret_basic: (b: Bootstrapped) => ({ basic: asBasic(b) }),
    client_secret_post: (b: Bootstrapped) => ({
      body: { grant_type: 'client_credentials', client_id: b.accessKey.accessKeyId, client_secret: b.secret },
    }),
  };

  for (const [method, request] of Object.entries(methods)) {
    it(`issues a Bearer token with ${method}`, async () => {
      const { res, token } = await issue(custom.url, request(customKey));
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.json).toEqual({ access_token: token, token_type: 'Bearer', expires_in: 120 });
    });
  }

  it('uses the default TTL of 3600 seconds', async () => {
    const { res, claims } = await issue(plain.url, { basic: asBasic(plainKey) });
    expect(res.json?.expires_in).toBe(3600);
    expect(claims.exp! - claims.iat!).toBe(3600);
  });
});

describe('access token (RFC 9068)', () => {
  it('has the at+jwt header with the ES256 default and a published kid', async () => {
    const { header } = await issue(plain.url, { basic: asBasic(plainKey) });
    expect(header.typ).toBe('at+jwt');
    expect(header.alg).toBe('ES256');
    expect(header.kid).toEqual(expect.any(String));
    expect(await jwksKids(plain.url)).toContain(header.kid);
  });

  it('carries iss, sub, client_id, aud, iat, exp, jti and project_id', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { claims } = await issue(custom.url, { basic: asBasic(customKey) });
    const keyId = customKey.accessKey.accessKeyId;
    expect(claims.iss).toBe(custom.config.issuer);
    expect(claims.sub).toBe(keyId);
    expect(claims.client_id).toBe(keyId);
    expect(claims.aud).toBe(AUDIENCE);
    expect(claims.project_id).toBe(customKey.projectId);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(claims.exp).toBe(claims.iat! + 120);
    expect(claims.jti).toEqual(expect.any(String));
    expect(claims).not.toHaveProperty('scope');
  });

  it('defaults aud to the issuer when TOKEN_AUDIENCE is unset', async () => {
    const { claims } = await issue(plain.url, { basic: asBasic(plainKey) });
    expect(claims.aud).toBe(plain.config.issuer);
    expect(claims.iss).toBe(plain.config.issuer);
  });

  it('gives every token its own jti', async () => {
    const a = await issue(plain.url, { basic: asBasic(plainKey) });
    const b = await issue(plain.url, { basic: asBasic(plainKey) });
    expect(a.claims.jti).not.toBe(b.claims.jti);
    expect(a.token).not.toBe(b.token);
  });
});

describe('scopes and resource indicators', () => {
  it('grants a requested scope in the token and the response', async () => {
    const { res, claims } = await issue(custom.url, { basic: asBasic(customKey), body: { grant_type: 'client_credentials', scope: 'read' } });
    expect(claims.scope).toBe('read');
    expect(res.json?.scope).toBe('read');
  });

  it('grants several scopes', async () => {
    const { claims } = await issue(custom.url, { basic: asBasic(customKey), body: { grant_type: 'client_credentials', scope: 'write read' } });
    expect(claims.scope?.toString().split(' ').sort()).toEqual(['read', 'write']);
  });

  it('accepts resource equal to the audience', async () => {
    const body = { grant_type: 'client_credentials', resource: AUDIENCE };
    const { claims } = await issue(custom.url, { basic: asBasic(customKey), body });
    expect(claims.aud).toBe(AUDIENCE);
  });

  // RFC 6749 §5.2 invalid_scope. Dropping the scope silently instead would hand out a
  // token whose response (no `scope`, RFC 6749 §5.1) claims the request was granted.
  for (const [name, server, key, scope] of [
    ['a scope from a server without scopes', () => plain, () => plainKey, 'read'],
    ['a scope outside TOKEN_SCOPES', () => custom, () => customKey, 'admin'],
    ['a mix of served and unserved scopes', () => custom, () => customKey, 'read admin'],
  ] as const) {
    it(`refuses ${name} with invalid_scope`, async () => {
      const res = await postToken(server().url, { basic: asBasic(key()), body: { grant_type: 'client_credentials', scope } });
      expect(res.status).toBe(400);
      expect(res.json?.error).toBe('invalid_scope');
      expect(res.json).not.toHaveProperty('access_token');
    });
  }
});

describe('signature', () => {
  it('verifies against the JWKS published at jwks_uri', async () => {
    const { token } = await issue(custom.url, { basic: asBasic(customKey) });
    const jwks = createRemoteJWKSet(new URL(`${custom.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: custom.config.issuer,
      audience: AUDIENCE,
      typ: 'at+jwt',
    });
    expect(payload.client_id).toBe(customKey.accessKey.accessKeyId);
    expect(protectedHeader.alg).toBe('ES256');
  });

  for (const alg of ['ES256', 'EdDSA', 'PS256', 'RS256'] as const) {
    it(`signs and verifies with SIGNING_ALG=${alg}`, async () => {
      const s = await startTestServer({ SIGNING_ALG: alg });
      try {
        const b = await s.bootstrap();
        const { token, header } = await issue(s.url, { basic: asBasic(b) });
        expect(header.alg).toBe(alg);
        const jwks = createRemoteJWKSet(new URL(`${s.url}/.well-known/jwks.json`));
        const { payload } = await jwtVerify(token, jwks, { issuer: s.config.issuer, audience: s.config.issuer, typ: 'at+jwt', algorithms: [alg] });
        expect(payload.project_id).toBe(b.projectId);
        const keys = ((await (await fetch(`${s.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ alg: string; kid: string }> }).keys;
        expect(keys.find((k) => k.kid === header.kid)?.alg).toBe(alg);
        // A flipped signature byte must not verify.
        const [h, p, sig] = token.split('.');
        const flipped = `${h}.${p}.${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
        await expect(jwtVerify(flipped, jwks, { issuer: s.config.issuer })).rejects.toThrow();
      } finally {
        await s.close();
      }
    });
  }
});
