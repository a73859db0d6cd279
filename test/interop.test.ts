// Interoperability with third-party libraries: tokens obtained with openid-client (both
// client authentication methods, both discovery algorithms), accepted by Auth0's
// express-oauth2-jwt-bearer in strict mode (RFC 9068) and by Keymint's own keymint/verify.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth } from 'express-oauth2-jwt-bearer';
import * as client from 'openid-client';
import { createVerifier, requireAccessToken } from '../src/verify/index.js';
import { startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';

const AUDIENCE = 'https://api.example.com';

let s: TestServer;
let key: Bootstrapped;
let issuer: string;

beforeAll(async () => {
  s = await startTestServer({ TOKEN_AUDIENCE: AUDIENCE, TOKEN_SCOPES: 'read write' });
  key = await s.bootstrap();
  issuer = s.config.issuer;
});
afterAll(() => s?.close());

function discover(clientAuth: client.ClientAuth, algorithm: 'oidc' | 'oauth2' = 'oauth2') {
  return client.discovery(new URL(issuer), key.accessKey.accessKeyId, undefined, clientAuth, {
    execute: [client.allowInsecureRequests], // the test issuer is http://127.0.0.1
    algorithm,
  });
}

describe('openid-client', () => {
  const methods: Array<[string, () => client.ClientAuth]> = [
    ['ClientSecretBasic', () => client.ClientSecretBasic(key.secret)],
    ['ClientSecretPost', () => client.ClientSecretPost(key.secret)],
  ];

  for (const [name, clientAuth] of methods) {
    it(`gets a token with clientCredentialsGrant and ${name}`, async () => {
      const config = await discover(clientAuth());
      expect(config.serverMetadata().token_endpoint).toBe(`${issuer}/oauth2/token`);
      const tokens = await client.clientCredentialsGrant(config, { scope: 'read' });
      expect(tokens.token_type).toBe('bearer'); // openid-client normalises the case
      expect(tokens.expires_in).toBe(3600);
      expect(tokens.scope).toBe('read');
      expect(tokens.access_token.split('.')).toHaveLength(3);
    });
  }

  it('discovers through RFC 8414 oauth-authorization-server too', async () => {
    const config = await discover(client.ClientSecretBasic(key.secret), 'oauth2');
    const tokens = await client.clientCredentialsGrant(config);
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  it('surfaces a wrong secret as an invalid_client Basic challenge', async () => {
    const config = await discover(client.ClientSecretBasic('wrong-secret'));
    const err = await client.clientCredentialsGrant(config).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(client.WWWAuthenticateChallengeError);
    const challenge = err as client.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(challenge.cause[0]).toMatchObject({ scheme: 'basic', parameters: { error: 'invalid_client' } });
  });

  it('surfaces a wrong secret sent with ClientSecretPost as an invalid_client challenge (RFC 9110: a 401 has WWW-Authenticate)', async () => {
    const config = await discover(client.ClientSecretPost('wrong-secret'));
    const err = await client.clientCredentialsGrant(config).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(client.WWWAuthenticateChallengeError);
    expect((err as client.WWWAuthenticateChallengeError).cause[0].parameters.error).toBe('invalid_client');
    expect((err as client.WWWAuthenticateChallengeError).status).toBe(401);
  });
});

/** An express resource API on port 0 guarded by `guard`, answering 200 with what it saw. */
async function resourceApi(guard: RequestHandler, locals: (res: express.Response, req: express.Request) => unknown) {
  const app = express();
  app.get('/things', guard, (req, res) => {
    res.json({ ok: true, seen: locals(res, req) });
  });
  const server: Server = await new Promise((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/things`;
  const call = (authorization?: string) => fetch(url, { headers: authorization ? { authorization } : {} });
  const close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return { call, close };
}

function tamper(token: string): string[] {
  const [h, p, sig] = token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, project_id: 'someone-else' })).toString('base64url');
  const flipped = `${sig.slice(0, 5)}${sig[5] === 'A' ? 'B' : 'A'}${sig.slice(6)}`;
  return [`${h}.${forged}.${sig}`, `${h}.${p}.${flipped}`, `${h}.${p}.`];
}

async function tokenFromOpenIdClient(): Promise<string> {
  const config = await discover(client.ClientSecretBasic(key.secret));
  return (await client.clientCredentialsGrant(config, { scope: 'read write' })).access_token;
}

const validators: Array<[string, () => RequestHandler, (res: express.Response, req: express.Request) => unknown]> = [
  [
    'express-oauth2-jwt-bearer (strict, issuerBaseURL discovery)',
    () => auth({ issuerBaseURL: issuer, audience: AUDIENCE, strict: true }),
    (_res, req) => req.auth?.payload.client_id,
  ],
  [
    'express-oauth2-jwt-bearer (strict, issuer + jwksUri)',
    () => auth({ issuer, jwksUri: `${issuer}/.well-known/jwks.json`, audience: AUDIENCE, strict: true }),
    (_res, req) => req.auth?.payload.client_id,
  ],
  [
    'keymint/verify requireAccessToken',
    () => requireAccessToken(createVerifier({ issuer, audience: AUDIENCE }), { scopes: ['read'] }),
    (res) => res.locals.accessToken?.clientId,
  ],
];

describe('resource-server validators', () => {
  for (const [name, guard, seen] of validators) {
    describe(name, () => {
      let api: Awaited<ReturnType<typeof resourceApi>>;
      beforeAll(async () => {
        api = await resourceApi(guard(), seen);
      });
      afterAll(() => api?.close());

      it('accepts a token from openid-client', async () => {
        const res = await api.call(`Bearer ${await tokenFromOpenIdClient()}`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ ok: true, seen: key.accessKey.accessKeyId });
      });

      it('answers 401 with a Bearer challenge without a token', async () => {
        const res = await api.call();
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      });

      it('answers 401 to tampered tokens', async () => {
        for (const bad of tamper(await tokenFromOpenIdClient())) {
          const res = await api.call(`Bearer ${bad}`);
          expect(res.status).toBe(401);
          expect(res.headers.get('www-authenticate')).toContain('invalid_token');
        }
      });

      it('answers 401 to a token for another audience', async () => {
        const other = await startTestServer({ TOKEN_AUDIENCE: 'https://other.example.com' });
        try {
          const b = await other.bootstrap();
          const res = await api.call(`Bearer ${await other.token(b.accessKey.accessKeyId, b.secret)}`);
          expect(res.status).toBe(401);
        } finally {
          await other.close();
        }
      });
    });
  }

  it('keymint/verify reports the token as Keymint sees it', async () => {
    const verifier = createVerifier({ issuer, audience: AUDIENCE });
    const verified = await verifier.verify(await tokenFromOpenIdClient(), { scopes: ['read', 'write'] });
    expect(verified).toMatchObject({
      clientId: key.accessKey.accessKeyId,
      subject: key.accessKey.accessKeyId,
      projectId: key.projectId,
      scopes: ['read', 'write'],
    });
    expect(verified.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });
});
