// What the OAuth side of Keymint exposes besides the token endpoint: discovery at both
// well-known paths, the JWKS (public members only, cacheable), nothing else of
// oidc-provider, helmet headers everywhere and no CORS at the token endpoint.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';
import { asBasic, postToken, raw, type RawResponse } from './helpers/token-requests.js';

let s: TestServer;
let key: Bootstrapped;

beforeAll(async () => {
  s = await startTestServer({ TOKEN_SCOPES: 'read write' });
  key = await s.bootstrap();
});
afterAll(() => s?.close());

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('discovery', () => {
  it('serves RFC 8414 metadata only: no OpenID Connect document, which could not be valid without ID tokens (#15)', async () => {
    const oauth = await raw(`${s.url}/.well-known/oauth-authorization-server`);
    expect(oauth.status).toBe(200);
    expect(oauth.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await raw(`${s.url}/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('lists only the signing algorithms of the published keys, and no response type', async () => {
    const doc = (await raw(`${s.url}/.well-known/oauth-authorization-server`)).json!;
    const algs = [...new Set(((await raw(`${s.url}/.well-known/jwks.json`)).json!.keys as Array<{ alg: string }>).map((k) => k.alg))];
    expect(doc.access_token_signing_alg_values_supported).toEqual(algs);
    expect(algs).toEqual([s.config.signingAlg]);
    expect(doc.response_types_supported).toEqual([]);
    // Since issue 14 clients sign assertions (private_key_jwt) and DPoP proofs: those algorithms are listed apart.
    expect([...(doc.token_endpoint_auth_signing_alg_values_supported as string[])].sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
    expect([...(doc.dpop_signing_alg_values_supported as string[])].sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
    for (const absent of ['id_token_signing_alg_values_supported', 'subject_types_supported']) {
      expect(doc, absent).not.toHaveProperty(absent);
    }
  });

  it('describes a client_credentials-only token endpoint', async () => {
    const doc = (await raw(`${s.url}/.well-known/oauth-authorization-server`)).json!;
    const issuer = s.config.issuer;
    expect(doc.issuer).toBe(issuer);
    expect(doc.token_endpoint).toBe(`${issuer}/oauth2/token`);
    expect(doc.jwks_uri).toBe(`${issuer}/.well-known/jwks.json`);
    expect(doc.grant_types_supported).toEqual(['client_credentials']);
    expect([...(doc.token_endpoint_auth_methods_supported as string[])].sort()).toEqual(['client_secret_basic', 'client_secret_post', 'private_key_jwt']);
    expect(doc.scopes_supported).toEqual(['read', 'write']);
    expect(doc.revocation_endpoint).toBe(`${issuer}/oauth2/revoke`); // RFC 7009 (issue 14)
    for (const absent of ['authorization_endpoint', 'userinfo_endpoint', 'registration_endpoint', 'end_session_endpoint',
      'device_authorization_endpoint']) {
      expect(doc, absent).not.toHaveProperty(absent);
    }
  });

  it('names endpoints that answer', async () => {
    const doc = (await raw(`${s.url}/.well-known/oauth-authorization-server`)).json!;
    expect((await raw(doc.jwks_uri as string)).status).toBe(200);
    expect((await postToken(new URL(doc.token_endpoint as string).origin, { basic: asBasic(key) })).status).toBe(200);
  });
});

describe('JWKS', () => {
  it('is cacheable and holds only public signing keys', async () => {
    const res = await raw(`${s.url}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(Number(/max-age=(\d+)/.exec(res.headers.get('cache-control')!)![1])).toBeGreaterThan(0);
    const keys = res.json!.keys as Array<Record<string, unknown>>;
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      for (const member of PRIVATE_MEMBERS) expect(k, `${k.kid} ${member}`).not.toHaveProperty(member);
      expect(k.use).toBe('sig');
      expect(k.kid).toEqual(expect.any(String));
      expect(k.alg).toBe('ES256');
      expect(k.kty).toBe('EC');
    }
    expect(new Set(keys.map((k) => k.kid)).size).toBe(keys.length);
  });
});

describe('nothing else of oidc-provider', () => {
  const paths = ['/auth', '/authorize', '/me', '/userinfo', '/reg', '/session/end', '/token/introspection',
    '/token/revocation', '/jwks', '/request', '/device/auth', '/token', '/oauth2/token/introspection', '/session/end/confirm',
    '/backchannel', '/challenge', '/credential'];

  for (const path of paths) {
    it(`${path} → 404 JSON`, async () => {
      for (const method of ['GET', 'POST']) {
        const res = await raw(`${s.url}${path}`, {
          method,
          headers: { authorization: s.basic(...asBasic(key)), ...(method === 'POST' && { 'content-type': 'application/x-www-form-urlencoded' }) },
          ...(method === 'POST' && { body: 'grant_type=client_credentials&token=x&client_id=x' }),
        });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(res.json?.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
      }
    });
  }
});

describe('response headers', () => {
  const expectHelmet = (res: RawResponse, what: string) => {
    expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
    expect(res.headers.get('content-security-policy'), what).toContain("default-src 'none'");
    expect(res.headers.get('x-frame-options'), what).toBe('DENY');
    expect(res.headers.get('referrer-policy'), what).toBe('no-referrer');
    expect(res.headers.get('strict-transport-security'), what).toMatch(/^max-age=\d+/);
    expect(res.headers.get('cross-origin-resource-policy'), what).toBe('same-origin');
    expect(res.headers.get('x-powered-by'), what).toBeNull();
    // helmet's headers for HTML documents are left off JSON (src/http/security-headers.ts)
    for (const pageOnly of ['cross-origin-opener-policy', 'origin-agent-cluster', 'x-dns-prefetch-control', 'x-download-options', 'x-permitted-cross-domain-policies', 'x-xss-protection']) {
      expect(res.headers.get(pageOnly), `${what}: ${pageOnly}`).toBeNull();
    }
  };

  it('carries helmet headers on token, discovery, JWKS and error responses', async () => {
    const responses: Array<[string, RawResponse]> = [
      ['token', await postToken(s.url, { basic: asBasic(key) })],
      ['invalid_client', await postToken(s.url, { basic: [randomUUID(), 'x'] })],
      ['invalid_request', await postToken(s.url, { body: 'grant_type=client_credentials' })],
      ['405', await raw(`${s.url}/oauth2/token`)],
      ['oauth discovery', await raw(`${s.url}/.well-known/oauth-authorization-server`)],
      ['jwks', await raw(`${s.url}/.well-known/jwks.json`)],
      ['404', await raw(`${s.url}/userinfo`)],
    ];
    for (const [what, res] of responses) expectHelmet(res, what);
  });

  it('sends no CORS headers from the token endpoint, even to a browser origin', async () => {
    const origin = { origin: 'https://app.example.com' };
    const responses = [
      await postToken(s.url, { basic: asBasic(key), headers: origin }),
      await postToken(s.url, { basic: [randomUUID(), 'x'], headers: origin }),
      await postToken(s.url, { body: 'grant_type=password', headers: origin }),
      await raw(`${s.url}/oauth2/token`, {
        method: 'OPTIONS',
        headers: { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      }),
    ];
    expect(responses[0].status).toBe(200);
    for (const res of responses) {
      const cors = [...res.headers.keys()].filter((h) => h.startsWith('access-control-'));
      expect(cors, `status ${res.status}`).toEqual([]);
    }
  });
});
