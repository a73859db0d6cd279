// Hostile input, property-based, at the console API as a signed-in Administrator: any JSON
// (and non-JSON) body at every state-changing call, hostile path segments and query
// strings. Never a 5xx or a leak; after a refusal, no row of credentials, users, accounts
// or the audit log has changed.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, recordSecret, type TestServer } from './helpers/server.js';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { assertNoLeak } from './helpers/api-client.js';
import { hostileString, pathSegment, queryString, RUNS } from './helpers/hostile.js';

let server: TestServer;
let acct: ConsoleAccount;
let credentialIds: string[];
beforeAll(async () => {
  server = await startTestServer();
  acct = await consoleAccount(server);
  credentialIds = [];
  for (const body of [{ kind: 'basic', label: 'one' }, { kind: 'hmac', label: 'two' }, { kind: 'legacy', username: `hostile${Date.now()}`, password: 'Kx7Legacy' }]) {
    const res = await acct.users.administrator.call('POST', `/projects/${acct.projectId}/credentials`, body);
    if (res.body.apiSecret) recordSecret(res.body.apiSecret);
    credentialIds.push(res.body.credential.credentialId);
  }
});
afterAll(() => server?.close());

async function state(): Promise<string> {
  const { rows } = await server.sql.query(
    `SELECT (SELECT json_agg(k ORDER BY id) FROM (SELECT id, kind, display_name, secret_hash, secret_sealed, username, update_time FROM access_keys) k)::text AS keys,
            (SELECT json_agg(u ORDER BY id) FROM (SELECT id, email, role, password_hash FROM users) u)::text AS users,
            (SELECT json_agg(a ORDER BY id) FROM accounts a)::text AS accounts,
            (SELECT json_agg(p ORDER BY id) FROM projects p)::text AS projects,
            (SELECT count(*) FROM sessions)::int AS sessions,
            (SELECT count(*) FROM audit_events)::int AS audit`,
  );
  return JSON.stringify(rows[0]);
}

// JSON values shaped like the real bodies, with hostile leaves, and anything at all.
const leaf = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('basic', 'hmac', 'legacy', 'administrator', 'basic', 'Kx7Legacy'));
const field = fc.constantFrom('kind', 'label', 'username', 'password', 'credentialIds', 'email', 'role', 'name', 'expireTime', 'currentPassword', 'newPassword', '__proto__', 'constructor');
const shaped = fc.dictionary(field, fc.oneof(leaf, fc.array(leaf, { maxLength: 3 })), { maxKeys: 4 });
const body = fc.oneof(
  { weight: 5, arbitrary: shaped.map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: hostileString },
);

const p = () => `/projects/${acct.projectId}/credentials`;
const targets = [
  { name: 'POST credentials', method: 'POST', path: () => p() },
  { name: 'PATCH a REST credential', method: 'PATCH', path: () => `${p()}/${credentialIds[0]}` },
  { name: 'PATCH a legacy credential', method: 'PATCH', path: () => `${p()}/${credentialIds[2]}` },
  { name: 'POST credentials/delete', method: 'POST', path: () => `${p()}/delete` },
  { name: 'POST account/users', method: 'POST', path: () => '/account/users' },
  { name: 'POST projects', method: 'POST', path: () => '/projects' },
  { name: 'PATCH a project', method: 'PATCH', path: () => `/projects/${acct.projectId}` },
  { name: 'POST session/password', method: 'POST', path: () => '/session/password' },
];

async function send(method: string, path: string, text: string | undefined, contentType = 'application/json') {
  const headers: Record<string, string> = { ...acct.users.administrator.session.headers() };
  if (text !== undefined) headers['content-type'] = contentType;
  const res = await fetch(`${server.url}/api${path}`, { method, headers, body: text });
  return { status: res.status, text: await res.text() };
}

describe('hostile bodies at the console API', () => {
  it.each(targets.map((t) => [t.name, t] as const))('%s: no 5xx, and nothing changes unless it answered 2xx', async (_name, target) => {
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const before = await state();
        const res = await send(target.method, target.path(), text);
        expect(res.status, text.slice(0, 80)).toBeLessThan(500);
        assertNoLeak(res.status, res.text);
        if (res.status >= 300) expect(await state()).toBe(before);
        else if (/apiSecret/.test(res.text)) recordSecret(JSON.parse(res.text).apiSecret);
      }),
      { ...RUNS, numRuns: 60 },
    );
  });
});

describe('hostile paths and queries at the console API', () => {
  it('never answers 5xx, never leaks, changes nothing on a refusal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE'), fc.constantFrom('credentials', 'users', 'projects'), pathSegment, fc.constantFrom('', '/reveal', '/x', '/password-reset'), queryString, async (method, collection, segment, tail, query) => {
        const before = await state();
        const prefix = collection === 'users' ? '/account/users' : collection === 'projects' ? '/projects' : p();
        const path = `${prefix}/${segment}${tail}${query}`;
        const res = await send(method, path, method === 'GET' || method === 'DELETE' ? undefined : collection === 'users' ? '{"role":"basic"}' : collection === 'projects' ? '{"name":"x"}' : '{"label":"x"}');
        expect(res.status, path.slice(0, 120)).toBeLessThan(500);
        // The 404 for an unknown route names the path it was sent (as sent): only what we sent.
        assertNoLeak(res.status, res.text.split(`/api${prefix}/${segment}${tail}`).join('/api/…'));
        if (res.status >= 300 || method === 'GET') expect(await state()).toBe(before);
      }),
      { ...RUNS, numRuns: 200 },
    );
  });
});
