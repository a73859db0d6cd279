// Issue #11 item 8: every response that carries a secret, a CSRF token or session data is
// Cache-Control: no-store, so that no browser or shared cache keeps a copy. Each route is
// called for real, successes and refusals alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHmacRequest } from '../src/auth/hmac-signature.js';
import { startTestServer, recordSecret, recordToken, type Bootstrapped, type TestServer } from './helpers/server.js';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { signIn } from './helpers/session.js';
import { basicHeader, FORM } from './helpers/token-requests.js';

let s: TestServer;
let key: Bootstrapped;
let acct: ConsoleAccount;

beforeAll(async () => {
  s = await startTestServer();
  key = await s.bootstrap();
  acct = await consoleAccount(s);
});
afterAll(() => s?.close());

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': typeof body === 'string' ? FORM : 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

function expectNoStore(res: { status: number; headers: Headers; text: string }, name: string, status: number) {
  expect(res.status, `${name}: ${res.text}`).toBe(status);
  expect(res.headers.get('cache-control'), name).toBe('no-store');
}

describe('Cache-Control: no-store', () => {
  it('on the v1 API: a new secret, lists, reads, changes, refusals', async () => {
    const auth = { authorization: basicHeader(key.accessKey.accessKeyId, key.secret) };
    const base = `/v1/projects/${key.projectId}/accessKeys`;
    const created = await call('POST', base, auth, { displayName: 'cached?' });
    expectNoStore(created, 'create (secret)', 200);
    recordSecret(created.json.secret);
    const id = created.json.accessKey.accessKeyId;
    expectNoStore(await call('GET', base, auth), 'list', 200);
    expectNoStore(await call('GET', `${base}/${id}`, auth), 'get', 200);
    expectNoStore(await call('PATCH', `${base}/${id}`, auth, { displayName: 'renamed' }), 'rename', 200);
    expectNoStore(await call('DELETE', `${base}/${id}`, auth), 'delete', 200);
    expectNoStore(await call('GET', base, {}), 'unauthenticated', 401);
  });

  it('at the token endpoint: Basic, client_secret_post, HMAC, and refusals', async () => {
    const grant = 'grant_type=client_credentials';
    const basic = await call('POST', '/oauth2/token', { authorization: basicHeader(key.accessKey.accessKeyId, key.secret) }, grant);
    expectNoStore(basic, 'basic', 200);
    recordToken(basic.json.access_token);
    const post = await call('POST', '/oauth2/token', {}, `${grant}&client_id=${key.accessKey.accessKeyId}&client_secret=${key.secret}`);
    expectNoStore(post, 'client_secret_post', 200);
    recordToken(post.json.access_token);
    expectNoStore(await call('POST', '/oauth2/token', { authorization: basicHeader(key.accessKey.accessKeyId, 'wrong') }, grant), 'wrong secret', 401);
    const hmac = await acct.users.administrator.call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'hmac', label: 'no-store' });
    recordSecret(hmac.body.apiSecret);
    const headers = signHmacRequest({ username: hmac.body.apiKey, secret: hmac.body.apiSecret, algorithm: 'hmac-sha256', method: 'POST', path: '/oauth2/token', body: grant, date: new Date() });
    const signed = await call('POST', '/oauth2/token', headers, grant);
    expectNoStore(signed, 'hmac', 200);
    recordToken(signed.json.access_token);
  });

  it('on the console API: sign-in (CSRF token), session, sign-out, credentials with secrets, reveal, users', async () => {
    const admin = acct.users.administrator;
    const signInRes = await call('POST', '/api/session', {}, { email: admin.email, password: admin.password });
    expectNoStore(signInRes, 'sign-in', 200);
    expect(signInRes.json.csrfToken).toBeTruthy();
    recordSecret(signInRes.json.csrfToken);
    expectNoStore(await call('POST', '/api/session', {}, { email: admin.email, password: 'wrong password' }), 'failed sign-in', 401);
    const session = await signIn(s, admin.email, admin.password);
    const h = session.headers();
    expectNoStore(await call('GET', '/api/session', h), 'session (CSRF token)', 200);
    expectNoStore(await call('GET', '/api/account', h), 'account', 200);
    const base = `/api/projects/${acct.projectId}/credentials`;
    for (const body of [{ kind: 'basic', label: 'nb' }, { kind: 'hmac', label: 'nh' }, { kind: 'legacy', username: `no.store.${Date.now()}`, password: 'CacheMeNot42' }]) {
      const made = await call('POST', base, h, body);
      expectNoStore(made, `create ${body.kind}`, 201);
      if (made.json.apiSecret) recordSecret(made.json.apiSecret);
      const id = made.json.credential.credentialId;
      if (body.kind !== 'legacy') expectNoStore(await call('POST', `${base}/${id}/reveal`, h), `reveal ${body.kind}`, 200);
      else expectNoStore(await call('PATCH', `${base}/${id}`, h, { password: 'CacheMeNot43' }), 'change password', 200);
    }
    expectNoStore(await call('GET', base, h), 'list credentials', 200);
    const email = `nostore-${Date.now()}@example.com`;
    recordSecret('Added-User-Pass-1');
    expectNoStore(await call('POST', '/api/account/users', h, { email, password: 'Added-User-Pass-1', role: 'basic' }), 'add user', 201);
    expectNoStore(await call('GET', '/api/account/users', h), 'users', 200);
    expectNoStore(await call('DELETE', '/api/session', h), 'sign-out', 204);
    expectNoStore(await call('GET', '/api/session', {}), 'not signed in', 401);
  });

  it('on introspection', async () => {
    const token = await s.token(key.accessKey.accessKeyId, key.secret);
    const res = await call('POST', '/oauth2/introspect', { authorization: basicHeader(key.accessKey.accessKeyId, key.secret) }, `token=${token}`);
    expectNoStore(res, 'introspect', 200);
  });
});
