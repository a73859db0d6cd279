// Issue 12: Keymint's own grant for a Key Secret (tokenIssuer 'keymint', oauth/secret-grant.ts)
// answers every token request exactly as oidc-provider did (tokenIssuer 'oidc-provider').
// Two servers on one database, master key and issuer get the same corpus of requests
// (helpers/parity-corpus.ts), each server asking with its own twin of every key; the answers
// are compared once normalised (helpers/token-parity.ts: status, headers, body, a token's
// header and claims verified against the JWKS). Then the usage counts of each pair of twins
// must agree: the same traffic counts the same.
import { randomUUID } from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cluster, SHARED_ISSUER, type Cluster } from './helpers/cluster.js';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { recordSecret, type Bootstrapped, type TestServer } from './helpers/server.js';
import { basicHeader, FORM, otherLastChar, until } from './helpers/token-requests.js';
import { AUDIENCE, BILLING, basicCall, cases, lateCases, clearOfMinuteEnd, clientJwk, GRANT, FAILURES, GONE, KEYS, ORDERS, post, SHORT, withParams, type Case, type Cred, type KeyName, type Side } from './helpers/parity-corpus.js';
import { rotateSigningKey } from '../src/oauth/signing-keys.js';
import { normalise, sendToken, VOLATILE, type TokenCall } from './helpers/token-parity.js';

const ISSUERS = ['keymint', 'oidc-provider'] as const;
type Issuer = (typeof ISSUERS)[number];
const HOUR = 3_600_000;

let c: Cluster;
const servers = {} as Record<Issuer, TestServer>;
const jwks = {} as Record<Issuer, JSONWebKeySet>;
const keys = {} as Record<Issuer, Record<KeyName, Cred>>;
const unknownId = {} as Record<Issuer, string>;
let acct: ConsoleAccount;
let manager: { id: string; secret: string };
let jwk: JWK; // the client assertions' public key
// The usage clock, five minutes into an hour: the quota's window never ends mid-test.
const offset = Math.ceil(Date.now() / HOUR) * HOUR + 5 * 60_000 - Date.now();
const now = () => Date.now() + offset;

const admin = () => acct.users.administrator;
const managerAuth = () => basicHeader(manager.id, manager.secret);

/** A v1 call as the manager key, on the keymint server unless told (each change on its twin's own server keeps the counters alike). */
async function v1(method: string, path: string, body?: unknown, s: TestServer = servers.keymint) {
  const res = await fetch(`${s.url}/v1/projects/${acct.projectId}/accessKeys${path}`, {
    method,
    headers: { authorization: managerAuth(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  expect(res.status, `${method} ${path}: ${JSON.stringify(json)}`).toBe(200);
  return json;
}

async function rowOf(where: 'id' | 'credential_id', value: string) {
  const { rows } = await servers.keymint.sql.query(`SELECT id, credential_id FROM access_keys WHERE ${where} = $1`, [value]);
  return { keyId: rows[0].id as string, credentialId: rows[0].credential_id as string };
}

async function v1Key(body: Record<string, unknown> = {}): Promise<Cred> {
  const made = await v1('POST', '', { displayName: `parity ${randomUUID()}`, ...body });
  recordSecret(made.secret, made.accessKey.accessKeyId);
  return { id: made.accessKey.accessKeyId, secret: made.secret, ...(await rowOf('id', made.accessKey.accessKeyId)) };
}

async function consoleKey(body: Record<string, unknown>): Promise<Cred> {
  const res = await admin().call('POST', `/projects/${acct.projectId}/credentials`, body);
  expect(res.status, res.text).toBe(201);
  const row = await rowOf('credential_id', res.body.credential.credentialId);
  if (body.kind === 'legacy') return { id: body.username as string, secret: body.password as string, ...row };
  recordSecret(res.body.apiSecret, res.body.apiKey);
  return { id: res.body.apiKey, secret: res.body.apiSecret, ...row };
}

const makers: Record<KeyName, () => Promise<Cred>> = {
  plain: () => v1Key(),
  wrong: () => v1Key(), // asked only with malformed secrets: the plain key stays under its failure budget
  expired: () => v1Key(),
  coldExpired: () => v1Key(),
  deleted: () => v1Key(),
  rotated: () => v1Key(),
  removed: () => v1Key(),
  secretless: () => v1Key({ jwk, generateSecret: false }),
  limited: () => v1Key(),
  quota: () => v1Key(),
  dpop: () => v1Key(),
  granted: () => v1Key({ grants: [{ api: ORDERS, scopes: ['orders:read'] }, { api: BILLING, scopes: [] }], customClaims: { tenant: 'acme', tier: 2 } }),
  short: () => v1Key({ grants: [{ api: SHORT, scopes: ['a'] }] }),
  manages: () => v1Key({ grants: [{ api: SHARED_ISSUER, scopes: ['accesskeys.read'] }] }),
  ungranted: () => v1Key({ grants: [] }),
  orphan: () => v1Key({ grants: [{ api: GONE, scopes: ['g'] }] }),
  burst: () => v1Key(),
  expiring: () => v1Key({ expireTime: new Date(Date.now() + 86_400_000).toISOString() }),
  jwksUri: () => v1Key(),
  lateDeleted: () => v1Key(),
  lateRotated: () => v1Key(),
  lateDpop: () => v1Key(),
  lateExpired: () => v1Key(),
  lateGrants: () => v1Key(),
  oddClaims: () => v1Key({ grants: [{ api: ORDERS, scopes: [] }], customClaims: JSON.parse('{"__proto__":{"x":1},"é":"ü ✓","nested":{"a":[1,null,true,0.1]},"big":9007199254740993}') }),
  legacy: () => {
    const password = `Parity${randomUUID().slice(0, 8)}X1`;
    recordSecret(password);
    return consoleKey({ kind: 'legacy', username: `parity.${randomUUID().slice(0, 8)}`, password });
  },
  hmac: () => consoleKey({ kind: 'hmac', label: `parity hmac ${randomUUID()}` }),
  assertion: () => v1Key(),
};

const plainToken = (s: TestServer, k: Cred) =>
  sendToken(s.url, { headers: { authorization: basicHeader(k.id, k.secret), 'content-type': FORM }, body: 'grant_type=client_credentials' });

beforeAll(async () => {
  // A key's failure budget of FAILURES a minute: only the `limited` twins go past it.
  c = await cluster({ TOKEN_AUDIENCE: AUDIENCE, TOKEN_SCOPES: 'read write', USAGE_FLUSH_MS: '600000', AUTH_FAILURES_PER_KEY: String(FAILURES) });
  for (const issuer of ISSUERS) servers[issuer] = await c.start({}, { tokenIssuer: issuer, now });
  acct = await consoleAccount(servers.keymint);
  const apiIds: Record<string, string> = {};
  for (const [identifier, scopes, ttl] of [[ORDERS, ['orders:read', 'orders:write']], [BILLING, ['invoices:read']], [SHORT, ['a'], 120], [GONE, ['g']]] as const) {
    const res = await admin().call('POST', '/apis', { identifier, displayName: identifier, scopes: scopes.map((name) => ({ name })), ...(ttl && { tokenTtlSeconds: ttl }) });
    expect(res.status, res.text).toBe(201);
    apiIds[identifier] = res.body.apiId;
  }
  const made = await consoleKey({ kind: 'basic', label: 'parity manager' });
  manager = { id: made.id, secret: made.secret };
  jwk = await clientJwk();

  for (const issuer of ISSUERS) {
    const s = servers[issuer];
    const mine = (keys[issuer] = {} as Record<KeyName, Cred>);
    for (const name of KEYS) mine[name] = await makers[name]();
    unknownId[issuer] = randomUUID();
    // Each twin is warm on its own server before it changes: the change must reach the cache.
    for (const name of ['expired', 'deleted', 'rotated', 'removed', 'dpop'] as const) expect((await plainToken(s, mine[name])).status).toBe(200);
    await s.sql.query(`UPDATE access_keys SET expire_time = now() - interval '1 second' WHERE id = ANY($1)`, [[mine.expired.keyId, mine.coldExpired.keyId]]);
    await v1('DELETE', `/${mine.deleted.keyId}`);
    const rotated = await v1('POST', `/${mine.rotated.keyId}:rotateSecret`, {});
    recordSecret(rotated.secret, mine.rotated.keyId);
    mine.rotated = { ...mine.rotated, previous: mine.rotated.secret, secret: rotated.secret };
    await v1('POST', `/${mine.removed.keyId}/publicKeys`, { jwk });
    await v1('POST', `/${mine.removed.keyId}:removeSecret`);
    await v1('PATCH', `/${mine.dpop.keyId}/tokenSettings`, { dpopRequired: true });
    await v1('PATCH', `/${mine.jwksUri.keyId}/tokenSettings`, { jwksUri: 'https://svc.example/.well-known/jwks.json' });
    await v1('POST', `/${mine.assertion.keyId}/publicKeys`, { jwk });
    const quota = await admin().call('PUT', `/projects/${acct.projectId}/credentials/${mine.quota.credentialId}/quota`, { tokensPerHour: 1, tokensPerDay: null });
    expect(quota.status, quota.text).toBe(200);
  }
  expect((await admin().call('DELETE', `/apis/${apiIds[GONE]}`)).status).toBe(200);
  await Promise.all(ISSUERS.map((i) => servers[i].running.usage!.recorder.flush())); // each reads the quotas
  await new Promise((r) => setTimeout(r, 1_500)); // the change feed drops the changed rows on both
  for (const issuer of ISSUERS) jwks[issuer] = (await (await fetch(`${servers[issuer].url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
}, 120_000);
afterAll(() => c?.close());

/** Every name one side's answers may carry that the other's carry differently: its twins. */
function namesOf(side: Side): Map<string, string> {
  const names = new Map<string, string>([[side.unknown, '<unknown key>']]);
  for (const name of KEYS) {
    const k = side.k[name];
    for (const [value, what] of [[k.keyId, 'key'], [k.id, 'id'], [k.credentialId, 'credential']] as const) names.set(value, `<${name} ${what}>`);
  }
  return names;
}

interface Asked {
  res: Awaited<ReturnType<typeof sendToken>>;
  jwks: JSONWebKeySet;
  names: Map<string, string>;
}

/** Asks both sides (one after the other); their answers must be the same. Returns the normalised answer. */
async function expectSame(ask: (issuer: Issuer) => Promise<Asked>) {
  const got = {} as Record<Issuer, Awaited<ReturnType<typeof normalise>>>;
  for (const issuer of ISSUERS) {
    const { res, jwks: keySet, names } = await ask(issuer);
    got[issuer] = await normalise(res, { jwks: keySet, issuer: SHARED_ISSUER, names });
  }
  expect(got.keymint.answer).toEqual(got['oidc-provider'].answer);
  expect(got.keymint.answer.status).toBeLessThan(500);
  expect(Object.keys(got.keymint.answer.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  if (got.keymint.answer.token) expect(got.keymint.answer.token.verified).toBe(true);
  for (const what of ['retryAfter', 'issuedAt'] as const) {
    const [a, b] = ISSUERS.map((i) => got[i][what]);
    expect(a === undefined, `${what} on one side only`).toBe(b === undefined);
    if (a !== undefined && b !== undefined) expect(Math.abs(a - b), what).toBeLessThanOrEqual(VOLATILE.slackSeconds);
  }
  return got.keymint.answer;
}

/** Sends the case to both servers of the main cluster, each with its own twins. */
const expectSameAnswer = (build: Case[1]) =>
  expectSame(async (issuer) => {
    const side: Side = { k: keys[issuer], unknown: unknownId[issuer] };
    return { res: await sendToken(servers[issuer].url, await build(side)), jwks: jwks[issuer], names: namesOf(side) };
  });

describe('the same request, the same answer', () => {
  // The time limit leaves room for clearOfMinuteEnd's wait (a failure budget's sequence).
  it.each(cases)('%s', async (_name, build) => {
    await expectSameAnswer(build);
  }, 60_000);
});

describe('at once, for a key not yet seen', () => {
  it('answers six concurrent requests (right, wrong, with scope, unknown scope) the same', async () => {
    const calls = (k: Cred): TokenCall[] => [
      basicCall(k), basicCall(k), post(k), withParams(k, 'scope=read'), withParams(k, 'scope=admin'), basicCall({ ...k, secret: otherLastChar(k.secret) }),
    ];
    const answers = {} as Record<Issuer, string[]>;
    for (const issuer of ISSUERS) {
      const side: Side = { k: keys[issuer], unknown: unknownId[issuer] };
      const all = await Promise.all(calls(side.k.burst).map((call) => sendToken(servers[issuer].url, call)));
      const normalised = await Promise.all(all.map((res) => normalise(res, { jwks: jwks[issuer], issuer: SHARED_ISSUER, names: namesOf(side) })));
      answers[issuer] = normalised.map((n) => JSON.stringify(n.answer)).sort(); // in whatever order they finished
    }
    expect(answers.keymint).toEqual(answers['oidc-provider']);
    expect(answers.keymint.map((a) => JSON.parse(a).status).sort()).toEqual([200, 200, 200, 200, 400, 401]);
  });
});

describe('after a signing key rotation', () => {
  let kid: string;
  beforeAll(async () => {
    const row = await rotateSigningKey(servers.keymint.sql, c.box, 'ES256', 2);
    await servers.keymint.sql.query(`SELECT pg_notify('keymint_changes', '{"kind":"signing_keys"}')`);
    kid = row.kid;
    for (const issuer of ISSUERS) {
      jwks[issuer] = await until(`${kid} published`, async () => {
        const set = (await (await fetch(`${servers[issuer].url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
        return set.keys.some((key) => key.kid === kid) ? set : undefined;
      });
    }
    // Waited out rather than polled with tokens: both sides must see the same traffic.
    await new Promise((r) => setTimeout(r, row.activates_at.getTime() - Date.now() + 1_000));
  });

  const again = ['Basic: ok', 'client_secret_post: ok', 'legacy username and password', 'HMAC-signed request', 'client assertion (private_key_jwt)',
    'granted key: its default API, custom claims', 'key granted an API with its own token TTL', 'DPoP-required key with a proof'];
  it.each(cases.filter(([name]) => again.includes(name)))('%s, signed with the new key', async (_name, build) => {
    const answer = await expectSameAnswer(build);
    expect(answer.token?.header.kid).toBe(kid);
  });
});

describe('after both servers restart', () => {
  // Every key now exists before its server starts: what a server loads at start (resident
  // keys, where it has them) is judged, not only what it reads on demand.
  beforeAll(async () => {
    for (const issuer of ISSUERS) {
      await c.stop(servers[issuer]); // writes its usage counts on the way out
      servers[issuer] = await c.start({}, { tokenIssuer: issuer, now });
      const resident = (servers[issuer].running as { resident?: { loaded: boolean } }).resident;
      await until('the keys loaded at start', async () => (resident?.loaded ?? true ? true : undefined), 10_000);
    }
  }, 60_000);

  const again = ['Basic: ok', 'client_secret_post: ok', 'Basic: wrong secret', 'unknown Key ID', 'expired key (warm before)', 'deleted key',
    'rotated key: the previous secret', 'a key whose secret was removed, that secret', 'legacy username and password', 'HMAC-signed request',
    'granted key: its default API, custom claims', 'granted key: a scope not granted', 'key granted an API with its own token TTL',
    'key granted only an API since deleted: by default', 'DPoP-required key without a proof', 'quota key: past its quota', 'scope with spaces around'];
  it.each(cases.filter(([name]) => again.includes(name)))('%s, again', async (_name, build) => {
    await expectSameAnswer(build);
  });

  describe('a key loaded at start and used, then changed', () => {
    beforeAll(async () => {
      for (const issuer of ISSUERS) {
        const mine = keys[issuer];
        for (const name of ['lateDeleted', 'lateRotated', 'lateDpop', 'lateExpired', 'lateGrants'] as const) expect((await plainToken(servers[issuer], mine[name])).status).toBe(200);
        const own = servers[issuer];
        await v1('DELETE', `/${mine.lateDeleted.keyId}`, undefined, own);
        const rotated = await v1('POST', `/${mine.lateRotated.keyId}:rotateSecret`, {}, own);
        recordSecret(rotated.secret, mine.lateRotated.keyId);
        mine.lateRotated = { ...mine.lateRotated, previous: mine.lateRotated.secret, secret: rotated.secret };
        await v1('PATCH', `/${mine.lateDpop.keyId}/tokenSettings`, { dpopRequired: true }, own);
        await servers[issuer].sql.query(`UPDATE access_keys SET expire_time = now() - interval '1 second' WHERE id = $1`, [mine.lateExpired.keyId]);
        await v1('PATCH', `/${mine.lateGrants.keyId}`, { grants: [{ api: ORDERS, scopes: ['orders:write'] }] }, own);
      }
      await new Promise((r) => setTimeout(r, 1_500)); // the change feed reaches both
    });
    it.each(lateCases)('%s', async (_name, build) => {
      await expectSameAnswer(build);
    });
  });
});

describe("what each side's tokens are good for", () => {
  // A token from one side, introspected by its own server and by the other, used on the v1
  // API, revoked (RFC 7009): what Keymint itself makes of the grant's tokens.
  const token = {} as Record<Issuer, string>;
  const other = (issuer: Issuer): Issuer => (issuer === 'keymint' ? 'oidc-provider' : 'keymint');
  const form = (s: TestServer, path: string, k: Cred, body: Record<string, string>) =>
    fetch(`${s.url}${path}`, { method: 'POST', headers: { authorization: basicHeader(k.id, k.secret), 'content-type': FORM }, body: new URLSearchParams(body) });
  const asked = async (issuer: Issuer, res: Response): Promise<Asked> => {
    const side: Side = { k: keys[issuer], unknown: unknownId[issuer] };
    return { res: { status: res.status, headers: res.headers, text: await res.text() }, jwks: jwks[issuer], names: namesOf(side) };
  };
  beforeAll(async () => {
    for (const issuer of ISSUERS) {
      const res = await sendToken(servers[issuer].url, withParams(keys[issuer].plain, `resource=${encodeURIComponent(SHARED_ISSUER)}&scope=accesskeys.read`));
      token[issuer] = JSON.parse(res.text).access_token;
    }
  });

  it('introspected by its own server', () =>
    expectSame(async (i) => asked(i, await form(servers[i], '/oauth2/introspect', keys[i].plain, { token: token[i] }))));
  it('introspected by the other server', () =>
    expectSame(async (i) => asked(i, await form(servers[other(i)], '/oauth2/introspect', keys[i].plain, { token: token[i] }))));
  it('introspected by another key of the project', () =>
    expectSame(async (i) => asked(i, await form(servers[i], '/oauth2/introspect', keys[i].granted, { token: token[i] }))));
  it('used on the v1 API, on both servers', async () => {
    for (const issuer of ISSUERS) {
      for (const s of ISSUERS) {
        const res = await fetch(`${servers[s].url}/v1/projects/${acct.projectId}/accessKeys?pageSize=1`, { headers: { authorization: `Bearer ${token[issuer]}` } });
        expect(res.status, `a token of ${issuer} at ${s}`).toBe(200);
      }
    }
  });
  it('revoked (RFC 7009)', () => expectSame(async (i) => asked(i, await form(servers[i], '/oauth2/revoke', keys[i].plain, { token: token[i] }))));
  it('introspected once revoked, by either server', async () => {
    await expectSame(async (i) => asked(i, await form(servers[i], '/oauth2/introspect', keys[i].plain, { token: token[i] })));
    await expectSame(async (i) => asked(i, await form(servers[other(i)], '/oauth2/introspect', keys[i].plain, { token: token[i] })));
  });
});

describe('a client address over its failure budget (TRUST_PROXY=1)', () => {
  // Servers of their own: the budget is per address, and the grant finds the address itself
  // (X-Forwarded-For). Each side sends from addresses of its own, in another /24 (a network
  // has a budget too).
  const BUDGET = 5;
  const FROM: Record<Issuer, [attacker: string, other: string]> = { keymint: ['198.51.100.7', '198.51.100.8'], 'oidc-provider': ['203.0.113.7', '203.0.113.8'] };
  let c2: Cluster;
  const s2 = {} as Record<Issuer, TestServer>;
  const key2 = {} as Record<Issuer, Bootstrapped>;
  const jwks2 = {} as Record<Issuer, JSONWebKeySet>;
  beforeAll(async () => {
    c2 = await cluster({ TRUST_PROXY: '1', AUTH_FAILURES_PER_ADDRESS: String(BUDGET) });
    for (const issuer of ISSUERS) {
      s2[issuer] = await c2.start({}, { tokenIssuer: issuer });
      key2[issuer] = await s2[issuer].bootstrap();
      jwks2[issuer] = (await (await fetch(`${s2[issuer].url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    }
  }, 60_000);
  afterAll(() => c2?.close());

  type Step = [name: string, call: (key: { id: string; secret: string }, from: [string, string]) => TokenCall];
  const basicFrom = (id: string, secret: string, xff: string): TokenCall => ({ headers: { authorization: basicHeader(id, secret), 'content-type': FORM, 'x-forwarded-for': xff }, body: GRANT });
  const steps: Step[] = [
    ...Array.from({ length: BUDGET + 1 }, (_, i): Step => [`an unknown key, wrong secret ${i + 1} of ${BUDGET + 1}`, (k, [attacker]) => basicFrom(randomUUID(), k.secret, attacker)]),
    ['then a known key by its secret, from that address', (k, [attacker]) => basicFrom(k.id, k.secret, attacker)],
    ['then a known key by a wrong secret, from that address', (k, [attacker]) => basicFrom(k.id, otherLastChar(k.secret), attacker)],
    ['that address as the last of two hops', (k, [attacker]) => basicFrom(randomUUID(), k.secret, `192.0.2.99, ${attacker}`)],
    ['that address as the first of two hops (the proxy saw another)', (k, [attacker]) => basicFrom(randomUUID(), k.secret, `${attacker}, 192.0.2.${Math.floor(Math.random() * 200) + 1}`)],
    ['a known key by its secret, from another address', (k, [, other]) => basicFrom(k.id, k.secret, other)],
    ['a known key by a wrong secret, from another address', (k, [, other]) => basicFrom(k.id, otherLastChar(k.secret), other)],
  ];
  it.each(steps)('%s', async (name, call) => {
    if (name.startsWith('an unknown key, wrong secret 1 ')) await clearOfMinuteEnd();
    await expectSame(async (issuer) => {
      const k = { id: key2[issuer].accessKey.accessKeyId, secret: key2[issuer].secret };
      return { res: await sendToken(s2[issuer].url, call(k, FROM[issuer])), jwks: jwks2[issuer], names: new Map([[k.id, '<key>'], [key2[issuer].projectId, '<project>'], [key2[issuer].accountId, '<account>']]) };
    });
  }, 60_000);
});

describe('the same traffic, the same counts', () => {
  // Since the restart each server has served the same requests (the usage reads below are
  // Basic requests to the management API: they come after): its counters must agree, the
  // work spent on secrets included (an unknown key costs what a known one does).
  it('the same counters: tokens issued and refused by reason, secret and bcrypt comparisons, token requests by status', async () => {
    const COUNTERS = /^keymint_(tokens_issued_total|tokens_refused_total|secret_comparisons_total|bcrypt_compares_total|http_request_duration_seconds_count\{[^}]*\/oauth2\/token)/;
    const counters = async (issuer: Issuer) =>
      (await (await fetch(`${servers[issuer].url}/metrics`)).text()).split('\n').filter((line) => COUNTERS.test(line)).sort();
    const [a, b] = [await counters('keymint'), await counters('oidc-provider')];
    expect(a).toEqual(b);
    expect(a.some((line) => /^keymint_tokens_issued_total [1-9]/.test(line))).toBe(true);
  });

  it.each(KEYS.filter((k) => k !== 'deleted' && k !== 'lateDeleted'))('usage of the %s key', async (name) => {
    await Promise.all(ISSUERS.map((i) => servers[i].running.usage!.recorder.flush()));
    const from = new Date(now() - HOUR).toISOString();
    const to = new Date(now() + HOUR).toISOString();
    const usage = async (issuer: Issuer) => {
      const res = await fetch(`${servers.keymint.url}/v1/projects/${acct.projectId}/accessKeys/${keys[issuer][name].keyId}/usage?granularity=hour&from=${from}&to=${to}`, {
        headers: { authorization: managerAuth() },
      });
      const body = (await res.json()) as { totals?: Record<string, number> };
      return { status: res.status, totals: body.totals };
    };
    const [a, b] = [await usage('keymint'), await usage('oidc-provider')];
    expect(a).toEqual(b);
    expect(a.status).toBe(200);
  });

  it('counted something for every kind of outcome (the comparison above is not of zeros)', async () => {
    const totals = async (name: KeyName) => {
      const res = await fetch(`${servers.keymint.url}/v1/projects/${acct.projectId}/accessKeys/${keys.keymint[name].keyId}/usage?granularity=hour&from=${new Date(now() - HOUR).toISOString()}&to=${new Date(now() + HOUR).toISOString()}`, {
        headers: { authorization: managerAuth() },
      });
      return ((await res.json()) as { totals: Record<string, number> }).totals;
    };
    expect((await totals('plain')).tokens).toBeGreaterThan(10);
    expect((await totals('plain')).wrongSecret).toBeGreaterThan(0);
    expect((await totals('expired')).expired).toBeGreaterThan(0);
    expect((await totals('quota')).quota).toBeGreaterThan(0);
  });
});
