// Issue #15, "Protocol conformance": the token endpoint's answers as RFC 6749 §5.1/§5.2 and
// RFC 9110 §15.5.2 want them, checked raw and with a third-party client (openid-client).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { signHmacRequest } from '../src/auth/hmac-signature.js';
import { startTestServer, recordSecret, recordToken, type Bootstrapped, type TestServer } from './helpers/server.js';
import { basicHeader, FORM, postToken, raw } from './helpers/token-requests.js';

let s: TestServer;
let key: Bootstrapped;
let hmac: { apiKey: string; apiSecret: string };

beforeAll(async () => {
  s = await startTestServer();
  key = await s.bootstrap();
  const made = await raw(`${s.url}/api/projects/${key.projectId}/credentials`, {
    method: 'POST',
    headers: { authorization: basicHeader(key.accessKey.accessKeyId, key.secret), 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'hmac', label: 'conformance' }),
  });
  hmac = made.json as unknown as typeof hmac;
  recordSecret(hmac.apiSecret);
});
afterAll(() => s?.close());

const grant = 'grant_type=client_credentials';
const signed = (secret: string) => ({
  ...signHmacRequest({ username: hmac.apiKey, secret, algorithm: 'hmac-sha256', method: 'POST', path: '/oauth2/token', body: grant, date: new Date() }),
  'content-type': FORM,
});

const discover = (auth: client.ClientAuth) =>
  client.discovery(new URL(s.config.issuer), key.accessKey.accessKeyId, undefined, auth, { execute: [client.allowInsecureRequests], algorithm: 'oauth2' });

describe('RFC 6749 §5.1: Cache-Control: no-store and Pragma: no-cache', () => {
  it('on every token response: Basic, client_secret_post, HMAC, and refusals', async () => {
    const answers = [
      await postToken(s.url, { basic: [key.accessKey.accessKeyId, key.secret] }),
      await postToken(s.url, { body: { grant_type: 'client_credentials', client_id: key.accessKey.accessKeyId, client_secret: key.secret } }),
      await raw(`${s.url}/oauth2/token`, { method: 'POST', headers: signed(hmac.apiSecret), body: grant }),
      await postToken(s.url, { basic: [key.accessKey.accessKeyId, 'wrong'] }),
      await raw(`${s.url}/oauth2/token`, { method: 'POST', headers: signed('wrong'), body: grant }),
    ];
    for (const res of answers) {
      if (typeof res.json?.access_token === 'string') recordToken(res.json.access_token);
      expect(res.headers.get('cache-control'), res.text).toBe('no-store');
      expect(res.headers.get('pragma'), res.text).toBe('no-cache');
    }
    expect(answers.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
  });
});

describe('RFC 6749 §5.2: invalid_client', () => {
  it('answers a request with no client authentication 401 invalid_client with a Basic challenge', async () => {
    const res = await postToken(s.url, { body: grant });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/client authentication is required/) });
    expect(res.headers.get('www-authenticate')).toBe(`Basic realm="${s.config.issuer}"`);
    // A client_id without a secret is no authentication either.
    const idOnly = await postToken(s.url, { body: { grant_type: 'client_credentials', client_id: key.accessKey.accessKeyId } });
    expect(idOnly.json?.error).toBe('invalid_client');
  });

  it('challenges a wrong secret sent by client_secret_post (RFC 9110: no 401 without WWW-Authenticate)', async () => {
    const res = await postToken(s.url, { body: { grant_type: 'client_credentials', client_id: key.accessKey.accessKeyId, client_secret: 'wrong' } });
    expect(res.status).toBe(401);
    expect(res.json?.error).toBe('invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(new RegExp(`^Basic realm="${s.config.issuer}", error="invalid_client"`));
  });

  it('openid-client sees both as an invalid_client challenge', async () => {
    for (const auth of [client.ClientSecretPost('wrong'), client.None()]) {
      const err = (await client.clientCredentialsGrant(await discover(auth)).catch((e: unknown) => e)) as client.WWWAuthenticateChallengeError;
      expect(err).toBeInstanceOf(client.WWWAuthenticateChallengeError);
      expect(err.status).toBe(401);
      expect(err.cause[0]).toMatchObject({ scheme: 'basic', parameters: { realm: s.config.issuer } });
    }
    const ok = await client.clientCredentialsGrant(await discover(client.ClientSecretPost(key.secret)));
    recordToken(ok.access_token);
  });

  it('challenges a failed HMAC-signed request with the hmac scheme, not Basic', async () => {
    const res = await raw(`${s.url}/oauth2/token`, { method: 'POST', headers: signed('wrong'), body: grant });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^hmac realm="[^"]+", error="invalid_client"/);
    const v1 = await raw(`${s.url}/v1/projects/${key.projectId}/accessKeys`, {
      headers: signHmacRequest({ username: hmac.apiKey, secret: 'wrong', algorithm: 'hmac-sha256', method: 'GET', path: `/v1/projects/${key.projectId}/accessKeys`, date: new Date() }),
    });
    expect(v1.status).toBe(401);
    expect(v1.headers.get('www-authenticate')).toBe('hmac realm="keymint"');
  });
});

describe('discovery', () => {
  it('openid-client finds the server through RFC 8414; an OpenID Connect discovery finds none', async () => {
    const config = await discover(client.ClientSecretBasic(key.secret));
    expect(config.serverMetadata().token_endpoint).toBe(`${s.config.issuer}/oauth2/token`);
    const oidc = await client
      .discovery(new URL(s.config.issuer), key.accessKey.accessKeyId, key.secret, undefined, { execute: [client.allowInsecureRequests] })
      .catch((e: unknown) => e);
    expect(oidc).toBeInstanceOf(Error);
  });
});

// Sinch's published OpenAPI description of the Access Keys API: errors are google.rpc.Status
// ({code, message, status, details: []}, status a google.rpc.Code name), delete answers {}.
const GOOGLE_RPC_CODES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

describe('the Access Keys API as Sinch describes it', () => {
  const base = () => `${s.url}/v1/projects/${key.projectId}/accessKeys`;
  const auth = () => ({ authorization: basicHeader(key.accessKey.accessKeyId, key.secret) });

  it('answers every error with details: [] and a google.rpc.Code status, 413 and 415 included', async () => {
    const answers = [
      [400, await raw(base(), { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"displayName":""}' })],
      [401, await raw(base())],
      [404, await raw(`${base()}/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}`, { headers: auth() })],
      [413, await raw(base(), { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'x'.repeat(70_000) }) })],
      [415, await raw(base(), { method: 'POST', headers: { ...auth(), 'content-type': 'text/plain' }, body: '{"displayName":"x"}' })],
    ] as const;
    for (const [status, res] of answers) {
      expect(res.status, res.text).toBe(status);
      const error = (res.json as any).error;
      expect(Object.keys(error).sort()).toEqual(['code', 'details', 'message', 'status']);
      expect(error.details).toEqual([]);
      expect(error.code).toBe(status);
      expect(GOOGLE_RPC_CODES, `${status} ${error.status}`).toContain(error.status);
    }
    expect((answers[3][1].json as any).error.status).toBe('INVALID_ARGUMENT');
    expect((answers[4][1].json as any).error.status).toBe('INVALID_ARGUMENT');
  });

  it('answers a delete with {}', async () => {
    const made = await raw(base(), { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'to delete' }) });
    recordSecret((made.json as any).secret);
    const res = await raw(`${base()}/${(made.json as any).accessKey.accessKeyId}`, { method: 'DELETE', headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json).toEqual({});
  });
});
