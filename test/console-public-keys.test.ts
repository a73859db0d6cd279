// Issue 14 in the console API: a REST Basic credential's public keys and token settings,
// addressed by credential ID. Every answer is held to the served console document. The
// console's role rules (Administrators change, every role reads, other accounts see nothing,
// CSRF), the audit log (the user who acted), and the token endpoint following each change:
// a key added here gets a token with a client assertion, removed it is refused; DPoP required
// here refuses a plain request.
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, consoleAccount, type ConsoleAccount, type ConsoleUser } from './helpers/console-account.js';
import { createResponseValidator, type ResponseValidator } from './helpers/openapi-validator.js';
import { recordSecret, recordToken, startTestServer, type TestServer } from './helpers/server.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const KEY = '/api/projects/{projectId}/credentials/{credentialId}';

let server: TestServer;
let doc: ResponseValidator;
let acct: ConsoleAccount;
let ec: { privateKey: CryptoKey; jwk: JWK };

beforeAll(async () => {
  server = await startTestServer();
  doc = createResponseValidator(await (await fetch(`${server.url}/api/openapi.json`)).json());
  acct = await consoleAccount(server);
  const pair = await generateKeyPair('ES256', { extractable: true });
  ec = { privateKey: pair.privateKey, jwk: await exportJWK(pair.publicKey) };
}, 60_000);
afterAll(() => server?.close());

interface Made {
  credentialId: string;
  apiKey: string;
  apiSecret: string;
}

/** Calls `template` (filled with the account's project and the credential) and holds the answer to the document. */
async function call(who: ConsoleUser | Record<string, string>, method: string, template: string, made: Pick<Made, 'credentialId'>, body?: unknown, extra: Record<string, string> = {}) {
  const path = template.replace('{projectId}', acct.projectId).replace('{credentialId}', made.credentialId).replace('{publicKeyId}', extra.publicKeyId ?? '');
  const headers = 'session' in who ? (who as ConsoleUser).session.headers() : (who as Record<string, string>);
  const res = await callApi(server, method, path.replace(/^\/api/, ''), headers, body);
  doc.assertValid(method, template, res.status, res.text === '' ? '' : res.body);
  return res;
}

async function create(kind: 'basic' | 'hmac', label: string): Promise<Made> {
  const res = await acct.users.administrator.call('POST', `/projects/${acct.projectId}/credentials`, { kind, label });
  expect(res.status, res.text).toBe(201);
  recordSecret(res.body.apiSecret, res.body.apiKey);
  return { credentialId: res.body.credential.credentialId, apiKey: res.body.apiKey, apiSecret: res.body.apiSecret };
}

async function assertionToken(keyId: string, privateKey = ec.privateKey, headers: Record<string, string> = {}) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(keyId)
    .setSubject(keyId)
    .setAudience(`${server.config.issuer}/oauth2/token`)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(privateKey);
  const res = await fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: jwt }),
  });
  const body = (await res.json()) as Record<string, string>;
  recordToken(body.access_token);
  return { status: res.status, body };
}

const until = async (fn: () => Promise<number>, want: number) => {
  for (let i = 0; i < 100; i++) if ((await fn()) === want) return want;
  return fn();
};

describe('public keys of a REST Basic credential', () => {
  it('an Administrator adds one; the key then gets a token with a client assertion; every role lists it', async () => {
    const made = await create('basic', `Signed ${Date.now()}`);
    const admin = acct.users.administrator;
    expect((await call(admin, 'GET', `${KEY}/publicKeys`, made)).body).toEqual({ publicKeys: [] });
    expect((await assertionToken(made.apiKey)).status).toBe(401);

    const added = await call(admin, 'POST', `${KEY}/publicKeys`, made, { jwk: { ...ec.jwk, kid: 'console-ec' } });
    expect(added.status, added.text).toBe(200);
    const thumbprint = await calculateJwkThumbprint(ec.jwk);
    expect(added.body.publicKeys).toEqual([expect.objectContaining({ publicKeyId: thumbprint, kid: 'console-ec', alg: 'ES256' })]);
    expect(await until(async () => (await assertionToken(made.apiKey)).status, 200)).toBe(200);
    // The secret keeps working beside it.
    recordToken(await server.token(made.apiKey, made.apiSecret));

    for (const role of ['advanced', 'basic'] as const) {
      const listed = await call(acct.users[role], 'GET', `${KEY}/publicKeys`, made);
      expect(listed.status).toBe(200);
      expect(listed.body.publicKeys.map((k: { kid: string }) => k.kid)).toEqual(['console-ec']);
      expect((await call(acct.users[role], 'GET', `${KEY}/tokenSettings`, made)).body).toEqual({ dpopRequired: false, jwksUri: null });
    }

    const events = (await admin.call('GET', '/account/audit-events')).body.auditEvents;
    expect(events[0]).toMatchObject({
      action: 'credential.public_key_add',
      actor: { type: 'user', name: admin.email },
      credential: { credentialId: made.credentialId, kind: 'basic' },
      details: { publicKeyId: thumbprint, kid: 'console-ec', alg: 'ES256' },
    });

    // Removed: the assertion is refused (on this instance at once, elsewhere through the change feed).
    const removed = await call(admin, 'DELETE', `${KEY}/publicKeys/{publicKeyId}`, made, undefined, { publicKeyId: thumbprint });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({});
    expect(await until(async () => (await assertionToken(made.apiKey)).status, 401)).toBe(401);
    const again = await call(admin, 'DELETE', `${KEY}/publicKeys/{publicKeyId}`, made, undefined, { publicKeyId: thumbprint });
    expect(again.status).toBe(404);
    // The console never names the Key ID in an answer (it is behind an audited reveal).
    expect(again.text).not.toContain(made.apiKey);
    const after = (await admin.call('GET', '/account/audit-events')).body.auditEvents[0];
    expect(after).toMatchObject({ action: 'credential.public_key_remove', actor: { type: 'user', name: admin.email }, details: { publicKeyId: thumbprint, kid: 'console-ec' } });
  });

  it('Advanced and Basic users, and a session without the CSRF token, change nothing', async () => {
    const made = await create('basic', `Guarded ${Date.now()}`);
    for (const role of ['advanced', 'basic'] as const) {
      const refused = await call(acct.users[role], 'POST', `${KEY}/publicKeys`, made, { jwk: ec.jwk });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/Only account Administrators/);
      expect((await call(acct.users[role], 'PATCH', `${KEY}/tokenSettings`, made, { dpopRequired: true })).status).toBe(403);
    }
    const cookieOnly = { cookie: acct.users.administrator.session.cookie };
    expect((await call(cookieOnly, 'POST', `${KEY}/publicKeys`, made, { jwk: ec.jwk })).status).toBe(403);
    expect((await call(cookieOnly, 'PATCH', `${KEY}/tokenSettings`, made, { dpopRequired: true })).status).toBe(403);
    expect((await call(acct.users.administrator, 'GET', `${KEY}/publicKeys`, made)).body).toEqual({ publicKeys: [] });
    expect((await call(acct.users.administrator, 'GET', `${KEY}/tokenSettings`, made)).body).toEqual({ dpopRequired: false, jwksUri: null });
    expect((await assertionToken(made.apiKey)).status).toBe(401);
  });

  it("another account's Administrator finds nothing; an HMAC credential has no public keys (412)", async () => {
    const made = await create('basic', `Mine ${Date.now()}`);
    const theirs = await consoleAccount(server);
    const path = `/projects/${acct.projectId}/credentials/${made.credentialId}`;
    for (const [method, sub, body] of [['GET', '/publicKeys'], ['POST', '/publicKeys', { jwk: ec.jwk }], ['PATCH', '/tokenSettings', { dpopRequired: true }]] as const) {
      const res = await theirs.users.administrator.call(method, `${path}${sub}`, body);
      doc.assertValid(method, `${KEY}${sub}`, res.status, res.body);
      expect(res.status, `${method} ${sub}`).toBe(404);
    }
    const hmac = await create('hmac', `Signed requests ${Date.now()}`);
    const refused = await call(acct.users.administrator, 'POST', `${KEY}/publicKeys`, hmac, { jwk: ec.jwk });
    expect(refused.status).toBe(412);
    expect(refused.body.error.message).toMatch(/REST Basic/);
    expect((await call(acct.users.basic, 'GET', `${KEY}/tokenSettings`, hmac)).status).toBe(412);
    expect((await call(acct.users.administrator, 'GET', `${KEY}/publicKeys`, { credentialId: randomUUID() })).status).toBe(404);
    expect((await call(acct.users.administrator, 'GET', `${KEY}/publicKeys`, { credentialId: 'not-an-id' })).status).toBe(404);
  });

  it('refuses what the v1 API refuses, with a message naming the problem, and keeps nothing', async () => {
    const made = await create('basic', `Refusals ${Date.now()}`);
    const admin = acct.users.administrator;
    const priv = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
    const cases: Array<[unknown, number, RegExp]> = [
      [{ jwk: priv }, 400, /private/i],
      [{ jwk: { kty: 'oct', k: 'c2VjcmV0' } }, 400, /oct|symmetric/i],
      [{ jwk: ec.jwk, jwks: { keys: [ec.jwk] } }, 400, /exactly one/],
      [{}, 400, /exactly one/],
      [{ jwks: { keys: [ec.jwk, ec.jwk] } }, 400, /twice/],
      ['{"jwk":', 400, /JSON/i],
    ];
    for (const [body, status, message] of cases) {
      const res = await call(admin, 'POST', `${KEY}/publicKeys`, made, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.message).toMatch(message);
    }
    expect((await call(admin, 'POST', `${KEY}/publicKeys`, made, { jwk: ec.jwk })).status).toBe(200);
    expect((await call(admin, 'POST', `${KEY}/publicKeys`, made, { jwk: ec.jwk })).status).toBe(409);
    // Public keys here or a jwks_uri, not both.
    const both = await call(admin, 'PATCH', `${KEY}/tokenSettings`, made, { jwksUri: 'https://svc.example/jwks.json' });
    expect(both.status).toBe(412);
    expect(both.body.error.message).toMatch(/not both/);
    expect((await call(admin, 'PATCH', `${KEY}/tokenSettings`, made, { jwksUri: 'http://svc.example/jwks.json' })).body.error.message).toMatch(/https/);
    expect((await call(admin, 'PATCH', `${KEY}/tokenSettings`, made, {})).status).toBe(400);
    expect((await call(admin, 'PATCH', `${KEY}/tokenSettings`, made, { dpopRequired: 'yes' })).status).toBe(400);
    expect((await call(admin, 'DELETE', `${KEY}/publicKeys/{publicKeyId}`, made, undefined, { publicKeyId: 'short' })).status).toBe(400);
    expect((await call(admin, 'GET', `${KEY}/publicKeys`, made)).body.publicKeys).toHaveLength(1);
    expect((await call(admin, 'GET', `${KEY}/tokenSettings`, made)).body).toEqual({ dpopRequired: false, jwksUri: null });
  });
});

describe('Create new key with public keys (no secret)', () => {
  const CREDS = '/api/projects/{projectId}/credentials';
  const createAs = (who: ConsoleUser, body: unknown) => call(who, 'POST', CREDS, { credentialId: '' }, body);
  const count = async () => (await acct.users.administrator.call('GET', `/projects/${acct.projectId}/credentials?kind=basic`)).body.credentials.length as number;

  it('makes a REST Basic key without a secret that gets tokens with its public key only; audited', async () => {
    const admin = acct.users.administrator;
    const made = await createAs(admin, { kind: 'basic', label: `No secret ${Date.now()}`, jwk: { ...ec.jwk, kid: 'at-create' }, generateSecret: false });
    expect(made.status, made.text).toBe(201);
    expect(made.body).not.toHaveProperty('apiSecret');
    expect(made.body.credential.authenticationMethods).toEqual(['private_key_jwt']);
    const apiKey = made.body.apiKey as string;
    expect((await assertionToken(apiKey)).status).toBe(200);
    for (const guess of ['kmsk_guess', 'wrong']) {
      const res = await fetch(`${server.url}/oauth2/token`, { method: 'POST', headers: { authorization: server.basic(apiKey, guess), 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
      expect(res.status).toBe(401);
    }
    const listed = (await admin.call('GET', `/projects/${acct.projectId}/credentials?kind=basic`)).body.credentials.find((c: { credentialId: string }) => c.credentialId === made.body.credential.credentialId);
    expect(listed.authenticationMethods).toEqual(['private_key_jwt']);
    const events = (await admin.call('GET', '/account/audit-events')).body.auditEvents;
    expect(events[0]).toMatchObject({ action: 'credential.create', actor: { type: 'user', name: admin.email }, details: { secret: false } });
    expect(events[1]).toMatchObject({ action: 'credential.public_key_add', details: { kid: 'at-create' } });

    // With a secret too: both ways, the secret shown once as always.
    const both = await createAs(admin, { kind: 'basic', label: `Both ${Date.now()}`, jwks: { keys: [ec.jwk] } });
    expect(both.status).toBe(201);
    recordSecret(both.body.apiSecret, both.body.apiKey);
    expect(both.body.credential.authenticationMethods).toEqual(['client_secret_basic', 'client_secret_post', 'private_key_jwt']);
    recordToken(await server.token(both.body.apiKey, both.body.apiSecret));
  });

  it('refuses what cannot be, and creates nothing', async () => {
    const admin = acct.users.administrator;
    const before = await count();
    const priv = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
    recordSecret(priv.d);
    const cases: Array<[ConsoleUser, unknown, number, RegExp]> = [
      [admin, { kind: 'basic', label: 'x1', generateSecret: false }, 400, /needs another way to authenticate/],
      [admin, { kind: 'basic', label: 'x2', jwk: priv, generateSecret: false }, 400, /private key material/],
      [admin, { kind: 'basic', label: 'x3', jwk: ec.jwk, jwksUri: 'https://svc.example/jwks' }, 400, /not both/],
      [admin, { kind: 'basic', label: 'x4', jwksUri: 'http://svc.example/jwks', generateSecret: false }, 400, /https/],
      [admin, { kind: 'hmac', label: 'x5', jwk: ec.jwk }, 400, /jwk/],
      [acct.users.advanced, { kind: 'basic', label: 'x6', jwk: ec.jwk, generateSecret: false }, 403, /Only account Administrators/],
    ];
    for (const [who, body, status, message] of cases) {
      const res = await createAs(who, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.message).toMatch(message);
    }
    expect(await count()).toBe(before);
  });
});

describe('Remove secret', () => {
  it('an Administrator removes the secret of a key with a public key: the secret is refused, the assertion works; audited', async () => {
    const made = await create('basic', `Secretless ${Date.now()}`);
    const admin = acct.users.administrator;
    const path = `${KEY}/removeSecret`;
    const early = await call(admin, 'POST', path, made, {});
    expect(early.status).toBe(412);
    expect(early.body.error.message).toMatch(/add a public key \(Public keys\) or set a jwks_uri/);
    expect((await call(admin, 'POST', `${KEY}/publicKeys`, made, { jwk: ec.jwk })).status).toBe(200);
    for (const role of ['advanced', 'basic'] as const) expect((await call(acct.users[role], 'POST', path, made, {})).status).toBe(403);
    expect((await call({ cookie: admin.session.cookie }, 'POST', path, made, {})).status).toBe(403);
    const other = await consoleAccount(server);
    const foreign = await other.users.administrator.call('POST', `/projects/${acct.projectId}/credentials/${made.credentialId}/removeSecret`, {});
    expect(foreign.status).toBe(404);
    recordToken(await server.token(made.apiKey, made.apiSecret));

    const removed = await call(admin, 'POST', path, made, { revokeTokens: false });
    expect(removed.body).toEqual({ authenticationMethods: ['private_key_jwt'] });
    const listed = await admin.call('GET', `/projects/${acct.projectId}/credentials?kind=basic`);
    expect(listed.body.credentials.find((c: { credentialId: string }) => c.credentialId === made.credentialId).authenticationMethods).toEqual(['private_key_jwt']);
    const secretStatus = async () => {
      const res = await fetch(`${server.url}/oauth2/token`, { method: 'POST', headers: { authorization: server.basic(made.apiKey, made.apiSecret), 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
      recordToken(((await res.json()) as { access_token?: string }).access_token);
      return res.status;
    };
    expect(await until(secretStatus, 401)).toBe(401);
    expect(await until(async () => (await assertionToken(made.apiKey)).status, 200)).toBe(200);
    expect((await admin.call('GET', '/account/audit-events')).body.auditEvents[0]).toMatchObject({ action: 'credential.secret_remove', actor: { type: 'user', name: admin.email }, credential: { credentialId: made.credentialId } });
    expect((await call(admin, 'POST', path, made, {})).body.error.message).toMatch(/no secret/);
    // Its last public key stays: the key would have no way left.
    const last = await call(admin, 'DELETE', `${KEY}/publicKeys/{publicKeyId}`, made, undefined, { publicKeyId: await calculateJwkThumbprint(ec.jwk) });
    expect(last.status).toBe(412);
  });
});

describe('token settings of a REST Basic credential', () => {
  it('DPoP required: a plain token request is refused; a jwks_uri is set and cleared; both audited', async () => {
    const made = await create('basic', `DPoP ${Date.now()}`);
    const admin = acct.users.administrator;
    const set = await call(admin, 'PATCH', `${KEY}/tokenSettings`, made, { dpopRequired: true });
    expect(set.body).toEqual({ dpopRequired: true, jwksUri: null });
    const plain = async () => {
      const res = await fetch(`${server.url}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: server.basic(made.apiKey, made.apiSecret), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      recordToken(((await res.json()) as { access_token?: string }).access_token);
      return res.status;
    };
    expect(await until(plain, 400)).toBe(400);
    const event = (await admin.call('GET', '/account/audit-events')).body.auditEvents[0];
    expect(event).toMatchObject({ action: 'credential.token_settings_change', actor: { type: 'user', name: admin.email }, details: { dpopRequired: true, jwksUri: null } });

    const uri = await call(admin, 'PATCH', `${KEY}/tokenSettings`, made, { jwksUri: 'https://svc.example/.well-known/jwks.json', dpopRequired: false });
    expect(uri.body).toEqual({ dpopRequired: false, jwksUri: 'https://svc.example/.well-known/jwks.json' });
    expect(await until(plain, 200)).toBe(200);
    const blocked = await call(admin, 'POST', `${KEY}/publicKeys`, made, { jwk: ec.jwk });
    expect(blocked.status).toBe(412);
    expect((await call(admin, 'PATCH', `${KEY}/tokenSettings`, made, { jwksUri: null })).body).toEqual({ dpopRequired: false, jwksUri: null });
  });

  it("an access key manages its own project's credentials, not another project's", async () => {
    const made = await create('basic', `Managed by a key ${Date.now()}`);
    const manager = await create('basic', `Manager ${Date.now()}`);
    const asKey = { authorization: server.basic(manager.apiKey, manager.apiSecret) };
    expect((await call(asKey, 'POST', `${KEY}/publicKeys`, made, { jwk: ec.jwk })).status).toBe(200);
    const event = (await acct.users.administrator.call('GET', '/account/audit-events')).body.auditEvents[0];
    expect(event).toMatchObject({ action: 'credential.public_key_add', actor: { type: 'access_key', id: manager.apiKey } });
    const other = await server.bootstrap();
    const foreign = { authorization: server.basic(other.accessKey.accessKeyId, other.secret) };
    expect((await call(foreign, 'GET', `${KEY}/publicKeys`, made)).status).toBe(403);
    expect((await call(foreign, 'PATCH', `${KEY}/tokenSettings`, made, { dpopRequired: true })).status).toBe(403);
    expect((await call(acct.users.administrator, 'GET', `${KEY}/tokenSettings`, made)).body.dpopRequired).toBe(false);
  });
});
