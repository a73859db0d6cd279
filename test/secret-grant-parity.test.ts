// Issue 12: Keymint's own grant for a Key Secret (tokenIssuer 'keymint', oauth/secret-grant.ts)
// answers every token request exactly as oidc-provider did (tokenIssuer 'oidc-provider').
// Two servers on one database, master key and issuer get the same corpus of requests, each
// server asking with its own twin of every key; the answers are compared once normalised
// (helpers/token-parity.ts: status, headers, body, a token's header and claims verified
// against the JWKS). Then the usage counts of each pair of twins must agree: the same
// traffic counts the same.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHmacRequest } from '../src/auth/hmac-signature.js';
import { cluster, SHARED_ISSUER, type Cluster } from './helpers/cluster.js';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { recordSecret, type TestServer } from './helpers/server.js';
import { basicHeader, FORM, otherLastChar, until } from './helpers/token-requests.js';
import { rotateSigningKey } from '../src/oauth/signing-keys.js';
import { normalise, sendToken, VOLATILE, type TokenCall } from './helpers/token-parity.js';

const ISSUERS = ['keymint', 'oidc-provider'] as const;
type Issuer = (typeof ISSUERS)[number];
const AUDIENCE = 'https://legacy.example.test';
const ORDERS = 'https://orders.example.test';
const BILLING = 'https://billing.example.test/api';
const SHORT = 'https://short-lived.example.test'; // an API with a token TTL of its own
const GONE = 'https://gone.example.test'; // an API deleted once a key was granted it
const TOKEN_URL = `${SHARED_ISSUER}/oauth2/token`;
const HOUR = 3_600_000;
const FAILURES = 8;

interface Cred {
  /** What the client presents as its ID: the Key ID, or a legacy username. */
  id: string;
  secret: string;
  keyId: string;
  credentialId: string;
  previous?: string;
}
const KEYS = ['plain', 'wrong', 'expired', 'coldExpired', 'deleted', 'rotated', 'removed', 'secretless', 'limited', 'quota', 'dpop', 'granted', 'short', 'manages', 'ungranted', 'orphan', 'burst', 'legacy', 'hmac', 'assertion'] as const;
type KeyName = (typeof KEYS)[number];

let c: Cluster;
const servers = {} as Record<Issuer, TestServer>;
const jwks = {} as Record<Issuer, JSONWebKeySet>;
const keys = {} as Record<Issuer, Record<KeyName, Cred>>;
const unknownId = {} as Record<Issuer, string>;
let acct: ConsoleAccount;
let manager: { id: string; secret: string };
let dpopKeys: CryptoKeyPair;
let clientKeys: { privateKey: CryptoKey; jwk: JWK };
// The usage clock, five minutes into an hour: the quota's window never ends mid-test.
const offset = Math.ceil(Date.now() / HOUR) * HOUR + 5 * 60_000 - Date.now();
const now = () => Date.now() + offset;

const admin = () => acct.users.administrator;
const managerAuth = () => basicHeader(manager.id, manager.secret);

async function v1(method: string, path: string, body?: unknown) {
  const res = await fetch(`${servers.keymint.url}/v1/projects/${acct.projectId}/accessKeys${path}`, {
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
  secretless: () => v1Key({ jwk: clientKeys.jwk, generateSecret: false }),
  limited: () => v1Key(),
  quota: () => v1Key(),
  dpop: () => v1Key(),
  granted: () => v1Key({ grants: [{ api: ORDERS, scopes: ['orders:read'] }, { api: BILLING, scopes: [] }], customClaims: { tenant: 'acme', tier: 2 } }),
  short: () => v1Key({ grants: [{ api: SHORT, scopes: ['a'] }] }),
  manages: () => v1Key({ grants: [{ api: SHARED_ISSUER, scopes: ['accesskeys.read'] }] }),
  ungranted: () => v1Key({ grants: [] }),
  orphan: () => v1Key({ grants: [{ api: GONE, scopes: ['g'] }] }),
  burst: () => v1Key(),
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
  dpopKeys = await generateKeyPair('ES256', { extractable: true });
  const pair = await generateKeyPair('ES256', { extractable: true });
  clientKeys = { privateKey: pair.privateKey, jwk: await exportJWK(pair.publicKey) };

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
    await v1('POST', `/${mine.removed.keyId}/publicKeys`, { jwk: clientKeys.jwk });
    await v1('POST', `/${mine.removed.keyId}:removeSecret`);
    await v1('PATCH', `/${mine.dpop.keyId}/tokenSettings`, { dpopRequired: true });
    await v1('POST', `/${mine.assertion.keyId}/publicKeys`, { jwk: clientKeys.jwk });
    const quota = await admin().call('PUT', `/projects/${acct.projectId}/credentials/${mine.quota.credentialId}/quota`, { tokensPerHour: 1, tokensPerDay: null });
    expect(quota.status, quota.text).toBe(200);
  }
  expect((await admin().call('DELETE', `/apis/${apiIds[GONE]}`)).status).toBe(200);
  await Promise.all(ISSUERS.map((i) => servers[i].running.usage!.recorder.flush())); // each reads the quotas
  await new Promise((r) => setTimeout(r, 1_500)); // the change feed drops the changed rows on both
  for (const issuer of ISSUERS) jwks[issuer] = (await (await fetch(`${servers[issuer].url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
}, 120_000);
afterAll(() => c?.close());

// ---- the corpus -------------------------------------------------------------------------
interface Side {
  issuer: Issuer;
  k: Record<KeyName, Cred>;
  unknown: string;
}
type Case = [name: string, build: (side: Side) => TokenCall | Promise<TokenCall>];

const GRANT = 'grant_type=client_credentials';
const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const basicCall = (k: Cred, body: string = GRANT, headers: Record<string, string> = {}): TokenCall => ({
  headers: { authorization: basicHeader(k.id, k.secret), 'content-type': FORM, ...headers },
  body,
});
const rawBasic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;
const post = (k: Cred, extra: Record<string, string> = {}): TokenCall => ({
  headers: { 'content-type': FORM },
  body: form({ grant_type: 'client_credentials', client_id: k.id, client_secret: k.secret, ...extra }),
});
const withParams = (k: Cred, params: string) => basicCall(k, `${GRANT}&${params}`);
const percentAll = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

/** Basic credentials whose base64 needs padding, sent without it (the last character %-encoded when it would need none). */
function unpadded(k: Cred): string {
  let raw = `${k.id}:${k.secret}`;
  if (raw.length % 3 === 0) raw = `${raw.slice(0, -1)}${percentAll(raw.slice(-1))}`;
  return Buffer.from(raw).toString('base64').replace(/=+$/, '');
}

/** The failure budget counts per minute: a sequence of cases that must not straddle two. */
async function clearOfMinuteEnd() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await new Promise((r) => setTimeout(r, left + 200));
}

async function dpopProof(htm = 'POST', htu = TOKEN_URL) {
  return new SignJWT({ jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000) })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(dpopKeys.publicKey) })
    .sign(dpopKeys.privateKey);
}

async function clientAssertion(k: Cred) {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(k.id).setSubject(k.id).setAudience(TOKEN_URL).setIssuedAt(iat).setExpirationTime(iat + 60)
    .sign(clientKeys.privateKey);
}

function hmacCall(k: Cred, secret = k.secret): TokenCall {
  const signed = signHmacRequest({ username: k.id, secret, algorithm: 'hmac-sha256', method: 'POST', path: '/oauth2/token', body: GRANT, date: new Date() });
  return { headers: { ...signed, 'content-type': FORM }, body: GRANT };
}

const cases: Case[] = [
  // Client authentication
  ['Basic: ok', ({ k }) => basicCall(k.plain)],
  ['client_secret_post: ok', ({ k }) => post(k.plain)],
  ['Basic with the Key ID in upper case', ({ k }) => basicCall({ ...k.plain, id: k.plain.id.toUpperCase() })],
  ['Basic with the secret %-encoded (RFC 6749 §2.3.1)', ({ k }) => ({ headers: { authorization: rawBasic(`${k.plain.id}:${percentAll(k.plain.secret)}`), 'content-type': FORM }, body: GRANT })],
  ['Basic and client_secret_post at once', ({ k }) => ({ ...post(k.plain), headers: { ...post(k.plain).headers, authorization: basicHeader(k.plain.id, k.plain.secret) } })],
  ['no credentials', () => ({ headers: { 'content-type': FORM }, body: GRANT })],
  ['client_id without a secret', ({ k }) => ({ headers: { 'content-type': FORM }, body: form({ grant_type: 'client_credentials', client_id: k.plain.id }) })],
  ['client_secret duplicated', ({ k }) => ({ ...post(k.plain), body: `${post(k.plain).body}&client_secret=${encodeURIComponent(k.plain.secret)}` })],
  ['Basic: wrong secret', ({ k }) => basicCall({ ...k.plain, secret: otherLastChar(k.plain.secret) })],
  ['client_secret_post: wrong secret', ({ k }) => post({ ...k.plain, secret: otherLastChar(k.plain.secret) })],
  ['Basic: empty secret', ({ k }) => basicCall({ ...k.plain, secret: '' })],
  ['unknown Key ID', ({ k, unknown }) => basicCall({ ...k.plain, id: unknown })],
  ['malformed Key ID', ({ k }) => basicCall({ ...k.plain, id: 'not-a-uuid' })],
  ['expired key (warm before)', ({ k }) => basicCall(k.expired)],
  ['expired key (never used)', ({ k }) => basicCall(k.coldExpired)],
  ['deleted key', ({ k }) => basicCall(k.deleted)],
  ['a key without a secret, a guessed one', ({ k }) => basicCall({ ...k.secretless, secret: otherLastChar(k.plain.secret) })],
  ['a key without a secret, an empty one by client_secret_post', ({ k }) => post({ ...k.secretless, secret: '' })],
  ['a key whose secret was removed, that secret', ({ k }) => basicCall(k.removed)],
  ['Basic: a 10 kB secret', ({ k }) => basicCall({ ...k.wrong, secret: 's'.repeat(10_000) })],
  ['Basic: the scheme in lower case', ({ k }) => ({ headers: { authorization: basicHeader(k.plain.id, k.plain.secret).replace('Basic', 'basic'), 'content-type': FORM }, body: GRANT })],
  ['Basic and the same client_id in the body', ({ k }) => basicCall(k.plain, `${GRANT}&client_id=${k.plain.id}`)],
  ['Basic and another client_id in the body', ({ k }) => basicCall(k.plain, `${GRANT}&client_id=${k.granted.id}`)],
  ['Basic: not base64', () => ({ headers: { authorization: 'Basic %%%not-base64%%%', 'content-type': FORM }, body: GRANT })],
  ['Basic: no colon', ({ k }) => ({ headers: { authorization: rawBasic(`${k.plain.id}${k.plain.secret}`), 'content-type': FORM }, body: GRANT })],
  ['Basic: bad %-encoding', ({ k }) => ({ headers: { authorization: rawBasic(`${k.plain.id}:%E0%A4%A${k.plain.secret}`), 'content-type': FORM }, body: GRANT })],
  ['Basic: another scheme (Bearer)', () => ({ headers: { authorization: 'Bearer abc', 'content-type': FORM }, body: GRANT })],
  ["rotated key: the previous secret", ({ k }) => basicCall({ ...k.rotated, secret: k.rotated.previous! })],
  ['rotated key: the new secret', ({ k }) => basicCall(k.rotated)],
  ['legacy username and password', ({ k }) => basicCall(k.legacy)],
  ['legacy username, wrong password', ({ k }) => basicCall({ ...k.legacy, secret: otherLastChar(k.legacy.secret) })],
  ['HMAC-signed request', ({ k }) => hmacCall(k.hmac)],
  ['HMAC-signed request, wrong secret', ({ k }) => hmacCall(k.hmac, otherLastChar(k.hmac.secret))],
  ['client assertion (private_key_jwt)', async ({ k }) => ({
    headers: { 'content-type': FORM },
    body: form({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await clientAssertion(k.assertion) }),
  })],
  // grant_type
  ['grant_type missing', ({ k }) => basicCall(k.plain, 'scope=read')],
  ['grant_type=password', ({ k }) => basicCall(k.plain, 'grant_type=password&username=u&password=p')],
  ['grant_type unknown', ({ k }) => basicCall(k.plain, 'grant_type=urn%3Aexample%3Anone')],
  ['grant_type duplicated', ({ k }) => basicCall(k.plain, `${GRANT}&${GRANT}`)],
  // scope
  ['scope granted', ({ k }) => withParams(k.plain, 'scope=read')],
  ['scope granted, two', ({ k }) => withParams(k.plain, 'scope=write+read')],
  ['scope not granted', ({ k }) => withParams(k.plain, 'scope=admin')],
  ['scope: one granted, one not', ({ k }) => withParams(k.plain, 'scope=read+admin')],
  ['scope duplicated (the parameter)', ({ k }) => withParams(k.plain, 'scope=read&scope=read')],
  ['scope duplicated (a value)', ({ k }) => withParams(k.plain, 'scope=read+read')],
  ['scope empty', ({ k }) => withParams(k.plain, 'scope=')],
  ['scope with spaces around', ({ k }) => withParams(k.plain, 'scope=+read++write+')],
  ['scope with a tab between', ({ k }) => withParams(k.plain, 'scope=read%09write')],
  ['scope with a double quote (not NQCHAR)', ({ k }) => withParams(k.plain, 'scope=re%22ad')],
  ['scope with a non-ASCII character', ({ k }) => withParams(k.plain, 'scope=r%C3%A9ad')],
  ['scope with a bad %-escape', ({ k }) => withParams(k.plain, 'scope=read%ZZ')],
  ['scope in upper case', ({ k }) => withParams(k.plain, 'scope=READ')],
  // resource (RFC 8707) and audience
  ['resource: the default audience', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(AUDIENCE)}`)],
  ['resource: another API', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(ORDERS)}&scope=orders%3Awrite`)],
  ['resource: unknown', ({ k }) => withParams(k.plain, 'resource=https%3A%2F%2Funknown.example')],
  ['resource: the management API', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(SHARED_ISSUER)}`)],
  ['resource duplicated (same)', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(ORDERS)}&resource=${encodeURIComponent(ORDERS)}`)],
  ['resource: two APIs', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(ORDERS)}&resource=${encodeURIComponent(BILLING)}`)],
  ['resource: not an absolute URI', ({ k }) => withParams(k.plain, 'resource=api')],
  ['resource empty', ({ k }) => withParams(k.plain, 'resource=')],
  ['audience empty', ({ k }) => withParams(k.plain, 'audience=')],
  ['resource and audience the same', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(ORDERS)}&audience=${encodeURIComponent(ORDERS)}`)],
  ['resource: the host in upper case', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(ORDERS.toUpperCase())}`)],
  ['resource: the default port spelt out', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent('https://orders.example.test:443')}`)],
  ['resource: with a query', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(`${ORDERS}?x=1`)}`)],
  ['resource: a URN', ({ k }) => withParams(k.plain, 'resource=urn%3Aexample%3Aapi')],
  ['audience: not an absolute URI', ({ k }) => withParams(k.plain, 'audience=api')],
  ['resource: the default audience with a trailing slash', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(`${AUDIENCE}/`)}`)],
  ['resource: with a fragment', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(`${ORDERS}#x`)}`)],
  ['audience alone', ({ k }) => withParams(k.plain, `audience=${encodeURIComponent(ORDERS)}`)],
  ['audience with a conflicting resource', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(ORDERS)}&audience=${encodeURIComponent(BILLING)}`)],
  // a key with explicit grants
  ['granted key: its default API, custom claims', ({ k }) => basicCall(k.granted)],
  ['granted key: its scope by resource', ({ k }) => withParams(k.granted, `resource=${encodeURIComponent(ORDERS)}&scope=orders%3Aread`)],
  ['granted key: a scope not granted', ({ k }) => withParams(k.granted, 'scope=orders%3Awrite')],
  ['granted key: its second API (no scopes)', ({ k }) => withParams(k.granted, `resource=${encodeURIComponent(BILLING)}`)],
  ['granted key: an API not granted', ({ k }) => withParams(k.granted, `resource=${encodeURIComponent(SHORT)}`)],
  ['granted key: the management API', ({ k }) => withParams(k.granted, `resource=${encodeURIComponent(SHARED_ISSUER)}`)],
  ['granted key: a server scope (TOKEN_SCOPES)', ({ k }) => withParams(k.granted, 'scope=read')],
  ['key granted an API with its own token TTL', ({ k }) => withParams(k.short, 'scope=a')],
  ['key granted an API with its own token TTL, no scope asked', ({ k }) => basicCall(k.short)],
  ['key granted the management API only: by default', ({ k }) => basicCall(k.manages)],
  ['key granted the management API only: a scope it was not granted', ({ k }) => withParams(k.manages, 'scope=accesskeys.write')],
  ['key granted the management API only: the default audience', ({ k }) => withParams(k.manages, `resource=${encodeURIComponent(AUDIENCE)}`)],
  ['key with an empty list of grants', ({ k }) => basicCall(k.ungranted)],
  ['key granted only an API since deleted: by default', ({ k }) => basicCall(k.orphan)],
  ['key granted only an API since deleted: by resource', ({ k }) => withParams(k.orphan, `resource=${encodeURIComponent(GONE)}`)],
  ['Sinch-model key: an API with its own token TTL', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(SHORT)}`)],
  ['Sinch-model key: the management API with a management scope', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(SHARED_ISSUER)}&scope=accesskeys.read+read`)],
  ['Sinch-model key: the management API with an unknown scope', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(SHARED_ISSUER)}&scope=accesskeys.admin`)],
  ['Sinch-model key: a deleted API', ({ k }) => withParams(k.plain, `resource=${encodeURIComponent(GONE)}`)],
  // the body
  ['content-type JSON', ({ k }) => basicCall(k.plain, JSON.stringify({ grant_type: 'client_credentials' }), { 'content-type': 'application/json' })],
  ['content-type missing', ({ k }) => {
    const call = basicCall(k.plain);
    delete call.headers['content-type'];
    return call;
  }],
  ['content-type with ; charset=utf-8', ({ k }) => basicCall(k.plain, GRANT, { 'content-type': `${FORM}; charset=utf-8` })],
  ['content-type text/plain', ({ k }) => basicCall(k.plain, GRANT, { 'content-type': 'text/plain' })],
  ['content-type in upper case, charset=UTF-8 without a space', ({ k }) => basicCall(k.plain, GRANT, { 'content-type': 'APPLICATION/X-WWW-FORM-URLENCODED;charset=UTF-8' })],
  ['content-type with charset=iso-8859-1', ({ k }) => basicCall(k.plain, GRANT, { 'content-type': `${FORM}; charset=iso-8859-1` })],
  ['content-type with another parameter', ({ k }) => basicCall(k.plain, GRANT, { 'content-type': `${FORM}; foo=bar` })],
  ['Basic and an empty client_secret in the body', ({ k }) => basicCall(k.plain, `${GRANT}&client_secret=`)],
  ['Basic and an empty client_id in the body', ({ k }) => basicCall(k.plain, `${GRANT}&client_id=`)],
  ['client_secret_post with the parameters reordered', ({ k }) => ({ headers: { 'content-type': FORM }, body: `client_secret=${encodeURIComponent(k.plain.secret)}&client_id=${k.plain.id}&${GRANT}` })],
  ['client_secret_post with the secret %-encoded', ({ k }) => ({ headers: { 'content-type': FORM }, body: `${GRANT}&client_id=${k.plain.id}&client_secret=${percentAll(k.plain.secret)}` })],
  ['grant_type in upper case', ({ k }) => basicCall(k.plain, 'grant_type=CLIENT_CREDENTIALS')],
  ['a parameter named like an array', ({ k }) => basicCall(k.plain, `${GRANT}&scope[]=read`)],
  ['a parameter __proto__', ({ k }) => basicCall(k.plain, `${GRANT}&__proto__=x`)],
  ['Basic: two spaces after the scheme', ({ k }) => ({ headers: { authorization: basicHeader(k.plain.id, k.plain.secret).replace(' ', '  '), 'content-type': FORM }, body: GRANT })],
  ['Basic: base64 without its padding', ({ k }) => ({ headers: { authorization: `Basic ${unpadded(k.plain)}`, 'content-type': FORM }, body: GRANT })],
  ['Basic: base64url alphabet', ({ k }) => ({ headers: { authorization: `Basic ${Buffer.from(`${k.wrong.id}:${k.wrong.secret}??>`).toString('base64url')}`, 'content-type': FORM }, body: GRANT })],
  ['Basic: a space in the secret', ({ k }) => basicCall({ ...k.wrong, secret: `${k.wrong.secret} ` })],
  ['Basic: a control character in the secret', ({ k }) => basicCall({ ...k.wrong, secret: `${k.wrong.secret}\u0001` })],
  ['Basic: a non-ASCII secret', ({ k }) => ({ headers: { authorization: rawBasic(`${k.wrong.id}:${k.wrong.secret}é`), 'content-type': FORM }, body: GRANT })],
  ['an unknown extra parameter', ({ k }) => withParams(k.plain, 'colour=blue')],
  ['empty body', ({ k }) => basicCall(k.plain, '')],
  ['no body at all', ({ k }) => ({ headers: { authorization: basicHeader(k.plain.id, k.plain.secret), 'content-type': FORM } })],
  ['an Origin header (no CORS)', ({ k }) => basicCall(k.plain, GRANT, { origin: 'https://app.example.com' })],
  ['a query string on the token URL', ({ k }) => ({ ...basicCall(k.plain), query: '?grant_type=client_credentials' })],
  ['the grant in the query string only', ({ k }) => ({ ...basicCall(k.plain, ''), query: '?grant_type=client_credentials' })],
  // a key's failure budget (AUTH_FAILURES_PER_KEY), then the right secret from the same address
  ...Array.from({ length: FAILURES + 2 }, (_, i): Case => [`failure budget: wrong secret ${i + 1} of ${FAILURES + 2}`, async ({ k }) => {
    if (i === 0) await clearOfMinuteEnd();
    return basicCall({ ...k.limited, secret: otherLastChar(k.limited.secret) });
  }]),
  ['failure budget: then the right secret', ({ k }) => basicCall(k.limited)],
  // quota, DPoP
  ['quota key: its one token of the hour', ({ k }) => basicCall(k.quota)],
  ['quota key: past its quota', ({ k }) => basicCall(k.quota)],
  ['quota key: past its quota, wrong secret', ({ k }) => basicCall({ ...k.quota, secret: otherLastChar(k.quota.secret) })],
  ['DPoP-required key without a proof', ({ k }) => basicCall(k.dpop)],
  ['DPoP-required key with a proof', async ({ k }) => basicCall(k.dpop, GRANT, { dpop: await dpopProof() })],
  ['a plain key with a DPoP proof', async ({ k }) => basicCall(k.plain, GRANT, { dpop: await dpopProof() })],
  ['a plain key with a DPoP proof for another URL', async ({ k }) => basicCall(k.plain, GRANT, { dpop: await dpopProof('POST', 'https://elsewhere.example/oauth2/token') })],
];

/** Every name one side's answers may carry that the other's carry differently: its twins. */
function namesOf(side: Side): Map<string, string> {
  const names = new Map<string, string>([[side.unknown, '<unknown key>']]);
  for (const name of KEYS) {
    const k = side.k[name];
    for (const [value, what] of [[k.keyId, 'key'], [k.id, 'id'], [k.credentialId, 'credential']] as const) names.set(value, `<${name} ${what}>`);
  }
  return names;
}

/** Sends the case to both servers; their answers must be the same. Returns the normalised answer. */
async function expectSameAnswer(build: Case[1]) {
  const got = {} as Record<Issuer, Awaited<ReturnType<typeof normalise>>>;
  for (const issuer of ISSUERS) {
    const side: Side = { issuer, k: keys[issuer], unknown: unknownId[issuer] };
    const res = await sendToken(servers[issuer].url, await build(side));
    got[issuer] = await normalise(res, { jwks: jwks[issuer], issuer: SHARED_ISSUER, names: namesOf(side) });
  }
  expect(got.keymint.answer).toEqual(got['oidc-provider'].answer);
  expect(got.keymint.answer.status).toBeLessThan(500);
  expect(Object.keys(got.keymint.answer.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  if (got.keymint.answer.token) expect(got.keymint.answer.token.verified).toBe(true);
  const [a, b] = ISSUERS.map((i) => got[i].retryAfter);
  expect(a === undefined, 'Retry-After on one side only').toBe(b === undefined);
  if (a !== undefined && b !== undefined) expect(Math.abs(a - b)).toBeLessThanOrEqual(VOLATILE.retryAfterSlackSeconds);
  return got.keymint.answer;
}

describe('the same request, the same answer', () => {
  it.each(cases)('%s', async (_name, build) => {
    await expectSameAnswer(build);
  });
});

describe('at once, for a key not yet seen', () => {
  it('answers six concurrent requests (right, wrong, with scope, unknown scope) the same', async () => {
    const calls = (k: Cred): TokenCall[] => [
      basicCall(k), basicCall(k), post(k), withParams(k, 'scope=read'), withParams(k, 'scope=admin'), basicCall({ ...k, secret: otherLastChar(k.secret) }),
    ];
    const answers = {} as Record<Issuer, string[]>;
    for (const issuer of ISSUERS) {
      const side: Side = { issuer, k: keys[issuer], unknown: unknownId[issuer] };
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

describe('the same traffic, the same counts', () => {
  it.each(KEYS.filter((k) => k !== 'deleted'))('usage of the %s key', async (name) => {
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
