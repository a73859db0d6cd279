// The requests test/secret-grant-parity.test.ts sends to both token issuers, each a named
// case built for one side (its own twin of every key, helpers/token-parity.ts compares the
// answers): client authentication in every spelling, grant_type, scope, resource and
// audience, keys with grants, content types, a key's failure budget and token quota, DPoP,
// a legacy username, HMAC and a client assertion. Keys are made by the test (KEYS).
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { signHmacRequest } from '../../src/auth/hmac-signature.js';
import { SHARED_ISSUER } from './cluster.js';
import { basicHeader, FORM, otherLastChar } from './token-requests.js';
import type { TokenCall } from './token-parity.js';

export const AUDIENCE = 'https://legacy.example.test';
export const ORDERS = 'https://orders.example.test';
export const BILLING = 'https://billing.example.test/api';
export const SHORT = 'https://short-lived.example.test'; // an API with a token TTL of its own
export const GONE = 'https://gone.example.test'; // an API deleted once a key was granted it
export const TOKEN_URL = `${SHARED_ISSUER}/oauth2/token`;
/** The failure budget per key and minute the test's servers get (AUTH_FAILURES_PER_KEY): only the `limited` key goes past it. */
export const FAILURES = 8;

export interface Cred {
  /** What the client presents as its ID: the Key ID, or a legacy username. */
  id: string;
  secret: string;
  keyId: string;
  credentialId: string;
  previous?: string;
}
export const KEYS = ['plain', 'wrong', 'expired', 'coldExpired', 'deleted', 'rotated', 'removed', 'secretless', 'limited', 'quota', 'dpop', 'granted', 'short', 'manages', 'ungranted', 'orphan', 'burst', 'expiring', 'jwksUri', 'oddClaims', 'lateDeleted', 'lateRotated', 'lateDpop', 'lateExpired', 'lateGrants', 'legacy', 'hmac', 'assertion'] as const;
export type KeyName = (typeof KEYS)[number];

/** The DPoP proofs' key, and the client assertions' (the test registers its public half on the keys that take assertions). */
const dpopKeys = generateKeyPair('ES256', { extractable: true });
const clientKeys = generateKeyPair('ES256', { extractable: true });
export const clientJwk = async () => exportJWK((await clientKeys).publicKey);

/** One server's side of a case: its twin of every key, and a Key ID unknown to it. */
export interface Side {
  k: Record<KeyName, Cred>;
  unknown: string;
}
export type Case = [name: string, build: (side: Side) => TokenCall | Promise<TokenCall>];

export const GRANT = 'grant_type=client_credentials';
const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
export const basicCall = (k: Cred, body: string = GRANT, headers: Record<string, string> = {}): TokenCall => ({
  headers: { authorization: basicHeader(k.id, k.secret), 'content-type': FORM, ...headers },
  body,
});
const rawBasic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;
export const post = (k: Cred, extra: Record<string, string> = {}): TokenCall => ({
  headers: { 'content-type': FORM },
  body: form({ grant_type: 'client_credentials', client_id: k.id, client_secret: k.secret, ...extra }),
});
export const withParams = (k: Cred, params: string) => basicCall(k, `${GRANT}&${params}`);
const percentAll = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

/** Basic credentials whose base64 needs padding, sent without it (the last character %-encoded when it would need none). */
function unpadded(k: Cred): string {
  let raw = `${k.id}:${k.secret}`;
  if (raw.length % 3 === 0) raw = `${raw.slice(0, -1)}${percentAll(raw.slice(-1))}`;
  return Buffer.from(raw).toString('base64').replace(/=+$/, '');
}

/** The failure budget counts per minute: a sequence of cases that must not straddle two. */
export async function clearOfMinuteEnd() {
  const left = 60_000 - (Date.now() % 60_000);
  // 30 s is room for the sequence on a loaded machine; its first case waits at most that long.
  if (left < 30_000) await new Promise((r) => setTimeout(r, left + 200));
}

async function dpopProof(htm = 'POST', htu = TOKEN_URL) {
  return new SignJWT({ jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000) })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK((await dpopKeys).publicKey) })
    .sign((await dpopKeys).privateKey);
}

async function clientAssertion(k: Cred) {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(k.id).setSubject(k.id).setAudience(TOKEN_URL).setIssuedAt(iat).setExpirationTime(iat + 60)
    .sign((await clientKeys).privateKey);
}

function hmacCall(k: Cred, secret = k.secret): TokenCall {
  const signed = signHmacRequest({ username: k.id, secret, algorithm: 'hmac-sha256', method: 'POST', path: '/oauth2/token', body: GRANT, date: new Date() });
  return { headers: { ...signed, 'content-type': FORM }, body: GRANT };
}

export const cases: Case[] = [
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
  ['key with odd custom claims (unicode, nested, __proto__)', ({ k }) => basicCall(k.oddClaims)],
  ['key with an expireTime tomorrow', ({ k }) => basicCall(k.expiring)],
  ['key with a secret and public keys, by its secret', ({ k }) => basicCall(k.assertion)],
  ['key with a secret and a jwksUri, by its secret', ({ k }) => basicCall(k.jwksUri)],
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

/** Keys changed once they were loaded at start and used (the test changes them after a restart): the change must reach the cache. */
export const lateCases: Case[] = [
  ['deleted', ({ k }) => basicCall(k.lateDeleted)],
  ['rotated: the previous secret', ({ k }) => basicCall({ ...k.lateRotated, secret: k.lateRotated.previous! })],
  ['rotated: the new secret', ({ k }) => basicCall(k.lateRotated)],
  ['made to require DPoP, without a proof', ({ k }) => basicCall(k.lateDpop)],
  ['made to require DPoP, with a proof', async ({ k }) => basicCall(k.lateDpop, GRANT, { dpop: await dpopProof() })],
  ['expired', ({ k }) => basicCall(k.lateExpired)],
  ['given grants', ({ k }) => basicCall(k.lateGrants)],
  ['given grants, asking the default audience', ({ k }) => withParams(k.lateGrants, `resource=${encodeURIComponent(AUDIENCE)}`)],
];
