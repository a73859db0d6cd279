// Issue 13: APIs with their scopes, grants per access key, least privilege down to the
// management API. An Administrator defines two APIs (console API); a Sinch-model key (made in
// the console, no grants) creates keys with grants through v1's extension fields; each key
// then gets exactly what it was granted at the token endpoint (openid-client with resource and
// scope, and raw requests), and the management API judges its Basic credentials and its
// tokens by the same grants.
import { decodeJwt } from 'jose';
import { signHmacRequest } from '../src/auth/hmac-signature.js';
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { recordSecret, recordToken, startTestServer, type TestServer } from './helpers/server.js';
import { basicHeader, postToken, raw, type RawResponse } from './helpers/token-requests.js';
import { createResponseValidator, type ResponseValidator } from './helpers/openapi-validator.js';

const ORDERS = 'https://orders.example.test';
const BILLING = 'https://billing.example.test/api';
let s: TestServer;
let acct: ConsoleAccount;
let sinch: { id: string; secret: string };
let v1Doc: ResponseValidator;
let consoleDoc: ResponseValidator;
const V1_LIST = '/v1/projects/{projectId}/accessKeys';
const V1_KEY = '/v1/projects/{projectId}/accessKeys/{accessKeyId}';

const admin = () => acct.users.administrator;

/** A v1 call; every answer is held to the served OpenAPI document. */
async function v1(method: string, path: string, authorization: string, body?: unknown): Promise<RawResponse & { json: any }> {
  const res = await raw(`${s.url}/v1/projects/${acct.projectId}/accessKeys${path}`, {
    method,
    headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  v1Doc.assertValid(method, path ? V1_KEY : V1_LIST, res.status, res.json);
  return res as RawResponse & { json: any };
}

/** A console call as the Administrator, held to the console API's document. */
async function consoleCall(method: string, path: string, body?: unknown) {
  const res = await admin().call(method, path, body);
  consoleDoc.assertValid(method, path.startsWith('/apis/') ? '/api/apis/{apiId}' : `/api${path}`, res.status, res.body);
  return res;
}

async function createKey(body: Record<string, unknown>) {
  const res = await v1('POST', '', basicHeader(sinch.id, sinch.secret), body);
  expect(res.status, res.text).toBe(200);
  recordSecret(res.json!.secret as string);
  return { id: res.json!.accessKey.accessKeyId as string, secret: res.json!.secret as string, body: res.json!.accessKey };
}

const token = (key: { id: string; secret: string }, params: Record<string, string | undefined> = {}) =>
  postToken(s.url, { basic: [key.id, key.secret], body: { grant_type: 'client_credentials', ...(params as Record<string, string>) } });

async function tokenOf(key: { id: string; secret: string }, params: Record<string, string | undefined> = {}) {
  const res = await token(key, params);
  expect(res.status, res.text).toBe(200);
  recordToken(res.json!.access_token);
  return res.json!.access_token as string;
}

beforeAll(async () => {
  s = await startTestServer({ TOKEN_AUDIENCE: 'https://legacy.example.test', TOKEN_SCOPES: 'read write' });
  acct = await consoleAccount(s);
  v1Doc = createResponseValidator(await (await fetch(`${s.url}/v1/openapi.json`)).json());
  consoleDoc = createResponseValidator(await (await fetch(`${s.url}/api/openapi.json`)).json());
  for (const [identifier, scopes] of [[ORDERS, ['orders:read', 'orders:write']], [BILLING, ['invoices:read']]] as const) {
    const res = await consoleCall('POST', '/apis', { identifier, displayName: `API ${identifier}`, scopes: scopes.map((name) => ({ name, description: `may ${name}` })) });
    expect(res.status, res.text).toBe(201);
  }
  const made = await admin().call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'basic', label: 'sinch model' });
  expect(made.status, made.text).toBe(201);
  recordSecret(made.body.apiSecret);
  sinch = { id: made.body.apiKey, secret: made.body.apiSecret };
});
afterAll(() => s?.close());

describe('APIs in the console API', () => {
  it('are listed with their scopes, beside the management API', async () => {
    const res = await consoleCall('GET', '/apis');
    expect(res.status).toBe(200);
    expect(res.body.apis.map((a: { identifier: string }) => a.identifier)).toEqual([ORDERS, BILLING]);
    expect(res.body.apis[0].scopes).toEqual([{ name: 'orders:read', description: 'may orders:read' }, { name: 'orders:write', description: 'may orders:write' }]);
    expect(res.body.managementApi).toEqual({ identifier: s.config.issuer, scopes: ['accesskeys.read', 'accesskeys.write'] });
  });

  it('are created by Administrators only, with clear errors, and nothing half-written', async () => {
    const count = async () => (await s.sql.query('SELECT count(*)::int AS n FROM apis')).rows[0].n as number;
    const before = await count();
    for (const role of ['advanced', 'basic'] as const) {
      const res = await acct.users[role].call('POST', '/apis', { identifier: 'https://x.example', displayName: 'X' });
      expect(res.status, role).toBe(403);
    }
    const cases: Array<[unknown, RegExp, number]> = [
      [{ identifier: 'not a uri', displayName: 'X' }, /absolute URI/, 400],
      [{ identifier: 'https://x.example#frag', displayName: 'X' }, /fragment/, 400],
      [{ identifier: s.config.issuer, displayName: 'X' }, /management API/, 400],
      [{ identifier: 'https://x.example', displayName: 'X', scopes: [{ name: 'a b' }] }, /scopes\[\]\.name/, 400],
      [{ identifier: 'https://x.example', displayName: 'X', scopes: [{ name: 'a' }, { name: 'a' }] }, /twice/, 400],
      [{ identifier: 'https://x.example', displayName: 'X', tokenTtlSeconds: 5 }, /at least 60/, 400],
      [{ identifier: ORDERS, displayName: 'Again' }, /already has an API with identifier/, 409],
    ];
    for (const [body, message, status] of cases) {
      const res = await consoleCall('POST', '/apis', body);
      expect(res.status, res.text).toBe(status);
      expect(res.body.error.message).toMatch(message);
    }
    expect(await count()).toBe(before);
    const events = await admin().call('GET', '/account/audit-events');
    expect(events.status, events.text).toBe(200);
    expect(JSON.stringify(events.body)).toContain('api.create');
  });

  it('refuse an access key, by Basic or token', async () => {
    expect((await raw(`${s.url}/api/apis`, { headers: { authorization: basicHeader(sinch.id, sinch.secret) } })).status).toBe(403);
  });
});

describe('a key granted orders:read on the orders API', () => {
  let key: { id: string; secret: string; body: any };
  beforeAll(async () => {
    key = await createKey({ displayName: 'orders reader', grants: [{ api: ORDERS, scopes: ['orders:read'] }], customClaims: { tenant: 'acme', tier: 2 } });
  });

  it('shows its grants in v1 responses (a Keymint extension)', async () => {
    expect(key.body.grants).toEqual([{ api: ORDERS, scopes: ['orders:read'], default: true }]);
    expect(key.body.customClaims).toEqual({ tenant: 'acme', tier: 2 });
    const got = await v1('GET', `/${key.id}`, basicHeader(sinch.id, sinch.secret));
    expect(got.json!.grants).toEqual(key.body.grants);
  });

  it('gets exactly that, by default and with resource or audience', async () => {
    for (const params of [{}, { resource: ORDERS }, { audience: ORDERS }, { resource: ORDERS, scope: 'orders:read' }]) {
      const claims = decodeJwt(await tokenOf(key, params));
      expect(claims, JSON.stringify(params)).toMatchObject({ aud: ORDERS, scope: 'orders:read', client_id: key.id, sub: key.id, project_id: acct.projectId, account_id: acct.accountId, tenant: 'acme', tier: 2 });
    }
  });

  it('gets exactly that with openid-client (resource and scope)', async () => {
    const config = await client.discovery(new URL(s.config.issuer), key.id, undefined, client.ClientSecretBasic(key.secret), { execute: [client.allowInsecureRequests], algorithm: 'oauth2' });
    const tokens = await client.clientCredentialsGrant(config, { scope: 'orders:read', resource: ORDERS });
    recordToken(tokens.access_token);
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: ORDERS, scope: 'orders:read' });
    const refused = await client.clientCredentialsGrant(config, { scope: 'orders:write', resource: ORDERS }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ error: 'invalid_scope' });
  });

  it('gets exactly that with oauth4webapi (resource and scope), and its refusals are OAuth errors', async () => {
    const as: oauth.AuthorizationServer = { issuer: s.config.issuer, token_endpoint: `${s.url}/oauth2/token` };
    const cl: oauth.Client = { client_id: key.id };
    const auth = oauth.ClientSecretBasic(key.secret);
    const opts = { [oauth.allowInsecureRequests]: true };
    const res = await oauth.clientCredentialsGrantRequest(as, cl, auth, new URLSearchParams({ resource: ORDERS, scope: 'orders:read' }), opts);
    const tokens = await oauth.processClientCredentialsResponse(as, cl, res);
    recordToken(tokens.access_token);
    expect(tokens.scope).toBe('orders:read');
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: ORDERS, scope: 'orders:read' });
    const other = await oauth.clientCredentialsGrantRequest(as, cl, auth, new URLSearchParams({ resource: BILLING }), opts);
    const err = await oauth.processClientCredentialsResponse(as, cl, other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(oauth.ResponseBodyError);
    expect((err as oauth.ResponseBodyError).error).toBe('invalid_target');
    expect((err as oauth.ResponseBodyError).error_description).toContain(BILLING);
  });

  it('is refused orders:write (invalid_scope) and the billing API (invalid_target), each named', async () => {
    const scope = await token(key, { scope: 'orders:read orders:write' });
    expect(scope.status).toBe(400);
    expect(scope.json).toMatchObject({ error: 'invalid_scope' });
    expect(scope.json!.error_description).toContain('orders:write');
    expect(scope.json!.error_description).not.toContain('orders:read');
    for (const params of [{ resource: BILLING }, { audience: BILLING }, { resource: 'https://unknown.example' }, { resource: s.config.issuer }]) {
      const target = await token(key, params);
      expect(target.status, JSON.stringify(params)).toBe(400);
      expect(target.json).toMatchObject({ error: 'invalid_target' });
      expect(target.json!.error_description).toContain(Object.values(params)[0]);
    }
    const both = await token(key, { resource: ORDERS, audience: BILLING });
    expect(both.json).toMatchObject({ error: 'invalid_target' });
  });

  it('cannot create, read or delete keys through v1 or the console API, by token or Basic', async () => {
    const rows = async () => (await s.sql.query('SELECT count(*)::int AS n FROM access_keys')).rows[0].n as number;
    const before = await rows();
    const ordersToken = await tokenOf(key);
    const basic = basicHeader(key.id, key.secret);
    const p = acct.projectId;
    const attempts: Array<[string, string, unknown, string]> = [
      ['GET', `/v1/projects/${p}/accessKeys`, undefined, 'accesskeys.read'],
      ['GET', `/v1/projects/${p}/accessKeys/${sinch.id}`, undefined, 'accesskeys.read'],
      ['POST', `/v1/projects/${p}/accessKeys`, { displayName: 'planted' }, 'accesskeys.write'],
      ['DELETE', `/v1/projects/${p}/accessKeys/${sinch.id}`, undefined, 'accesskeys.write'],
      ['GET', `/api/projects/${p}/credentials`, undefined, 'accesskeys.read'],
      ['POST', `/api/projects/${p}/credentials`, { kind: 'basic', label: 'planted' }, 'accesskeys.write'],
      // Another key's secret, public keys and token settings (issue 14's extensions) are key management too.
      ['POST', `/v1/projects/${p}/accessKeys/${sinch.id}:rotateSecret`, {}, 'accesskeys.write'],
      ['GET', `/v1/projects/${p}/accessKeys/${sinch.id}/secrets`, undefined, 'accesskeys.read'],
      ['POST', `/v1/projects/${p}/accessKeys/${sinch.id}/publicKeys`, { jwk: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' } }, 'accesskeys.write'],
      ['GET', `/v1/projects/${p}/accessKeys/${sinch.id}/publicKeys`, undefined, 'accesskeys.read'],
      ['PATCH', `/v1/projects/${p}/accessKeys/${sinch.id}/tokenSettings`, { dpopRequired: true }, 'accesskeys.write'],
    ];
    for (const [method, path, body, needed] of attempts) {
      const init = (authorization: string) => ({ method, headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      const byBasic = await raw(`${s.url}${path}`, init(basic));
      expect(byBasic.status, `${method} ${path} by Basic`).toBe(403);
      expect(byBasic.headers.get('www-authenticate')).toBe(`Bearer realm="keymint", error="insufficient_scope", scope="${needed}"`);
      const byToken = await raw(`${s.url}${path}`, init(`Bearer ${ordersToken}`));
      expect(byToken.status, `${method} ${path} by an orders token`).toBe(401);
    }
    expect(await rows()).toBe(before);
    // The Sinch key still has one secret, no public key, no DPoP requirement.
    const sinchBasic = basicHeader(sinch.id, sinch.secret);
    expect((await raw(`${s.url}/v1/projects/${p}/accessKeys/${sinch.id}/secrets`, { headers: { authorization: sinchBasic } })).json!.secrets).toHaveLength(1);
    expect((await raw(`${s.url}/v1/projects/${p}/accessKeys/${sinch.id}/publicKeys`, { headers: { authorization: sinchBasic } })).json!.publicKeys).toEqual([]);
    expect(decodeJwt(await tokenOf(sinch))).toMatchObject({ client_id: sinch.id });
  });
});

describe('an HMAC key (console) is judged by the same grants', () => {
  it('signed GET of the key list: 403 without accesskeys.read, 200 with it', async () => {
    const made = await admin().call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'hmac', label: 'signed orders', grants: [{ api: ORDERS, scopes: ['orders:read'] }] });
    expect(made.status, made.text).toBe(201);
    recordSecret(made.body.apiSecret, made.body.apiKey);
    const path = `/v1/projects/${acct.projectId}/accessKeys`;
    // Each signed with another Date: the same signature twice is a replay (refused as such).
    let n = 0;
    const signed = () => fetch(`${s.url}${path}`, { headers: signHmacRequest({ username: made.body.apiKey, secret: made.body.apiSecret, algorithm: 'hmac-sha256', method: 'GET', path, date: new Date(Date.now() - 2000 * n++) }) });
    const refused = await signed();
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('scope="accesskeys.read"');
    const grant = await admin().call('PUT', `/projects/${acct.projectId}/credentials/${made.body.credential.credentialId}/grants`, { grants: [{ api: s.config.issuer, scopes: ['accesskeys.read'] }] });
    expect(grant.status, grant.text).toBe(200);
    expect((await signed()).status).toBe(200);
  });
});

describe('management grants', () => {
  it('accesskeys.read lists but does not create; a token holds only the scopes it was asked with', async () => {
    const reader = await createKey({ displayName: 'key reader', grants: [{ api: s.config.issuer, scopes: ['accesskeys.read'] }] });
    expect((await v1('GET', '', basicHeader(reader.id, reader.secret))).status).toBe(200);
    const create = await v1('POST', '', basicHeader(reader.id, reader.secret), { displayName: 'planted' });
    expect(create.status).toBe(403);
    expect(create.headers.get('www-authenticate')).toContain('scope="accesskeys.write"');
    const t = await tokenOf(reader);
    expect(decodeJwt(t)).toMatchObject({ aud: s.config.issuer, scope: 'accesskeys.read' });
    expect((await v1('GET', '', `Bearer ${t}`)).status).toBe(200);
    expect((await token(reader, { scope: 'accesskeys.write' })).json).toMatchObject({ error: 'invalid_scope' });
  });

  it('a key with both may manage keys; its token asked for accesskeys.read only may not write', async () => {
    const manager = await createKey({ displayName: 'manager', grants: [{ api: s.config.issuer, scopes: ['accesskeys.read', 'accesskeys.write'] }] });
    const narrow = await tokenOf(manager, { scope: 'accesskeys.read' });
    expect((await v1('POST', '', `Bearer ${narrow}`, { displayName: 'by narrow' })).status).toBe(403);
    const full = await tokenOf(manager);
    const made = await v1('POST', '', `Bearer ${full}`, { displayName: 'by manager' });
    expect(made.status, made.text).toBe(200);
    recordSecret(made.json!.secret as string);
  });
});

describe('changing grants (v1 PATCH)', () => {
  it('takes effect at once, is audited, and grants: null returns to the Sinch model', async () => {
    const key = await createKey({ displayName: 'changing', grants: [{ api: ORDERS, scopes: ['orders:read'] }] });
    expect((await token(key, { scope: 'orders:write' })).status).toBe(400);
    const patched = await v1('PATCH', `/${key.id}`, basicHeader(sinch.id, sinch.secret), { grants: [{ api: ORDERS, scopes: ['orders:read', 'orders:write'] }, { api: BILLING, scopes: [] }] });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json!.displayName).toBe('changing');
    expect(patched.json!.grants).toEqual([
      { api: ORDERS, scopes: ['orders:read', 'orders:write'], default: true },
      { api: BILLING, scopes: [], default: false },
    ]);
    expect(decodeJwt(await tokenOf(key, { scope: 'orders:write' })).scope).toBe('orders:write');
    expect(decodeJwt(await tokenOf(key, { resource: BILLING })).aud).toBe(BILLING);
    const back = await v1('PATCH', `/${key.id}`, basicHeader(sinch.id, sinch.secret), { grants: null });
    expect(back.status, back.text).toBe(200);
    expect(back.json!.grants).toBeUndefined();
    expect(decodeJwt(await tokenOf(key))).toMatchObject({ aud: 'https://legacy.example.test' });
    expect((await v1('GET', '', basicHeader(key.id, key.secret))).status).toBe(200);
    const { rows } = await s.sql.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'credential.grants_change' AND credential_id = (SELECT credential_id FROM access_keys WHERE id = $1)", [key.id]);
    expect(rows[0].n).toBe(3); // created with grants, changed, returned to the Sinch model
  });

  it('refuses bad grants with a 400 naming what is wrong, and writes nothing', async () => {
    const before = (await s.sql.query('SELECT count(*)::int AS n FROM access_keys')).rows[0].n;
    const cases: Array<[unknown, RegExp]> = [
      [{ displayName: 'bad 1', grants: [{ api: 'https://nope.example', scopes: [] }] }, /https:\/\/nope\.example is not an API of this account/],
      [{ displayName: 'bad 2', grants: [{ api: ORDERS, scopes: ['orders:delete'] }] }, /defines no scope orders:delete/],
      [{ displayName: 'bad 3', grants: [{ api: ORDERS, scopes: [] }, { api: ORDERS, scopes: [] }] }, /listed twice/],
      [{ displayName: 'bad 4', grants: [{ api: s.config.issuer, scopes: ['accesskeys.admin'] }] }, /defines no scope accesskeys\.admin/],
      [{ displayName: 'bad 5', grants: [{ api: ORDERS, scopes: [], default: true }, { api: BILLING, scopes: [], default: true }] }, /at most one grant/],
      [{ displayName: 'bad 6', grants: [], customClaims: { sub: 'someone-else' } }, /may not set sub/],
      [{ displayName: 'bad 7', grants: [], customClaims: { big: 'x'.repeat(2000) } }, /at most 1024 bytes/],
      [{ displayName: 'bad 8', customClaims: { a: 1 } }, /need explicit grants/],
      [{ displayName: 'bad 9', grants: 'all' }, /grants must be an array/],
    ];
    for (const [body, message] of cases) {
      const res = await v1('POST', '', basicHeader(sinch.id, sinch.secret), body);
      expect(res.status, res.text).toBe(400);
      expect(res.json!.error.message).toMatch(message);
    }
    expect((await s.sql.query('SELECT count(*)::int AS n FROM access_keys')).rows[0].n).toBe(before);
  });
});

describe('an API changed or deleted in the console', () => {
  it('a scope it stops defining leaves the grants; deleting it ends the tokens for it', async () => {
    const made = await consoleCall('POST', '/apis', { identifier: 'https://temp.example.test', displayName: 'Temp', scopes: [{ name: 'a' }, { name: 'b' }], tokenTtlSeconds: 120 });
    expect(made.status, made.text).toBe(201);
    const key = await createKey({ displayName: 'temp user', grants: [{ api: 'https://temp.example.test', scopes: ['a', 'b'] }] });
    const claims = decodeJwt(await tokenOf(key, { scope: 'a b' }));
    expect(claims.exp! - claims.iat!).toBe(120);
    const changed = await consoleCall('PATCH', `/apis/${made.body.apiId}`, { scopes: [{ name: 'a', description: 'kept' }] });
    expect(changed.status, changed.text).toBe(200);
    expect((await token(key, { scope: 'b' })).json).toMatchObject({ error: 'invalid_scope' });
    expect((await v1('GET', `/${key.id}`, basicHeader(sinch.id, sinch.secret))).json!.grants).toEqual([{ api: 'https://temp.example.test', scopes: ['a'], default: true }]);
    expect((await consoleCall('DELETE', `/apis/${made.body.apiId}`)).status).toBe(200);
    expect((await token(key)).json).toMatchObject({ error: 'invalid_target' });
  });
});

describe('the Sinch model (a key without grants)', () => {
  it('gets tokens as before and manages its project\'s keys', async () => {
    expect(decodeJwt(await tokenOf(sinch))).toMatchObject({ aud: 'https://legacy.example.test', account_id: acct.accountId });
    expect(decodeJwt(await tokenOf(sinch, { scope: 'read' })).scope).toBe('read');
    expect(decodeJwt(await tokenOf(sinch, { resource: ORDERS, scope: 'orders:write' }))).toMatchObject({ aud: ORDERS, scope: 'orders:write' });
    const mgmt = await tokenOf(sinch, { resource: s.config.issuer });
    expect((await v1('GET', '', `Bearer ${mgmt}`)).status).toBe(200);
    expect((await token(sinch, { resource: 'https://unknown.example' })).json).toMatchObject({ error: 'invalid_target' });
  });
});
