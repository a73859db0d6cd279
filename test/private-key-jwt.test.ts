// private_key_jwt (RFC 7523) end to end: public keys uploaded through the v1 extension
// (documented, responses validated against the served OpenAPI), tokens obtained with
// openid-client and oauth4webapi signing client assertions, the claims Keymint insists on,
// uploads it refuses, and a jti refused on every instance once used on one.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cluster, type Cluster } from './helpers/cluster.js';
import { createResponseValidator, type ResponseValidator } from './helpers/openapi-validator.js';
import { recordToken, type Bootstrapped, type TestServer } from './helpers/server.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let c: Cluster;
let a: TestServer;
let b: TestServer;
let key: Bootstrapped;
let doc: ResponseValidator;
let es256: { privateKey: CryptoKey; jwk: JWK };

async function v1(s: TestServer, method: string, path: string, body?: unknown, as = key) {
  const res = await fetch(`${s.url}/v1/projects/${as.projectId}/accessKeys/${as.accessKey.accessKeyId}${path}`, {
    method,
    headers: { authorization: s.basic(as.accessKey.accessKeyId, as.secret), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function assertion(privateKey: CryptoKey, claims: Record<string, unknown> = {}, alg = 'ES256', kid?: string) {
  const id = key.accessKey.accessKeyId;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
    .setIssuer((claims.iss as string) ?? id)
    .setSubject((claims.sub as string) ?? id)
    .setAudience((claims.aud as string) ?? `${a.config.issuer}/oauth2/token`)
    .setIssuedAt(now)
    .setExpirationTime((claims.exp as number) ?? now + 60)
    .sign(privateKey);
}

async function tokenWith(s: TestServer, clientAssertion: string, extra: Record<string, string> = {}) {
  const res = await fetch(`${s.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: clientAssertion, ...extra }),
  });
  const body = (await res.json()) as Record<string, string>;
  if (body.access_token) recordToken(body.access_token);
  return { status: res.status, body };
}

beforeAll(async () => {
  c = await cluster();
  a = await c.start();
  b = await c.start();
  key = await a.bootstrap();
  doc = createResponseValidator(await (await fetch(`${a.url}/v1/openapi.json`)).json());
  const pair = await generateKeyPair('ES256', { extractable: true });
  es256 = { privateKey: pair.privateKey, jwk: await exportJWK(pair.publicKey) };
}, 60_000);
afterAll(() => c?.close());

describe('public keys through the v1 API', () => {
  it('adds a public key, lists it and validates against the served OpenAPI', async () => {
    const added = await v1(a, 'POST', '/publicKeys', { jwk: { ...es256.jwk, kid: 'ec-1' } });
    doc.assertValid('post', '/v1/projects/{projectId}/accessKeys/{accessKeyId}/publicKeys', added.status, added.body);
    expect(added.status).toBe(200);
    expect(added.body.publicKeys).toHaveLength(1);
    expect(added.body.publicKeys[0]).toMatchObject({ kid: 'ec-1', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: es256.jwk.x, y: es256.jwk.y, use: 'sig' } });
    const listed = await v1(b, 'GET', '/publicKeys');
    doc.assertValid('get', '/v1/projects/{projectId}/accessKeys/{accessKeyId}/publicKeys', listed.status, listed.body);
    expect(listed.body.publicKeys.map((k: { kid: string }) => k.kid)).toEqual(['ec-1']);
    const again = await v1(a, 'POST', '/publicKeys', { jwk: es256.jwk });
    expect(again.status).toBe(409);
    doc.assertValid('post', '/v1/projects/{projectId}/accessKeys/{accessKeyId}/publicKeys', again.status, again.body);
  });

  it('records the addition in the audit log', async () => {
    const { rows } = await a.sql.query("SELECT details FROM audit_events WHERE action = 'credential.public_key_add' AND credential_label = $1", [key.accessKey.displayName]);
    expect(rows.map((r) => r.details.kid)).toContain('ec-1');
  });

  it('lists the method and the algorithms in discovery', async () => {
    const meta = (await (await fetch(`${a.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, string[]>;
    expect(meta.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect([...meta.token_endpoint_auth_signing_alg_values_supported].sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
  });
});

describe('uploads refused', () => {
  const refusals: Array<[string, () => Promise<unknown>, RegExp]> = [
    ['a private key', async () => ({ jwk: await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey) }), /private key material/],
    ['a symmetric key', async () => ({ jwk: { kty: 'oct', k: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0' } }), /symmetric keys/],
    ['another algorithm', async () => ({ jwk: { ...es256.jwk, alg: 'ES384' } }), /alg "ES384" is not accepted/],
    ['HS256', async () => ({ jwk: { ...es256.jwk, alg: 'HS256' } }), /alg "HS256" is not accepted/],
    ['a P-384 key', async () => ({ jwk: await exportJWK((await generateKeyPair('ES384', { extractable: true })).publicKey) }), /curve "P-384"/],
    ['a 1024-bit RSA key', async () => ({ jwk: { ...(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' })), alg: 'RS256' } }), /2048 to 8192 bits/],
    ['an RSA key without alg', async () => ({ jwk: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) }), /must name its alg/],
    ['a point off the curve', async () => ({ jwk: { ...es256.jwk, x: es256.jwk.y, y: es256.jwk.x } }), /not a valid ES256 public key/],
    ['six keys at once', async () => ({ jwks: { keys: await Promise.all(Array.from({ length: 6 }, async () => exportJWK((await generateKeyPair('EdDSA', { extractable: true })).publicKey))) } }), /at most 5/],
    ['an oversized set', async () => ({ jwks: { keys: [{ ...es256.jwk, kid: 'x'.repeat(9000) }] } }), /at most 8192 are accepted/],
    ['jwk and jwks together', async () => ({ jwk: es256.jwk, jwks: { keys: [es256.jwk] } }), /exactly one of jwk/],
  ];
  for (const [what, body, message] of refusals) {
    it(`refuses ${what} with a 400 naming the problem, and stores nothing`, async () => {
      const before = await a.sql.query('SELECT count(*)::int AS n FROM access_key_public_keys');
      const res = await v1(a, 'POST', '/publicKeys', await body());
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      doc.assertValid('post', '/v1/projects/{projectId}/accessKeys/{accessKeyId}/publicKeys', res.status, res.body);
      const after = await a.sql.query('SELECT count(*)::int AS n FROM access_key_public_keys');
      expect(after.rows[0].n).toBe(before.rows[0].n);
    });
  }

  it('refuses a sixth key over those held (412) and a key of another project (403)', async () => {
    const other = await a.bootstrap();
    const keys = await Promise.all(Array.from({ length: 5 }, async () => exportJWK((await generateKeyPair('EdDSA', { extractable: true })).publicKey)));
    expect((await v1(a, 'POST', '/publicKeys', { jwks: { keys } }, other)).status).toBe(200);
    const sixth = await v1(a, 'POST', '/publicKeys', { jwk: es256.jwk }, other);
    expect(sixth.status).toBe(412);
    expect(sixth.body.error.message).toMatch(/limit of 5/);
    const res = await fetch(`${a.url}/v1/projects/${key.projectId}/accessKeys/${key.accessKey.accessKeyId}/publicKeys`, {
      headers: { authorization: a.basic(other.accessKey.accessKeyId, other.secret) },
    });
    expect(res.status).toBe(403);
  });
});

describe('tokens with a client assertion', () => {
  it('openid-client gets a token with PrivateKeyJwt', async () => {
    // The cluster's issuer (shared by both instances) is no address they listen on: the metadata names instance a.
    const config = new client.Configuration({ issuer: a.config.issuer, token_endpoint: `${a.url}/oauth2/token` }, key.accessKey.accessKeyId, undefined,
      client.PrivateKeyJwt({ key: es256.privateKey, kid: 'ec-1' }));
    client.allowInsecureRequests(config);
    const tokens = await client.clientCredentialsGrant(config);
    recordToken(tokens.access_token);
    expect(tokens.token_type).toBe('bearer');
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: key.accessKey.accessKeyId, client_id: key.accessKey.accessKeyId, project_id: key.projectId });
  });

  it('oauth4webapi gets a token with PrivateKeyJwt', async () => {
    const as: oauth.AuthorizationServer = { issuer: a.config.issuer, token_endpoint: `${b.url}/oauth2/token` };
    const cl: oauth.Client = { client_id: key.accessKey.accessKeyId };
    const res = await oauth.clientCredentialsGrantRequest(as, cl, oauth.PrivateKeyJwt({ key: es256.privateKey, kid: 'ec-1' }), {}, { [oauth.allowInsecureRequests]: true });
    const tokens = await oauth.processClientCredentialsResponse(as, cl, res);
    recordToken(tokens.access_token);
    expect(tokens.token_type).toBe('bearer');
  });

  it('the secret keeps working beside the public key', async () => {
    expect(await a.token(key.accessKey.accessKeyId, key.secret)).toEqual(expect.any(String));
  });

  it('refuses the same assertion (jti) a second time, on the other instance', async () => {
    const once = await assertion(es256.privateKey);
    expect((await tokenWith(a, once)).status).toBe(200);
    const replay = await tokenWith(b, once);
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ error: 'invalid_client' });
    expect((await tokenWith(a, once)).status).toBe(401);
  });

  it('refuses concurrent copies of one assertion on two instances but once', async () => {
    const once = await assertion(es256.privateKey);
    const results = await Promise.all([tokenWith(a, once), tokenWith(b, once), tokenWith(a, once), tokenWith(b, once)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401, 401]);
  });

  const bad: Array<[string, () => Promise<string>]> = [
    ['exp more than 5 minutes ahead', () => assertion(es256.privateKey, { exp: Math.floor(Date.now() / 1000) + 600 })],
    ['an expired assertion', () => assertion(es256.privateKey, { exp: Math.floor(Date.now() / 1000) - 60 })],
    ['sub other than the Key ID', () => assertion(es256.privateKey, { sub: randomUUID() })],
    ['aud of another server', () => assertion(es256.privateKey, { aud: 'https://elsewhere.example/oauth2/token' })],
    ['a key the Key ID does not hold', async () => assertion((await generateKeyPair('ES256')).privateKey)],
    ['HS256 signed with the secret', () => new SignJWT({ jti: randomUUID() }).setProtectedHeader({ alg: 'HS256' }).setIssuer(key.accessKey.accessKeyId)
      .setSubject(key.accessKey.accessKeyId).setAudience(a.config.issuer).setExpirationTime('1m').sign(new TextEncoder().encode(key.secret))],
  ];
  for (const [what, make] of bad) {
    it(`refuses ${what} (401 invalid_client)`, async () => {
      const res = await tokenWith(a, await make());
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    });
  }

  it('refuses an assertion of a key without public keys', async () => {
    const plain = await a.bootstrap();
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ jti: randomUUID() }).setProtectedHeader({ alg: 'ES256' }).setIssuer(plain.accessKey.accessKeyId)
      .setSubject(plain.accessKey.accessKeyId).setAudience(a.config.issuer).setExpirationTime(now + 60).sign(es256.privateKey);
    const res = await tokenWith(a, jwt);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('a removed public key is refused on every instance within a second', async () => {
    const pair = await generateKeyPair('EdDSA', { extractable: true });
    const added = await v1(a, 'POST', '/publicKeys', { jwk: await exportJWK(pair.publicKey) });
    expect(added.status).toBe(200);
    expect((await tokenWith(b, await assertion(pair.privateKey, {}, 'EdDSA'))).status).toBe(200);
    const removed = await v1(a, 'DELETE', `/publicKeys/${added.body.publicKeys[0].publicKeyId}`);
    doc.assertValid('delete', '/v1/projects/{projectId}/accessKeys/{accessKeyId}/publicKeys/{publicKeyId}', removed.status, removed.body);
    expect(removed.status).toBe(200);
    const deadline = Date.now() + 1_000;
    let status = 200;
    while (Date.now() < deadline && status === 200) {
      status = (await tokenWith(b, await assertion(pair.privateKey, {}, 'EdDSA'))).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(401);
    expect((await v1(a, 'DELETE', `/publicKeys/${added.body.publicKeys[0].publicKeyId}`)).status).toBe(404);
  });
});

describe('token quotas', () => {
  it('hold for a key that authenticates with a client assertion', async () => {
    const limited = await a.bootstrap();
    const pair = await generateKeyPair('ES256', { extractable: true });
    expect((await v1(a, 'POST', '/publicKeys', { jwk: await exportJWK(pair.publicKey) }, limited)).status).toBe(200);
    await a.sql.query('INSERT INTO key_quotas (key_id, project_id, per_hour) VALUES ($1, $2, 2)', [limited.accessKey.accessKeyId, limited.projectId]);
    await a.running.usage!.recorder.flush(); // reads the new limit
    const signed = () => {
      const id = limited.accessKey.accessKeyId;
      return new SignJWT({ jti: randomUUID() }).setProtectedHeader({ alg: 'ES256' }).setIssuer(id).setSubject(id)
        .setAudience(a.config.issuer).setExpirationTime('1m').sign(pair.privateKey);
    };
    expect((await tokenWith(a, await signed())).status).toBe(200);
    expect((await tokenWith(a, await signed())).status).toBe(200);
    const refused = await tokenWith(a, await signed());
    expect(refused.status).toBe(429);
    expect(refused.body.error_description).toMatch(/quota is used up/);
  });

  it('count a refused assertion as the key\'s wrong secret', async () => {
    const id = key.accessKey.accessKeyId;
    const wrong = await new SignJWT({ jti: randomUUID() }).setProtectedHeader({ alg: 'ES256' }).setIssuer(id).setSubject(id)
      .setAudience(a.config.issuer).setExpirationTime('1m').sign((await generateKeyPair('ES256')).privateKey);
    const count = async () => {
      await a.running.usage!.recorder.flush();
      const { rows } = await a.sql.query("SELECT coalesce(sum(wrong_secret), 0)::int AS n FROM usage_counts WHERE key_id = $1", [id]);
      return rows[0].n as number;
    };
    const before = await count();
    expect((await tokenWith(a, wrong)).status).toBe(401);
    expect(await count()).toBe(before + 1);
  });
});

describe('a jwks_uri instead of keys held by Keymint', () => {
  let jwksServer: import('node:http').Server;
  let hits = 0;
  let published: JWK[] = [];
  let j: TestServer;
  let keyed: Bootstrapped;
  let pair: { privateKey: CryptoKey; publicKey: CryptoKey };
  const JWKS_URL = 'https://jwks.example/keys.json';

  beforeAll(async () => {
    const { createServer } = await import('node:http');
    jwksServer = createServer((_req, res) => {
      hits++;
      res.setHeader('content-type', 'application/json');
      res.setHeader('cache-control', 'max-age=300');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    const port = (jwksServer.address() as { port: number }).port;
    // oidc-provider refuses loopback addresses (its SSRF guard) and this test has no TLS: the
    // instance's fetch reaches the local server for the https URL instead.
    j = await c.start({}, {
      fetchJwks: (url, init) => {
        const { dispatcher: _ignored, ...rest } = init as RequestInit & { dispatcher?: unknown };
        return fetch(url.replace('https://jwks.example', `http://127.0.0.1:${port}`), rest);
      },
    });
    keyed = await a.bootstrap();
    const generated = await generateKeyPair('ES256', { extractable: true });
    pair = generated;
    published = [{ ...(await exportJWK(generated.publicKey)), alg: 'ES256', use: 'sig', kid: 'published-1' }];
  }, 60_000);
  afterAll(() => new Promise<void>((r) => jwksServer.close(() => r())));

  const signedBy = (privateKey: CryptoKey, kid = 'published-1') => {
    const id = keyed.accessKey.accessKeyId;
    return new SignJWT({ jti: randomUUID() }).setProtectedHeader({ alg: 'ES256', kid }).setIssuer(id).setSubject(id)
      .setAudience(a.config.issuer).setExpirationTime('1m').sign(privateKey);
  };
  const settings = (body: unknown, as = keyed) => v1(a, 'PATCH', '/tokenSettings', body, as);

  it('refuses a jwksUri that is not https, or has credentials', async () => {
    for (const jwksUri of ['http://jwks.example/keys.json', 'https://user:pw@jwks.example/keys.json', 'ftp://x', 'not a url']) {
      const res = await settings({ jwksUri });
      expect(res.status, jwksUri).toBe(400);
      doc.assertValid('patch', '/v1/projects/{projectId}/accessKeys/{accessKeyId}/tokenSettings', res.status, res.body);
    }
  });

  it('authenticates with keys fetched from the jwksUri, fetched once and cached', async () => {
    const set = await settings({ jwksUri: JWKS_URL });
    doc.assertValid('patch', '/v1/projects/{projectId}/accessKeys/{accessKeyId}/tokenSettings', set.status, set.body);
    expect(set.body).toEqual({ dpopRequired: false, jwksUri: JWKS_URL });
    const before = hits;
    expect((await tokenWith(j, await signedBy(pair.privateKey))).status).toBe(200);
    expect((await tokenWith(j, await signedBy(pair.privateKey))).status).toBe(200);
    expect(hits - before).toBe(1);
    // A key the client does not publish is refused.
    expect((await tokenWith(j, await signedBy((await generateKeyPair('ES256')).privateKey))).status).toBe(401);
  });

  it('a key has public keys here or a jwksUri, not both (412 either way)', async () => {
    const add = await v1(a, 'POST', '/publicKeys', { jwk: es256.jwk }, keyed);
    expect(add.status).toBe(412);
    expect(add.body.error.message).toMatch(/jwksUri/);
    const res = await settings({ jwksUri: JWKS_URL }, key); // `key` holds an inline key
    expect(res.status).toBe(412);
    doc.assertValid('patch', '/v1/projects/{projectId}/accessKeys/{accessKeyId}/tokenSettings', res.status, res.body);
  });

  it('clearing the jwksUri stops assertions on every instance within a second', async () => {
    expect((await settings({ jwksUri: null })).body).toEqual({ dpopRequired: false, jwksUri: null });
    const deadline = Date.now() + 1_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await tokenWith(j, await signedBy(pair.privateKey))).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(401);
  });
});
