// The console API's OpenAPI document (GET /api/openapi.json) compiles under strict JSON
// Schema, names exactly the routes the /api router serves, and holds: every response of
// real flows (sign-in to audit log, every credential kind, every role) is validated against
// the document for its operation and status, and an undocumented status fails the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Router } from 'express';
import { buildConsoleOpenApi } from '../src/dashboard/openapi.js';
import { consoleApi, type ConsoleApiDeps } from '../src/dashboard/console-api.js';
import { accountRouter } from '../src/accounts/routes.js';
import { credentialsRouter } from '../src/credentials/routes.js';
import type { AccountService } from '../src/accounts/account-service.js';
import type { CredentialsService } from '../src/credentials/service.js';
import { createLogger } from '../src/log.js';
import { createDocumentAjv, createResponseValidator, type ResponseValidator } from './helpers/openapi-validator.js';
import { startTestServer, recordSecret, recordToken, type TestServer } from './helpers/server.js';
import { callApi, consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { sessionTokenOf } from './helpers/session.js';
import { usageConsoleRouter } from '../src/usage/routes.js';
import { rotationConsoleRouter } from '../src/credentials/rotation-routes.js';
import type { SecretRotation } from '../src/credentials/secret-rotation.js';
import type { Db } from '../src/db/pool.js';
import type { UsageService } from '../src/usage/service.js';
import { apisRouter } from '../src/apis/routes.js';
import type { ApisService } from '../src/apis/service.js';
import { consolePublicKeysRouter } from '../src/dashboard/public-keys-routes.js';
import type { ConsolePublicKeys } from '../src/dashboard/public-keys.js';

type Node = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const CREDS = '/api/projects/{projectId}/credentials';

// What src/dashboard/session-routes.ts, src/accounts/routes.ts and src/credentials/routes.ts
// (and the document's own route in console-api.ts) serve, in OpenAPI path templates.
const ROUTES = [
  'get /api/openapi.json',
  'post /api/session', 'get /api/session', 'delete /api/session', 'post /api/session/password',
  'get /api/account', 'post /api/account/verification-request',
  'get /api/account/users', 'post /api/account/users',
  'patch /api/account/users/{userId}', 'delete /api/account/users/{userId}', 'post /api/account/users/{userId}/password-reset',
  'get /api/account/audit-events', 'get /api/projects', 'post /api/projects',
  'patch /api/projects/{projectId}', 'delete /api/projects/{projectId}',
  `get ${CREDS}`, `post ${CREDS}`, `post ${CREDS}/delete`,
  `patch ${CREDS}/{credentialId}`, `post ${CREDS}/{credentialId}/reveal`,
  // secret rotation (issue 14)
  `get ${CREDS}/{credentialId}/secrets`, `post ${CREDS}/{credentialId}/rotateSecret`, `post ${CREDS}/{credentialId}/revokePreviousSecret`,
  // src/usage/routes.ts
  'get /api/account/usage', 'get /api/account/usage-settings', 'put /api/account/usage-settings', 'get /api/projects/{projectId}/usage', `get ${CREDS}/{credentialId}/usage`,
  'get /api/projects/{projectId}/quota', 'put /api/projects/{projectId}/quota', `get ${CREDS}/{credentialId}/quota`, `put ${CREDS}/{credentialId}/quota`,
  // src/apis/routes.ts
  'get /api/apis', 'post /api/apis', 'patch /api/apis/{apiId}', 'delete /api/apis/{apiId}',
  `get ${CREDS}/{credentialId}/grants`, `put ${CREDS}/{credentialId}/grants`,
  // src/dashboard/public-keys-routes.ts (issue 14)
  `get ${CREDS}/{credentialId}/publicKeys`, `post ${CREDS}/{credentialId}/publicKeys`, `delete ${CREDS}/{credentialId}/publicKeys/{publicKeyId}`,
  `get ${CREDS}/{credentialId}/tokenSettings`, `patch ${CREDS}/{credentialId}/tokenSettings`, `post ${CREDS}/{credentialId}/removeSecret`,
];

const doc = buildConsoleOpenApi('https://keymint.example.test') as Node;
const operations = () =>
  Object.entries(doc.paths as Node).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => ({ key: `${m} ${path}`, path, item, op: item[m] })));

function deref(node: Node): Node {
  if (typeof node?.$ref !== 'string') return node;
  return deref(node.$ref.slice(2).split('/').reduce((at: any, part: string) => at?.[part], doc));
}

// The routes a built /api router really holds, from express's own route table.
function servedRoutes(router: Router, prefix = '/api'): string[] {
  return (router.stack as any[]).flatMap((layer) => {
    if (layer.route) {
      const path = prefix + (layer.route.path as string).replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods).filter((m) => m !== '_all').map((m) => `${m} ${path}`);
    }
    return Array.isArray(layer.handle?.stack) ? servedRoutes(layer.handle as Router, prefix) : [];
  });
}

describe('the console OpenAPI document', () => {
  it('is OpenAPI 3.1.0, plain JSON, and every component schema compiles under strict JSON Schema 2020-12', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Keymint Console API', version: '1.0.0' });
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    const ajv = createDocumentAjv(doc);
    for (const name of Object.keys(doc.components.schemas)) {
      expect(ajv.getSchema(`openapi.json#/components/schemas/${name}`), name).toBeTypeOf('function');
    }
  });

  it('documents exactly the routes the /api router serves, each with a unique operationId', () => {
    const documented = operations().map((o) => o.key).sort();
    expect(documented).toEqual([...ROUTES].sort());
    const router = consoleApi({
      config: { issuer: 'https://keymint.example.test', sessionTtlHours: 1, signInFailuresPerEmail: 5 },
      log: createLogger('silent'),
      routers: [accountRouter({} as AccountService), credentialsRouter({} as CredentialsService), rotationConsoleRouter({} as Db, {} as SecretRotation), usageConsoleRouter({} as UsageService), apisRouter({} as ApisService), consolePublicKeysRouter({} as ConsolePublicKeys)],
    } as unknown as ConsoleApiDeps);
    expect(servedRoutes(router).sort()).toEqual([...ROUTES].sort());
    const ids = operations().map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resolves every $ref, declares every path parameter, and uses only known security schemes', () => {
    const refs: string[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object') for (const [k, v] of Object.entries(n)) (k === '$ref' ? refs.push(v as string) : walk(v));
    };
    walk(doc);
    for (const ref of refs) expect(deref({ $ref: ref }), ref).toBeTypeOf('object');
    for (const { key, path, item, op } of operations()) {
      const inPath = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(deref).filter((p) => p.in === 'path');
      expect(inPath.map((p) => p.name).sort(), key).toEqual([...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort());
      for (const requirement of op.security) for (const name of Object.keys(requirement)) expect(doc.components.securitySchemes, key).toHaveProperty(name);
      for (const [status, response] of Object.entries(op.responses as Node)) {
        const content = deref(response).content;
        if (status === '204') expect(content, key).toBeUndefined();
        else expect(content?.['application/json']?.schema, `${key} ${status}`).toBeTypeOf('object');
      }
    }
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'keymint_session' });
    expect(doc.components.securitySchemes.csrfToken).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-CSRF-Token' });
  });
});

describe('real responses of the console API, held to the document', () => {
  let server: TestServer;
  let v: ResponseValidator;
  let requestAjv: ReturnType<typeof createDocumentAjv>;
  let acct: ConsoleAccount;
  const seen = new Set<string>();

  beforeAll(async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const served = (await res.json()) as Node;
    expect(served).toEqual(buildConsoleOpenApi(server.config.issuer));
    v = createResponseValidator(served);
    requestAjv = createDocumentAjv(served);
    acct = await consoleAccount(server);
  });
  afterAll(() => server?.close());

  /** Fills the template, calls, validates status and body against the document, and returns the answer. */
  async function send(headers: Record<string, string>, method: string, template: string, params: Record<string, string> = {}, body?: unknown, query = '') {
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? 'missing');
    const res = await callApi(server, method, path.replace(/^\/api/, '') + (query ? `?${query}` : ''), headers, body);
    check(method, template, res.status, res.text);
    // A body the server accepted must be one the document accepts too.
    if (body !== undefined && res.status < 300) {
      const pointer = ['paths', template, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema'];
      const fragment = pointer.map((p) => '/' + encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('');
      const validate = requestAjv.getSchema(`openapi.json#${fragment}`)!;
      expect(validate(body), `${method} ${template} request ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    return res;
  }

  function check(method: string, template: string, status: number, text: string) {
    const parsed: unknown = text === '' ? '' : JSON.parse(text);
    v.assertValid(method, template, status, parsed);
    if (status >= 400) expect((parsed as Node).error.code).toBe(status);
    seen.add(`${method.toLowerCase()} ${template} ${status}`);
  }

  const as = (role: 'administrator' | 'advanced' | 'basic') => acct.users[role].session.headers();
  const project = () => ({ projectId: acct.projectId });

  it('serves the document without authentication', async () => {
    await send({}, 'GET', '/api/openapi.json');
  });

  it('sign-in, who-am-I and sign-out', async () => {
    const { email, password } = acct.users.administrator;
    const res = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    const text = await res.text();
    const token = sessionTokenOf(res)!;
    recordSecret(token);
    recordSecret(JSON.parse(text).csrfToken);
    check('POST', '/api/session', res.status, text);
    expect(res.status).toBe(200);
    const cookie = { cookie: `keymint_session=${token}` };
    const csrf = { ...cookie, 'x-csrf-token': JSON.parse(text).csrfToken as string };

    expect((await send(cookie, 'GET', '/api/session')).status).toBe(200);
    expect((await send({}, 'GET', '/api/session')).status).toBe(401);
    expect((await send({}, 'POST', '/api/session', {}, { email, password: `${password}x` })).status).toBe(401);
    expect((await send({}, 'POST', '/api/session', {}, { email, password, extra: 1 })).status).toBe(400);
    expect((await send(cookie, 'DELETE', '/api/session')).status).toBe(403);
    expect((await send(csrf, 'DELETE', '/api/session')).status).toBe(204);
    expect((await send(csrf, 'DELETE', '/api/session')).status).toBe(204);
    expect((await send(cookie, 'GET', '/api/session')).status).toBe(401);
  });

  it('the account, its verification request and its projects', async () => {
    expect((await send(as('basic'), 'GET', '/api/account')).status).toBe(200);
    expect((await send(as('administrator'), 'POST', '/api/account/verification-request')).status).toBe(200);
    expect((await send(as('administrator'), 'POST', '/api/account/verification-request')).status).toBe(200);
    expect((await send(as('basic'), 'POST', '/api/account/verification-request')).status).toBe(403);
    expect((await send(as('advanced'), 'GET', '/api/projects')).status).toBe(200);
    expect((await send({}, 'GET', '/api/projects')).status).toBe(401);
  });

  it('users: add, list, change role, remove, and the last Administrator kept (412)', async () => {
    const admin = as('administrator');
    const password = `New-user-pass-${Date.now()}`;
    recordSecret(password);
    const email = `added-${Date.now()}@example.com`;
    const added = await send(admin, 'POST', '/api/account/users', {}, { email, password, role: 'basic' });
    expect(added.status).toBe(201);
    expect((await send(admin, 'POST', '/api/account/users', {}, { email, password, role: 'basic' })).status).toBe(409);
    expect((await send(admin, 'POST', '/api/account/users', {}, { email: `x${email}`, password, role: 'owner' })).status).toBe(400);
    expect((await send(admin, 'GET', '/api/account/users')).status).toBe(200);
    expect((await send(as('basic'), 'GET', '/api/account/users')).status).toBe(403);

    const userId = added.body.userId as string;
    expect((await send(admin, 'PATCH', '/api/account/users/{userId}', { userId }, { role: 'advanced' })).status).toBe(200);
    expect((await send(admin, 'PATCH', '/api/account/users/{userId}', { userId: 'nope' }, { role: 'advanced' })).status).toBe(400);
    const self = acct.users.administrator.session.session.user.userId;
    expect((await send(admin, 'PATCH', '/api/account/users/{userId}', { userId: self }, { role: 'basic' })).status).toBe(412);
    expect((await send(admin, 'DELETE', '/api/account/users/{userId}', { userId: self })).status).toBe(412);
    expect((await send(admin, 'DELETE', '/api/account/users/{userId}', { userId })).status).toBe(204);
    expect((await send(admin, 'DELETE', '/api/account/users/{userId}', { userId })).status).toBe(404);
  });

  it('passwords: change my own, an Administrator resets another user\'s, and the forced change', async () => {
    const target = await consoleAccount(server);
    const admin = target.users.administrator.session.headers();
    const basic = target.users.basic;
    const next = `Changed-pass-${Date.now()}`;
    recordSecret(next);
    const change = '/api/session/password';
    expect((await send(basic.session.headers(), 'POST', change, {}, { currentPassword: 'wrong', newPassword: next })).status).toBe(403);
    expect((await send(basic.session.headers(), 'POST', change, {}, { currentPassword: basic.password, newPassword: 'short' })).status).toBe(400);
    expect((await send(basic.session.headers(), 'POST', change, {}, { currentPassword: basic.password })).status).toBe(400);
    expect((await send({}, 'POST', change, {}, { currentPassword: basic.password, newPassword: next })).status).toBe(401);
    const changed = await send(basic.session.headers(), 'POST', change, {}, { currentPassword: basic.password, newPassword: next });
    expect(changed.status).toBe(200);
    expect(changed.body.user.mustChangePassword).toBe(false);

    const reset = '/api/account/users/{userId}/password-reset';
    const userId = basic.session.session.user.userId;
    expect((await send(basic.session.headers(), 'POST', reset, { userId })).status).toBe(403);
    expect((await send(admin, 'POST', reset, { userId: 'nope' })).status).toBe(400);
    expect((await send(admin, 'POST', reset, { userId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    const done = await send(admin, 'POST', reset, { userId });
    expect(done.status).toBe(200);
    recordSecret(done.body.temporaryPassword);
    expect(done.body.user.mustChangePassword).toBe(true);

    const limited = await (await import('./helpers/session.js')).signIn(server, basic.email, done.body.temporaryPassword);
    expect(limited.session.user).toMatchObject({ mustChangePassword: true });
    expect((await send(limited.headers(), 'GET', '/api/session')).body.user.mustChangePassword).toBe(true);
    expect((await send(limited.headers(), 'GET', '/api/projects')).status).toBe(403);
    const final = `Final-pass-${Date.now()}`;
    recordSecret(final);
    expect((await send(limited.headers(), 'POST', change, {}, { currentPassword: done.body.temporaryPassword, newPassword: final })).status).toBe(200);
    expect((await send(limited.headers(), 'GET', '/api/projects')).status).toBe(200);
  });

  it('projects: create, rename, delete (refused while credentials remain, or with them)', async () => {
    const mine = await consoleAccount(server);
    const admin = mine.users.administrator.session.headers();
    const stamp = Date.now();
    const created = await send(admin, 'POST', '/api/projects', {}, { name: `Staging ${stamp}` });
    expect(created.status).toBe(201);
    expect((await send(admin, 'POST', '/api/projects', {}, { name: `Staging ${stamp}` })).status).toBe(409);
    expect((await send(admin, 'POST', '/api/projects', {}, { name: ' ' })).status).toBe(400);
    expect((await send(mine.users.advanced.session.headers(), 'POST', '/api/projects', {}, { name: 'Not allowed' })).status).toBe(403);
    const one = '/api/projects/{projectId}';
    const projectId = created.body.projectId as string;
    expect((await send(admin, 'PATCH', one, { projectId }, { name: `Renamed ${stamp}` })).status).toBe(200);
    expect((await send(admin, 'PATCH', one, { projectId }, { name: 'Main' })).status).toBe(409);
    expect((await send(admin, 'PATCH', one, { projectId: '00000000-0000-4000-8000-000000000000' }, { name: 'x' })).status).toBe(404);
    const key = await send(admin, 'POST', CREDS, { projectId }, { kind: 'basic', label: 'in the way', expireTime: '2030-01-01T00:00:00Z' });
    expect(key.status).toBe(201);
    recordSecret(key.body.apiSecret, key.body.apiKey);
    expect(key.body.credential.expireTime).toBe('2030-01-01T00:00:00.000Z');
    expect((await send(admin, 'DELETE', one, { projectId })).status).toBe(412);
    expect((await send(admin, 'DELETE', one, { projectId }, undefined, 'withCredentials=maybe')).status).toBe(400);
    const deleted = await send(admin, 'DELETE', one, { projectId }, undefined, 'withCredentials=true');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ deletedCredentials: 1 });
    expect((await send(admin, 'DELETE', one, { projectId })).status).toBe(404);
  });

  it('credentials of every kind: create, list, rename, change password, reveal, delete selected', async () => {
    const admin = as('administrator');
    const stamp = Date.now();
    const basic = await send(admin, 'POST', CREDS, project(), { kind: 'basic', label: `Basic ${stamp}` });
    const hmac = await send(admin, 'POST', CREDS, project(), { kind: 'hmac', label: `Hmac ${stamp}` });
    const legacyPassword = `Legacy${stamp}`;
    recordSecret(legacyPassword);
    const legacy = await send(admin, 'POST', CREDS, project(), { kind: 'legacy', username: `legacy-${stamp}`, password: legacyPassword });
    for (const res of [basic, hmac, legacy]) expect(res.status, res.text).toBe(201);
    for (const res of [basic, hmac]) recordSecret(res.body.apiSecret, res.body.apiKey);
    expect(legacy.body).toEqual({ credential: expect.objectContaining({ kind: 'legacy', label: null, username: `legacy-${stamp}` }) });
    expect((await send(admin, 'POST', CREDS, project(), { kind: 'basic', label: `Basic ${stamp}` })).status).toBe(409);
    expect((await send(admin, 'POST', CREDS, project(), { kind: 'basic', label: 'x', extra: 1 })).status).toBe(400);
    expect((await send(as('basic'), 'POST', CREDS, project(), { kind: 'basic', label: 'Not mine' })).status).toBe(403);

    const listed = await send(as('basic'), 'GET', CREDS, project());
    expect(listed.status).toBe(200);
    expect(listed.body.credentials.find((c: Node) => c.kind === 'legacy')).not.toHaveProperty('username');
    expect((await send(admin, 'GET', CREDS, project(), undefined, 'kind=legacy&pageSize=1')).status).toBe(200);
    expect((await send(admin, 'GET', CREDS, project(), undefined, 'kind=other')).status).toBe(400);
    expect((await send(admin, 'GET', CREDS, { projectId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);

    const id = (res: { body: Node }) => ({ ...project(), credentialId: res.body.credential.credentialId as string });
    const one = `${CREDS}/{credentialId}`;
    expect((await send(admin, 'PATCH', one, id(basic), { label: `Renamed ${stamp}` })).status).toBe(200);
    const newPassword = `Changed${stamp}`;
    recordSecret(newPassword);
    expect((await send(admin, 'PATCH', one, id(legacy), { password: newPassword })).status).toBe(200);
    expect((await send(admin, 'PATCH', one, id(legacy), { label: 'No labels here' })).status).toBe(400);
    expect((await send(admin, 'PATCH', one, id(hmac), { expireTime: '2031-01-01T00:00:00Z' })).status).toBe(200);
    expect((await send(admin, 'PATCH', one, id(legacy), { expireTime: null })).status).toBe(200);
    expect((await send(admin, 'POST', `${one}/reveal`, id(hmac))).status).toBe(200);
    // Rotation (issue 14): a REST Basic credential only; 412 for the others.
    const rotating = await send(admin, 'POST', CREDS, project(), { kind: 'basic', label: `Rotating ${stamp}` });
    recordSecret(rotating.body.apiSecret, rotating.body.apiKey);
    const rotated = await send(admin, 'POST', `${one}/rotateSecret`, id(rotating), { previousSecretTtl: '60s' });
    expect(rotated.status, rotated.text).toBe(200);
    recordSecret(rotated.body.apiSecret, rotating.body.apiKey);
    expect((await send(as('basic'), 'GET', `${one}/secrets`, id(rotating))).body.secrets).toHaveLength(2);
    expect((await send(admin, 'POST', `${one}/rotateSecret`, id(legacy), {})).status).toBe(412);
    expect((await send(admin, 'POST', `${one}/revokePreviousSecret`, id(rotating), {})).status).toBe(200);
    expect((await send(admin, 'POST', `${one}/reveal`, id(legacy))).status).toBe(200);
    expect((await send(admin, 'POST', `${one}/reveal`, { ...project(), credentialId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);

    // An access key acts for its own project only; a wrong one is a 401.
    const key = { authorization: server.basic(basic.body.apiKey, basic.body.apiSecret) };
    expect((await send(key, 'GET', CREDS, project())).status).toBe(200);
    expect((await send(key, 'GET', CREDS, { projectId: '00000000-0000-4000-8000-000000000000' })).status).toBe(403);
    expect((await send(key, 'GET', '/api/account')).status).toBe(403);
    const token = await server.token(basic.body.apiKey, basic.body.apiSecret);
    recordToken(token);
    expect((await send({ authorization: `Bearer ${token}` }, 'GET', CREDS, project())).status).toBe(200);
    expect((await send({ authorization: server.basic(basic.body.apiKey, 'wrong') }, 'GET', CREDS, project())).status).toBe(401);

    const del = `${CREDS}/delete`;
    expect((await send(admin, 'POST', del, project(), { credentialIds: [] })).status).toBe(400);
    const ids = [basic, hmac, legacy].map((res) => id(res).credentialId);
    expect((await send(admin, 'POST', del, project(), { credentialIds: [...ids, '00000000-0000-4000-8000-000000000000'] })).status).toBe(404);
    const deleted = await send(admin, 'POST', del, project(), { credentialIds: ids });
    expect(deleted.body).toEqual({ deleted: 3 });
  });

  it('bodies that are too large or not JSON: 413 and 415', async () => {
    const url = `${server.url}/api/projects/${acct.projectId}/credentials`;
    const headers = as('administrator');
    const big = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'basic', label: 'x'.repeat(70_000) }) });
    check('POST', CREDS, big.status, await big.text());
    expect(big.status).toBe(413);
    const plain = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: 'kind=basic' });
    check('POST', CREDS, plain.status, await plain.text());
    expect(plain.status).toBe(415);
  });

  it('an unverified account may not create credentials (412)', async () => {
    const unverified = await consoleAccount(server, { verified: false });
    const res = await send(unverified.users.administrator.session.headers(), 'POST', CREDS, { projectId: unverified.projectId }, { kind: 'hmac', label: 'Too early' });
    expect(res.status).toBe(412);
  });

  it('the audit log, a page at a time', async () => {
    const first = await send(as('administrator'), 'GET', '/api/account/audit-events', {}, undefined, 'pageSize=2');
    expect(first.status).toBe(200);
    expect(first.body.nextPageToken).not.toBe('');
    const next = await send(as('administrator'), 'GET', '/api/account/audit-events', {}, undefined, `pageToken=${encodeURIComponent(first.body.nextPageToken)}`);
    expect(next.status).toBe(200);
    expect(next.body.auditEvents.length).toBeGreaterThan(0);
    expect((await send(as('administrator'), 'GET', '/api/account/audit-events', {}, undefined, 'pageSize=0')).status).toBe(400);
    expect((await send(as('advanced'), 'GET', '/api/account/audit-events')).status).toBe(403);
  });

  it('usage and quotas: the account, a project, a key (test/usage*.test.ts check the numbers)', async () => {
    const admin = as('administrator');
    const created = await send(admin, 'POST', CREDS, project(), { kind: 'basic', label: `Usage ${Date.now()}` });
    recordSecret(created.body.apiSecret, created.body.apiKey);
    await server.token(created.body.apiKey, created.body.apiSecret);
    await server.running.usage!.recorder.flush();
    const key = { ...project(), credentialId: created.body.credential.credentialId as string };
    expect((await send(as('basic'), 'GET', '/api/account/usage', {}, undefined, 'granularity=day')).body.totals.tokens).toBeGreaterThanOrEqual(1);
    expect((await send(as('basic'), 'GET', '/api/projects/{projectId}/usage', project())).status).toBe(200);
    expect((await send(as('basic'), 'GET', `${CREDS}/{credentialId}/usage`, key, undefined, 'granularity=minute')).body.totals.tokens).toBe(1);
    expect((await send(as('basic'), 'GET', '/api/account/usage-settings')).body).toEqual({ unusedKeyDays: 30 });
    expect((await send(as('advanced'), 'PUT', '/api/account/usage-settings', {}, { unusedKeyDays: 7 })).status).toBe(403);
    expect((await send(admin, 'PUT', '/api/account/usage-settings', {}, { unusedKeyDays: 0 })).body.error.message).toMatch(/unusedKeyDays must be a whole number/);
    expect((await send(admin, 'PUT', '/api/account/usage-settings', {}, { unusedKeyDays: 7 })).body).toEqual({ unusedKeyDays: 7 });
    expect((await send(admin, 'PUT', '/api/account/usage-settings', {}, { unusedKeyDays: 30 })).status).toBe(200);
    for (const [path, params] of [['/api/projects/{projectId}/quota', project()], [`${CREDS}/{credentialId}/quota`, key]] as const) {
      expect((await send(as('advanced'), 'PUT', path, params, { tokensPerHour: 5, tokensPerDay: null })).status).toBe(403);
      expect((await send(admin, 'PUT', path, params, { tokensPerHour: 5, tokensPerDay: 50 })).status).toBe(200);
      expect((await send(as('basic'), 'GET', path, params)).body).toEqual({ tokensPerHour: 5, tokensPerDay: 50 });
      expect((await send(admin, 'PUT', path, params, { tokensPerHour: null, tokensPerDay: null })).status).toBe(200);
    }
  });

  it('a status the document does not list for an operation fails', () => {
    expect(() => v.assertValid('GET', '/api/projects', 409, { error: { code: 409, message: 'x', status: 'ALREADY_EXISTS' } })).toThrow(/not documented/);
    expect(() => v.assertValid('GET', '/api/session', 404, { error: { code: 404, message: 'x', status: 'NOT_FOUND' } })).toThrow(/not documented/);
  });

  it('APIs (issue 13): list, create, change, delete; the refusals', async () => {
    const admin = as('administrator');
    const made = await send(admin, 'POST', '/api/apis', {}, { identifier: `https://openapi-${Date.now()}.example`, displayName: 'Documented', scopes: [{ name: 'x:read', description: 'read x' }], tokenTtlSeconds: 300 });
    expect(made.status).toBe(201);
    const id = { apiId: made.body.apiId as string };
    expect((await send(as('basic'), 'GET', '/api/apis')).body.apis).toHaveLength(1);
    expect((await send(as('advanced'), 'POST', '/api/apis', {}, { identifier: 'https://x.example', displayName: 'X' })).status).toBe(403);
    expect((await send(admin, 'POST', '/api/apis', {}, { identifier: made.body.identifier, displayName: 'Again' })).status).toBe(409);
    expect((await send(admin, 'PATCH', '/api/apis/{apiId}', id, { displayName: 'Renamed', tokenTtlSeconds: null })).body).toMatchObject({ displayName: 'Renamed', tokenTtlSeconds: null });
    // A key created in the console with a grant on it, then changed; a Basic user reads it.
    const created = await send(admin, 'POST', CREDS, project(), { kind: 'basic', label: `Granted ${Date.now()}`, grants: [{ api: made.body.identifier, scopes: ['x:read'] }] });
    expect(created.status).toBe(201);
    recordSecret(created.body.apiSecret, created.body.apiKey);
    const key = { ...project(), credentialId: created.body.credential.credentialId as string };
    expect((await send(as('basic'), 'GET', `${CREDS}/{credentialId}/grants`, key)).body).toEqual({ grants: [{ api: made.body.identifier, scopes: ['x:read'], default: true }] });
    expect((await send(as('advanced'), 'PUT', `${CREDS}/{credentialId}/grants`, key, { grants: null })).status).toBe(403);
    expect((await send(admin, 'PUT', `${CREDS}/{credentialId}/grants`, key, { grants: [{ api: 'https://nope.example', scopes: [] }] })).status).toBe(400);
    expect((await send(admin, 'PUT', `${CREDS}/{credentialId}/grants`, key, { grants: [{ api: server.config.issuer, scopes: ['accesskeys.read'] }], customClaims: { team: 'x' } })).body)
      .toEqual({ grants: [{ api: server.config.issuer, scopes: ['accesskeys.read'], default: true }], customClaims: { team: 'x' } });
    expect((await send(admin, 'PUT', `${CREDS}/{credentialId}/grants`, key, { grants: null })).body).toEqual({ grants: null });
    expect((await send(admin, 'DELETE', '/api/apis/{apiId}', id)).status).toBe(200);
    expect((await send(admin, 'DELETE', '/api/apis/{apiId}', id)).status).toBe(404);
    expect((await send(admin, 'GET', '/api/account/audit-events')).status).toBe(200);
  });

  it('public keys and token settings of a REST Basic credential (test/console-public-keys.test.ts checks the rules)', async () => {
    const admin = as('administrator');
    const created = await send(admin, 'POST', CREDS, project(), { kind: 'basic', label: `Public keys ${Date.now()}` });
    recordSecret(created.body.apiSecret, created.body.apiKey);
    const key = { ...project(), credentialId: created.body.credential.credentialId as string };
    const { generateKeyPair, exportJWK } = await import('jose');
    const jwk = await exportJWK((await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })).publicKey);
    const added = await send(admin, 'POST', `${CREDS}/{credentialId}/publicKeys`, key, { jwks: { keys: [{ ...jwk, kid: 'openapi' }] } });
    expect(added.status, added.text).toBe(200);
    expect((await send(as('basic'), 'GET', `${CREDS}/{credentialId}/publicKeys`, key)).body.publicKeys).toHaveLength(1);
    expect((await send(as('advanced'), 'POST', `${CREDS}/{credentialId}/publicKeys`, key, { jwk })).status).toBe(403);
    expect((await send(admin, 'POST', `${CREDS}/{credentialId}/publicKeys`, key, { jwk })).status).toBe(409);
    expect((await send(admin, 'PATCH', `${CREDS}/{credentialId}/tokenSettings`, key, { dpopRequired: true })).body).toEqual({ dpopRequired: true, jwksUri: null });
    expect((await send(admin, 'PATCH', `${CREDS}/{credentialId}/tokenSettings`, key, { jwksUri: 'https://svc.example/jwks' })).status).toBe(412);
    expect((await send(as('basic'), 'GET', `${CREDS}/{credentialId}/tokenSettings`, key)).body.dpopRequired).toBe(true);
    expect((await send(admin, 'POST', `${CREDS}/{credentialId}/removeSecret`, key, {})).body).toEqual({ authenticationMethods: ['private_key_jwt'] });
    expect((await send(admin, 'POST', `${CREDS}/{credentialId}/removeSecret`, key)).status).toBe(412);
    expect((await send(admin, 'POST', `${CREDS}/{credentialId}/rotateSecret`, key, { previousSecretTtl: '0s' })).status).toBe(200);
    const publicKeyId = added.body.publicKeys[0].publicKeyId as string;
    expect((await send(admin, 'DELETE', `${CREDS}/{credentialId}/publicKeys/{publicKeyId}`, { ...key, publicKeyId })).status).toBe(200);
    expect((await send(admin, 'DELETE', `${CREDS}/{credentialId}/publicKeys/{publicKeyId}`, { ...key, publicKeyId })).status).toBe(404);
  });

  it('exercised every operation with a success', () => {
    for (const route of ROUTES) {
      const [method, path] = route.split(' ');
      const ok = Object.keys(doc.paths[path][method].responses).find((s) => s.startsWith('2'));
      expect(seen, route).toContain(`${route} ${ok}`);
    }
  });
});

describe('sign-in lock-out, held to the document', () => {
  let server: TestServer;
  afterAll(() => server?.close());

  it('answers 429 with Retry-After once the e-mail has failed too often', async () => {
    server = await startTestServer({ SIGNIN_FAILURES_PER_EMAIL: '2' });
    const v = createResponseValidator(buildConsoleOpenApi(server.config.issuer));
    const acct = await consoleAccount(server);
    const body = { email: acct.users.basic.email, password: 'not-the-password' };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await callApi(server, 'POST', '/session', {}, body);
      v.assertValid('POST', '/api/session', res.status, res.body);
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 429]);
  });
});
