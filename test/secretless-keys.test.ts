// Keys with public keys only (issue 14): created without a secret through the v1 extension
// fields, or left without one by :removeSecret; openid-client and oauth4webapi get tokens
// with private_key_jwt; a secret sent for such a key (guessed, empty, its old one) is refused
// exactly as a wrong secret or an unknown key; nothing may leave a key without a way to
// authenticate; every response validates against the served OpenAPI; two instances.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cluster, type Cluster } from './helpers/cluster.js';
import { ApiClient, type ApiResponse } from './helpers/api-client.js';
import { consoleAccount } from './helpers/console-account.js';
import { KeySecretRemoval } from '../src/access-keys/key-credentials.js';
import { createLocalChangeFeed } from '../src/db/change-feed.js';
import { createResponseValidator, type ResponseValidator } from './helpers/openapi-validator.js';
import { recordSecret, recordToken, type Bootstrapped, type TestServer } from './helpers/server.js';
import { basicHeader, FORM, otherLastChar, postToken, raw, until, type RawResponse } from './helpers/token-requests.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const KEY = '/v1/projects/{projectId}/accessKeys/{accessKeyId}';

let c: Cluster;
let a: TestServer;
let b: TestServer;
let admin: Bootstrapped;
let api: ApiClient;
let doc: ResponseValidator;

async function pair(): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const p = await generateKeyPair('ES256', { extractable: true });
  return { privateKey: p.privateKey, jwk: await exportJWK(p.publicKey) };
}

const adminAuth = () => basicHeader(admin.accessKey.accessKeyId, admin.secret);

function create(body: Record<string, unknown>): Promise<ApiResponse> {
  return api.request('POST', `/v1/projects/${admin.projectId}/accessKeys`, { auth: adminAuth(), json: { displayName: `k ${randomUUID()}`, ...body } });
}

/** A v1 call on one key, validated against the served document by its template. */
async function onKey(method: string, id: string, suffix: string, template: string, body?: unknown, s: TestServer = a) {
  const res = await raw(`${s.url}/v1/projects/${admin.projectId}/accessKeys/${id}${suffix}`, {
    method,
    headers: { authorization: adminAuth(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  doc.assertValid(method, template, res.status, res.json);
  return res;
}

async function assertion(id: string, privateKey: CryptoKey, s: TestServer = a) {
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(id).setSubject(id)
    .setAudience(`${s.config.issuer}/oauth2/token`)
    .setIssuedAt().setExpirationTime('1m')
    .sign(privateKey);
}

async function tokenWithAssertion(s: TestServer, id: string, privateKey: CryptoKey) {
  const res = await postToken(s.url, {
    body: { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion(id, privateKey, s) },
  });
  if (typeof res.json?.access_token === 'string') recordToken(res.json.access_token);
  return res;
}

/** What a refusal looks like to the client: status, body and the headers that could differ. */
const answer = (res: RawResponse) => ({
  status: res.status,
  body: res.json,
  challenge: res.headers.get('www-authenticate'),
  type: res.headers.get('content-type'),
});

beforeAll(async () => {
  c = await cluster();
  a = await c.start();
  b = await c.start();
  admin = await a.bootstrap();
  api = await ApiClient.create(a);
  doc = createResponseValidator(await (await fetch(`${a.url}/v1/openapi.json`)).json());
}, 60_000);
afterAll(() => c?.close());

describe('creating a key without a secret (v1 extension)', () => {
  it('holds the public keys, has no secret and says so; openid-client and oauth4webapi get tokens with private_key_jwt', async () => {
    const k = await pair();
    const res = await create({ jwks: { keys: [{ ...k.jwk, kid: 'svc-1' }] }, generateSecret: false });
    expect(res.status, res.text).toBe(200);
    expect(res.body).not.toHaveProperty('secret');
    expect(res.body.accessKey.authenticationMethods).toEqual(['private_key_jwt']);
    expect(res.body.publicKeys).toHaveLength(1);
    expect(res.body.publicKeys[0]).toMatchObject({ kid: 'svc-1', alg: 'ES256' });
    const id = res.body.accessKey.accessKeyId as string;
    const { rows } = await a.sql.query('SELECT secret_hash FROM access_keys WHERE id = $1', [id]);
    expect(rows[0].secret_hash).toBeNull();

    const got = await api.get(admin.projectId, id, adminAuth());
    expect(got.body).toEqual(res.body.accessKey);
    const listed = await api.listAll(admin.projectId, adminAuth());
    expect(listed.find((key) => key.accessKeyId === id)).toEqual(res.body.accessKey);

    const config = new client.Configuration({ issuer: a.config.issuer, token_endpoint: `${b.url}/oauth2/token` }, id, undefined,
      client.PrivateKeyJwt({ key: k.privateKey, kid: 'svc-1' }));
    client.allowInsecureRequests(config);
    const tokens = await client.clientCredentialsGrant(config);
    recordToken(tokens.access_token);
    expect(JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString())).toMatchObject({ client_id: id, sub: id, project_id: admin.projectId });

    const as: oauth.AuthorizationServer = { issuer: a.config.issuer, token_endpoint: `${a.url}/oauth2/token` };
    const cl: oauth.Client = { client_id: id };
    const tokenRes = await oauth.clientCredentialsGrantRequest(as, cl, oauth.PrivateKeyJwt({ key: k.privateKey }), {}, { [oauth.allowInsecureRequests]: true });
    const viaOauth4 = await oauth.processClientCredentialsResponse(as, cl, tokenRes);
    recordToken(viaOauth4.access_token);
    expect(viaOauth4.token_type).toBe('bearer');

    // Its token manages the project, as any key's does.
    const managed = await api.get(admin.projectId, id, `Bearer ${viaOauth4.access_token}`);
    expect(managed.status).toBe(200);
  });

  it('audits the creation as secretless, with the public key added', async () => {
    const k = await pair();
    const res = await create({ jwk: k.jwk, generateSecret: false });
    expect(res.status).toBe(200);
    const { rows } = await a.sql.query(
      'SELECT action, details FROM audit_events WHERE credential_label = $1 ORDER BY id', [res.body.accessKey.displayName],
    );
    expect(rows.map((r) => r.action)).toEqual(['credential.create', 'credential.public_key_add']);
    expect(rows[0].details).toEqual({ secret: false });
  });

  it('a create with public keys and a secret shows both methods and returns the secret once', async () => {
    const k = await pair();
    const res = await create({ jwks: { keys: [k.jwk] } });
    expect(res.status).toBe(200);
    expect(res.body.secret).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(res.body.accessKey.authenticationMethods).toEqual(['client_secret_basic', 'client_secret_post', 'private_key_jwt']);
    const id = res.body.accessKey.accessKeyId;
    expect((await postToken(a.url, { basic: [id, res.body.secret] })).status).toBe(200);
    expect((await tokenWithAssertion(a, id, k.privateKey)).status).toBe(200);
  });

  it('a create with a jwksUri and no secret', async () => {
    const res = await create({ jwksUri: 'https://svc.example/.well-known/jwks.json', generateSecret: false });
    expect(res.status, res.text).toBe(200);
    expect(res.body.accessKey.authenticationMethods).toEqual(['private_key_jwt']);
    const settings = await onKey('GET', res.body.accessKey.accessKeyId, '/tokenSettings', `${KEY}/tokenSettings`);
    expect(settings.json).toEqual({ dpopRequired: false, jwksUri: 'https://svc.example/.well-known/jwks.json' });
  });

  it('a create without the extension fields is Sinch\'s, field for field', async () => {
    const res = await api.create(admin.projectId, adminAuth(), `plain ${randomUUID()}`);
    expect(Object.keys(res.body).sort()).toEqual(['accessKey', 'secret']);
    expect(Object.keys(res.body.accessKey).sort()).toEqual(['accessKeyId', 'createTime', 'displayName', 'projectId', 'updateTime']);
    expect(Object.keys((await api.get(admin.projectId, res.body.accessKey.accessKeyId, adminAuth())).body).sort())
      .toEqual(['accessKeyId', 'createTime', 'displayName', 'projectId', 'updateTime']);
  });

  const refused: Array<[string, () => Promise<Record<string, unknown>>, RegExp]> = [
    ['generateSecret false with nothing else', async () => ({ generateSecret: false }), /needs another way to authenticate/],
    ['jwks and jwksUri together', async () => ({ jwks: { keys: [(await pair()).jwk] }, jwksUri: 'https://svc.example/jwks' }), /not both/],
    ['jwk and jwks together', async () => ({ jwk: (await pair()).jwk, jwks: { keys: [(await pair()).jwk] }, generateSecret: false }), /exactly one of jwk/],
    ['a plain-http jwksUri', async () => ({ jwksUri: 'http://svc.example/jwks', generateSecret: false }), /https URL/],
    ['a private key', async () => ({ jwk: await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey), generateSecret: false }), /private key material/],
    ['generateSecret that is no boolean', async () => ({ jwk: (await pair()).jwk, generateSecret: 'no' }), /generateSecret must be true or false/],
    ['the same key twice', async () => { const k = (await pair()).jwk; return { jwks: { keys: [{ ...k, kid: 'x' }, { ...k, kid: 'y' }] }, generateSecret: false }; }, /same public key twice/],
  ];
  for (const [what, body, message] of refused) {
    it(`refuses ${what} with a 400 naming the problem, and creates nothing`, async () => {
      const before = await a.sql.query('SELECT (SELECT count(*) FROM access_keys)::int AS keys, (SELECT count(*) FROM access_key_public_keys)::int AS pks');
      const res = await create(await body());
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      const after = await a.sql.query('SELECT (SELECT count(*) FROM access_keys)::int AS keys, (SELECT count(*) FROM access_key_public_keys)::int AS pks');
      expect(after.rows[0]).toEqual(before.rows[0]);
    });
  }
});

describe('a secret sent for a key without one', () => {
  let secretless: string;
  let withSecret: { id: string; secret: string };
  let formerSecret: string;

  beforeAll(async () => {
    // A key that had a secret and lost it (:removeSecret), and one that never had one.
    const k = await pair();
    const made = await create({ jwk: k.jwk });
    withSecret = { id: made.body.accessKey.accessKeyId, secret: made.body.secret };
    const second = await create({ jwk: (await pair()).jwk });
    formerSecret = second.body.secret;
    secretless = second.body.accessKey.accessKeyId;
    expect((await postToken(a.url, { basic: [secretless, formerSecret] })).status).toBe(200); // cached, warm
    const removed = await api.request('POST', `/v1/projects/${admin.projectId}/accessKeys/${secretless}:removeSecret`, { auth: adminAuth() });
    expect(removed.status, removed.text).toBe(200);
  });

  it('is refused exactly as a wrong secret and an unknown key: guessed, previous, the key\'s own ID; Basic and post', async () => {
    for (const s of [a, b]) {
      const unknown = answer(await postToken(s.url, { basic: [randomUUID(), formerSecret] }));
      const wrong = answer(await postToken(s.url, { basic: [withSecret.id, otherLastChar(withSecret.secret)] }));
      expect(unknown.status).toBe(401);
      expect(unknown.body?.error).toBe('invalid_client');
      expect(wrong).toEqual(unknown);
      for (const guess of [formerSecret, otherLastChar(formerSecret), 'none', secretless, 'x']) {
        expect(answer(await postToken(s.url, { basic: [secretless, guess] }))).toEqual(unknown);
        // client_secret_post: the same answer as for an unknown key sent that way.
        const post = (id: string) => postToken(s.url, { body: { grant_type: 'client_credentials', client_id: id, client_secret: guess } });
        expect(answer(await post(secretless))).toEqual(answer(await post(randomUUID())));
      }
    }
  });

  it('an empty secret and no secret are answered as for any key', async () => {
    const emptyBasic = (id: string) => postToken(a.url, { headers: { authorization: basicHeader(id, '') } });
    expect(answer(await emptyBasic(secretless))).toEqual(answer(await emptyBasic(withSecret.id)));
    const idOnly = (id: string) => postToken(a.url, { body: { grant_type: 'client_credentials', client_id: id } });
    expect(answer(await idOnly(secretless))).toEqual(answer(await idOnly(withSecret.id)));
    expect((await idOnly(secretless)).status).toBe(401);
  });

  it('is refused at the management API and at introspection like an unknown key', async () => {
    const v1 = (id: string, secret: string) => raw(`${a.url}/v1/projects/${admin.projectId}/accessKeys`, { headers: { authorization: basicHeader(id, secret) } });
    const unknown = await v1(randomUUID(), formerSecret);
    expect(unknown.status).toBe(401);
    expect(answer(await v1(secretless, formerSecret))).toEqual(answer(unknown));
    const token = (await tokenWithAssertion(a, withSecret.id, (await pair()).privateKey));
    expect(token.status).toBe(401); // a key it does not hold
    const introspect = (id: string) => raw(`${a.url}/oauth2/introspect`, {
      method: 'POST', headers: { authorization: basicHeader(id, formerSecret), 'content-type': FORM }, body: 'token=x',
    });
    expect(answer(await introspect(secretless))).toEqual(answer(await introspect(randomUUID())));
    expect((await introspect(secretless)).status).toBe(401);
  });

  it("counts a refusal as the key's wrong secret, as for a key with a secret", async () => {
    const count = async () => {
      // Both instances: b's own flush of the refusals sent to it above must not land in between.
      await Promise.all([a.running.usage!.recorder.flush(), b.running.usage!.recorder.flush()]);
      const { rows } = await a.sql.query('SELECT coalesce(sum(wrong_secret), 0)::int AS n FROM usage_counts WHERE key_id = $1', [secretless]);
      return rows[0].n as number;
    };
    const before = await count();
    expect((await postToken(a.url, { basic: [secretless, formerSecret] })).status).toBe(401);
    expect(await count()).toBe(before + 1);
  });
});

describe(':removeSecret', () => {
  it('ends the secret and a previous one on every instance within a second, audited', async () => {
    const k = await pair();
    const made = await create({ jwk: k.jwk });
    const id = made.body.accessKey.accessKeyId;
    const rotated = await api.request('POST', `/v1/projects/${admin.projectId}/accessKeys/${id}:rotateSecret`, { auth: adminAuth(), json: { previousSecretTtl: '3600s' } });
    expect(rotated.status).toBe(200);
    const current = rotated.body.secret as string;
    const previous = made.body.secret as string;
    for (const s of [a, b]) {
      expect((await postToken(s.url, { basic: [id, current] })).status).toBe(200);
      expect((await postToken(s.url, { basic: [id, previous] })).status).toBe(200);
    }
    const removed = await api.request('POST', `/v1/projects/${admin.projectId}/accessKeys/${id}:removeSecret`, { auth: adminAuth() });
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body.secrets).toEqual([]);
    expect(removed.body.accessKey.authenticationMethods).toEqual(['private_key_jwt']);
    expect((await postToken(a.url, { basic: [id, current] })).status).toBe(401);
    for (const secret of [current, previous]) {
      await until('instance b to refuse the removed secret', async () => ((await postToken(b.url, { basic: [id, secret] })).status === 401 ? true : undefined), 1000, 20);
    }
    expect((await tokenWithAssertion(b, id, k.privateKey)).status).toBe(200);
    const secrets = await api.request('GET', `/v1/projects/${admin.projectId}/accessKeys/${id}/secrets`, { auth: adminAuth() });
    expect(secrets.body).toEqual({ secrets: [] });
    const { rows } = await a.sql.query(
      "SELECT details FROM audit_events WHERE action = 'credential.secret_remove' AND credential_label = $1", [made.body.accessKey.displayName],
    );
    expect(rows).toEqual([{ details: { revokeTokens: false } }]);
    const row = await a.sql.query('SELECT secret_hash, previous_secret_hash FROM access_keys WHERE id = $1', [id]);
    expect(row.rows[0]).toEqual({ secret_hash: null, previous_secret_hash: null });
  });

  it('with revokeTokens, the tokens issued until then are in the revocation feed', async () => {
    const made = await create({ jwk: (await pair()).jwk });
    const id = made.body.accessKey.accessKeyId;
    const removed = await api.request('POST', `/v1/projects/${admin.projectId}/accessKeys/${id}:removeSecret`, { auth: adminAuth(), json: { revokeTokens: true } });
    expect(removed.status).toBe(200);
    await until('the revocation feed to list the key', async () => {
      const feed = await raw(`${b.url}/oauth2/revocations`);
      return (feed.json!.keys as Array<{ key_id: string }>).some((k) => k.key_id === id) ? true : undefined;
    }, 2000, 50);
  });

  it('is refused (412) for a key with nothing else to authenticate with, and for a key without a secret; the key is unchanged', async () => {
    const plain = await api.create(admin.projectId, adminAuth(), `plain ${randomUUID()}`);
    const id = plain.body.accessKey.accessKeyId;
    const res = await api.request('POST', `/v1/projects/${admin.projectId}/accessKeys/${id}:removeSecret`, { auth: adminAuth() });
    expect(res.status).toBe(412);
    expect(res.body.error.message).toMatch(/no way to authenticate.*Add a public key/);
    expect((await postToken(a.url, { basic: [id, plain.body.secret] })).status).toBe(200);

    const none = await create({ jwk: (await pair()).jwk, generateSecret: false });
    const again = await api.request('POST', `/v1/projects/${admin.projectId}/accessKeys/${none.body.accessKey.accessKeyId}:removeSecret`, { auth: adminAuth() });
    expect(again.status).toBe(412);
    expect(again.body.error.message).toMatch(/no secret/);
    expect((await api.request('POST', `/v1/projects/${admin.projectId}/accessKeys/${randomUUID()}:removeSecret`, { auth: adminAuth() })).status).toBe(404);
  });

  it('needs accesskeys.write and the key\'s own project', async () => {
    const other = await a.bootstrap();
    const made = await create({ jwk: (await pair()).jwk });
    const res = await api.request('POST', `/v1/projects/${admin.projectId}/accessKeys/${made.body.accessKey.accessKeyId}:removeSecret`, {
      auth: basicHeader(other.accessKey.accessKeyId, other.secret),
    });
    expect(res.status).toBe(403);
    const reader = await create({ grants: [{ api: a.config.issuer, scopes: ['accesskeys.read'] }] });
    recordSecret(reader.body.secret);
    const byReader = await api.request('POST', `/v1/projects/${admin.projectId}/accessKeys/${made.body.accessKey.accessKeyId}:removeSecret`, {
      auth: basicHeader(reader.body.accessKey.accessKeyId, reader.body.secret),
    });
    expect(byReader.status).toBe(403);
    expect((await postToken(a.url, { basic: [made.body.accessKey.accessKeyId, made.body.secret] })).status).toBe(200);
  });
});

describe('a key without a secret keeps a way to authenticate', () => {
  it('its last public key cannot be removed (412); one of two can', async () => {
    const k1 = await pair();
    const k2 = await pair();
    const made = await create({ jwks: { keys: [{ ...k1.jwk, kid: 'one' }, { ...k2.jwk, kid: 'two' }] }, generateSecret: false });
    const id = made.body.accessKey.accessKeyId;
    const [first, second] = made.body.publicKeys as Array<{ publicKeyId: string }>;
    const path = `${KEY}/publicKeys/{publicKeyId}`;
    expect((await onKey('DELETE', id, `/publicKeys/${first.publicKeyId}`, path)).status).toBe(200);
    const last = await onKey('DELETE', id, `/publicKeys/${second.publicKeyId}`, path);
    expect(last.status).toBe(412);
    expect((last.json as any).error.message).toMatch(/Removing its last public key would leave the key with no way to authenticate/);
    expect((await tokenWithAssertion(a, id, k2.privateKey)).status).toBe(200);
    // A key with a secret may drop every public key.
    const both = await create({ jwk: k1.jwk });
    const pk = both.body.publicKeys[0].publicKeyId;
    expect((await onKey('DELETE', both.body.accessKey.accessKeyId, `/publicKeys/${pk}`, path)).status).toBe(200);
    const after = await api.get(admin.projectId, both.body.accessKey.accessKeyId, adminAuth());
    expect(after.body).not.toHaveProperty('authenticationMethods');
  });

  it('its jwksUri cannot be cleared (412); it can be changed', async () => {
    const made = await create({ jwksUri: 'https://svc.example/jwks.json', generateSecret: false });
    const id = made.body.accessKey.accessKeyId;
    const cleared = await onKey('PATCH', id, '/tokenSettings', `${KEY}/tokenSettings`, { jwksUri: null });
    expect(cleared.status).toBe(412);
    expect((cleared.json as any).error.message).toMatch(/Clearing its jwksUri/);
    const changed = await onKey('PATCH', id, '/tokenSettings', `${KEY}/tokenSettings`, { jwksUri: 'https://svc.example/v2/jwks.json', dpopRequired: true });
    expect(changed.status).toBe(200);
    expect(changed.json).toEqual({ dpopRequired: true, jwksUri: 'https://svc.example/v2/jwks.json' });
  });

  it('concurrent removals of its secret and its only public key leave it one of them', async () => {
    for (let i = 0; i < 5; i++) {
      const k = await pair();
      const made = await create({ jwk: k.jwk });
      const id = made.body.accessKey.accessKeyId;
      const pk = made.body.publicKeys[0].publicKeyId;
      const [removal, deletion] = await Promise.all([
        raw(`${a.url}/v1/projects/${admin.projectId}/accessKeys/${id}:removeSecret`, { method: 'POST', headers: { authorization: adminAuth() } }),
        raw(`${b.url}/v1/projects/${admin.projectId}/accessKeys/${id}/publicKeys/${pk}`, { method: 'DELETE', headers: { authorization: adminAuth() } }),
      ]);
      expect([removal.status, deletion.status]).toContain(200);
      expect([removal.status, deletion.status]).toContain(412);
      const { rows } = await a.sql.query(
        'SELECT secret_hash IS NOT NULL AS secret, (SELECT count(*)::int FROM access_key_public_keys WHERE access_key_id = $1) AS pks FROM access_keys WHERE id = $1', [id],
      );
      expect(rows[0].secret || rows[0].pks > 0).toBe(true);
    }
  });

  it(':rotateSecret gives it a secret again (no previous one); the secret then works', async () => {
    const made = await create({ jwk: (await pair()).jwk, generateSecret: false });
    const id = made.body.accessKey.accessKeyId;
    const before = await api.request('GET', `/v1/projects/${admin.projectId}/accessKeys/${id}/secrets`, { auth: adminAuth() });
    expect(before.body).toEqual({ secrets: [] });
    const rotated = await api.request('POST', `/v1/projects/${admin.projectId}/accessKeys/${id}:rotateSecret`, { auth: adminAuth() });
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.secrets.map((s: { state: string }) => s.state)).toEqual(['CURRENT']);
    expect(rotated.body.accessKey.authenticationMethods).toEqual(['client_secret_basic', 'client_secret_post', 'private_key_jwt']);
    await until('instance b to accept the new secret', async () => ((await postToken(b.url, { basic: [id, rotated.body.secret] })).status === 200 ? true : undefined), 1000, 20);
  });

  it('the database refuses a previous secret beside no current one', async () => {
    const made = await create({ jwk: (await pair()).jwk, generateSecret: false });
    await expect(a.sql.query(
      "UPDATE access_keys SET previous_secret_hash = 'sha256$x', previous_secret_create_time = now(), previous_secret_expire_time = now() + interval '1 hour' WHERE id = $1",
      [made.body.accessKey.accessKeyId],
    )).rejects.toThrow(/access_keys_secretless_no_previous/);
  });
});

describe('the console API shows the same', () => {
  it("lists each REST Basic credential's authenticationMethods, following :removeSecret", async () => {
    const acct = await consoleAccount(a);
    const consoleDoc = createResponseValidator(await (await fetch(`${a.url}/api/openapi.json`)).json());
    const admin = acct.users.administrator;
    const made = await admin.call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'basic', label: `c ${randomUUID()}` });
    expect(made.status, made.text).toBe(201);
    consoleDoc.assertValid('post', '/api/projects/{projectId}/credentials', made.status, made.body);
    recordSecret(made.body.apiSecret, made.body.apiKey);
    expect(made.body.credential.authenticationMethods).toEqual(['client_secret_basic', 'client_secret_post']);
    const hmac = await admin.call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'hmac', label: `h ${randomUUID()}` });
    recordSecret(hmac.body.apiSecret, hmac.body.apiKey);
    expect(hmac.body.credential).not.toHaveProperty('authenticationMethods');

    const auth = basicHeader(made.body.apiKey, made.body.apiSecret);
    const v1 = (method: string, suffix: string, body?: unknown) => raw(`${a.url}/v1/projects/${acct.projectId}/accessKeys/${made.body.apiKey}${suffix}`, {
      method, headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    expect((await v1('POST', '/publicKeys', { jwk: (await pair()).jwk })).status).toBe(200);
    const listed = async () => {
      const res = await admin.call('GET', `/projects/${acct.projectId}/credentials`);
      consoleDoc.assertValid('get', '/api/projects/{projectId}/credentials', res.status, res.body);
      return (res.body.credentials as Array<{ credentialId: string; authenticationMethods?: string[] }>).find((x) => x.credentialId === made.body.credential.credentialId)!;
    };
    expect((await listed()).authenticationMethods).toEqual(['client_secret_basic', 'client_secret_post', 'private_key_jwt']);
    expect((await v1('POST', ':removeSecret')).status).toBe(200);
    expect((await listed()).authenticationMethods).toEqual(['private_key_jwt']);
    const renamed = await admin.call('PATCH', `/projects/${acct.projectId}/credentials/${made.body.credential.credentialId}`, { label: `renamed ${randomUUID()}` });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body.authenticationMethods).toEqual(['private_key_jwt']);
    const audit = await admin.call('GET', '/account/audit-events');
    consoleDoc.assertValid('get', '/api/account/audit-events', audit.status, audit.body);
    expect((audit.body.auditEvents as Array<{ action: string }>).map((e) => e.action)).toContain('credential.secret_remove');
  });

  it(':removeSecret for a console user (the console calls KeySecretRemoval): Administrators of the account only, audited as the user', async () => {
    const acct = await consoleAccount(a);
    const made = await acct.users.administrator.call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'basic', label: `u ${randomUUID()}` });
    recordSecret(made.body.apiSecret, made.body.apiKey);
    const keyId = made.body.apiKey as string;
    await raw(`${a.url}/v1/projects/${acct.projectId}/accessKeys/${keyId}/publicKeys`, {
      method: 'POST', headers: { authorization: basicHeader(keyId, made.body.apiSecret), 'content-type': 'application/json' }, body: JSON.stringify({ jwk: (await pair()).jwk }),
    });
    const { rows } = await a.sql.query('SELECT id, email, role FROM users WHERE account_id = $1', [acct.accountId]);
    const user = (role: string) => {
      const u = rows.find((r) => r.role === role)!;
      return { kind: 'user' as const, userId: u.id, accountId: acct.accountId, email: u.email, role: u.role };
    };
    const removal = new KeySecretRemoval({ db: a.sql, feed: createLocalChangeFeed() });
    await expect(removal.removeSecret(user('advanced'), acct.projectId, keyId)).rejects.toMatchObject({ code: 403 });
    await expect(removal.removeSecret({ ...user('administrator'), accountId: admin.accountId }, acct.projectId, keyId)).rejects.toMatchObject({ code: 404 });
    const row = await removal.removeSecret(user('administrator'), acct.projectId, keyId, '203.0.113.9');
    expect(row.has_secret).toBe(false);
    const audit = await a.sql.query("SELECT actor_type, actor_name, address FROM audit_events WHERE action = 'credential.secret_remove' AND credential_label = $1", [made.body.credential.label]);
    expect(audit.rows).toEqual([{ actor_type: 'user', actor_name: user('administrator').email, address: '203.0.113.9' }]);
  });
});
