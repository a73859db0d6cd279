// REST HMAC signatures (src/auth/hmac-signature.ts) checked against independent signers.
// No server and no database: the module is pure, the clock is the vector's `now`.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  parseHmacAuthorization,
  signHmacRequest,
  signingString,
  verifyHmacRequest,
  type HeaderValues,
} from '../src/auth/hmac-signature.js';

interface Vector {
  name: string;
  now: string; // the clock the signer was pinned to
  username: string;
  secret: string;
  method: string;
  path: string;
  body: string; // '' = none
  digestHeader?: 'x-Content-MD5' | 'Content-MD5';
  sent: Record<string, string>; // the headers the signer produced, as spelled on the wire
}

// Captured from messagemedia-messages-sdk@2.0.3 (lib/Controllers/BaseController.js, hmac-sha1 only,
// hex MD5 in x-Content-MD5): its real controllers were pointed at a local HTTP server with
// Configuration.BASEURI, the global Date pinned to `now`, and the server recorded what arrived.
// To regenerate: `mkdir -p /tmp/mm && cd /tmp/mm && npm init -y && npm i messagemedia-messages-sdk@2.0.3`,
// then a script that subclasses Date, sets Configuration.hmacAuthUserName/hmacAuthPassword and calls
// MessagesController.getMessageStatus / sendMessages / cancelScheduledMessage and
// DeliveryReportsController.checkDeliveryReports. The SDK never signs a query string.
const SDK: Vector[] = [
  { name: 'GET getMessageStatus', now: '2024-03-05T09:07:03Z', username: 'AKmm0001', secret: 'S3cr3t-one',
    method: 'GET', path: '/v1/messages/877c19ef-fa2e-4cec-827a-e1df9b5509f7', body: '',
    sent: { date: 'Tue, 05 Mar 2024 09:07:03 GMT',
      Authorization: 'hmac username="AKmm0001", algorithm="hmac-sha1", headers="date request-line", signature="bK8NaYoQUzPtQ/C4CCz6f18CcbQ="' } },
  { name: 'POST sendMessages (JSON, non-ASCII)', now: '2025-11-30T23:59:59Z', username: 'AKmm0002',
    secret: 'another secret with spaces', method: 'POST', path: '/v1/messages',
    body: '{"messages":[{"content":"Hello wörld","destination_number":"+61491570156","metadata":{"ref":"a/b?c"}}]}',
    sent: { date: 'Sun, 30 Nov 2025 23:59:59 GMT', 'x-Content-MD5': '063f27455b4e51eefc017bad92ac412e',
      Authorization: 'hmac username="AKmm0002", algorithm="hmac-sha1", headers="date x-Content-MD5 request-line", signature="lhNn/waPRT1bww9mi2QTlBh6uXM="' } },
  { name: 'GET checkDeliveryReports', now: '2026-01-01T00:00:00Z', username: 'AKmm0003', secret: 'k3y',
    method: 'GET', path: '/v1/delivery_reports', body: '',
    sent: { date: 'Thu, 01 Jan 2026 00:00:00 GMT',
      Authorization: 'hmac username="AKmm0003", algorithm="hmac-sha1", headers="date request-line", signature="LIE6xywS8Z1oZJkRS0QTyAf4ab0="' } },
];
// The SDK sends cancelScheduledMessage as PUT but signs `POST` (it derives the method from "has a body").
const SDK_PUT = { name: 'PUT cancelScheduledMessage', now: '2024-02-29T12:34:56Z', username: 'AKmm0004',
  secret: 'S3cr3t-four', method: 'PUT', path: '/v1/messages/04fe9a97-a579-43c5-bb1a-58ed29bf0a6a', body: '{"status":"cancelled"}',
  sent: { date: 'Thu, 29 Feb 2024 12:34:56 GMT', 'x-Content-MD5': 'f3278465779cab6598f2d4bcf6e37378',
    Authorization: 'hmac username="AKmm0004", algorithm="hmac-sha1", headers="date x-Content-MD5 request-line", signature="/9e/wGBw4WJEZVy6qXFaLe6rlos="' } } satisfies Vector;

// hmac-sha256 is not in the SDK: these come from the OpenSSL 3.0 CLI, e.g.
//   printf 'date: Mon, 15 Sep 2025 08:00:00 GMT\nContent-MD5: %s\nPOST /oauth2/token?audience=https%%3A%%2F%%2Fapi.example HTTP/1.1' \
//     "$(printf %s "$BODY" | openssl dgst -md5 -r | cut -d' ' -f1)" | openssl dgst -sha256 -hmac 'hmac-256-secret' -binary | base64
const OPENSSL: Vector[] = [
  { name: 'sha256 POST with query, Content-MD5', now: '2025-09-15T08:00:00Z', username: 'AK256post',
    secret: 'hmac-256-secret', method: 'POST', path: '/oauth2/token?audience=https%3A%2F%2Fapi.example',
    body: 'grant_type=client_credentials&scope=messages', digestHeader: 'Content-MD5',
    sent: { date: 'Mon, 15 Sep 2025 08:00:00 GMT', 'Content-MD5': '4bfd2c436b22b35e59d3bca770201e5c',
      Authorization: 'hmac username="AK256post", algorithm="hmac-sha256", headers="date Content-MD5 request-line", signature="WDgp+z+VnteuQPTzxf1EFm37Wc67W3icCuMaiEd+nKA="' } },
  { name: 'sha256 GET with query', now: '2024-06-07T18:30:00Z', username: 'AK256get', secret: 'get-256',
    method: 'GET', path: '/v1/access-keys?page_size=2', body: '',
    sent: { date: 'Fri, 07 Jun 2024 18:30:00 GMT',
      Authorization: 'hmac username="AK256get", algorithm="hmac-sha256", headers="date request-line", signature="zysxBfq8tDlswsZWzpm64x2QBFQiWJISBLaPG7gtRv0="' } },
];
const ALL = [...SDK, ...OPENSSL];
const WITH_BODY = ALL.filter((v) => v.body !== '');

const lowerCased = (sent: Record<string, string>): HeaderValues =>
  Object.fromEntries(Object.entries(sent).map(([k, v]) => [k.toLowerCase(), v]));
const minutes = (iso: string, n: number) => new Date(Date.parse(iso) + n * 60_000);

/** Verifies a vector as received, with any field overridden. */
function verify(v: Vector, over: Partial<Parameters<typeof verifyHmacRequest>[0]> = {}) {
  const headers = lowerCased(v.sent);
  return verifyHmacRequest({
    authorization: headers.authorization!, method: v.method, path: v.path, headers,
    body: v.body ? Buffer.from(v.body) : undefined, secret: v.secret, now: new Date(v.now), ...over,
  });
}

describe('known vectors', () => {
  it.each(ALL)('$name verifies with its secret at its time', (v) => {
    expect(verify(v)).toEqual({ ok: true, username: v.username });
  });
  it.each(ALL)('$name: signHmacRequest produces the same headers', (v) => {
    const algorithm = v.sent.Authorization.includes('hmac-sha256') ? 'hmac-sha256' : 'hmac-sha1';
    const ours = signHmacRequest({ username: v.username, secret: v.secret, algorithm, method: v.method,
      path: v.path, body: v.body || undefined, date: new Date(v.now), digestHeader: v.digestHeader });
    expect(ours).toEqual(v.sent);
  });
  it('the SDK PUT is signed as POST, so it verifies only as POST', () => {
    expect(verify(SDK_PUT)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify(SDK_PUT, { method: 'POST' })).toEqual({ ok: true, username: SDK_PUT.username });
  });
});

describe('what is refused', () => {
  it.each(ALL)('$name: a wrong secret', (v) => {
    expect(verify(v, { secret: `${v.secret}x` })).toEqual({ ok: false, reason: 'bad_signature' });
  });
  it.each(ALL)('$name: a changed path or method', (v) => {
    expect(verify(v, { path: `${v.path}/x` })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify(v, { path: v.path.includes('?') ? v.path.split('?')[0] : `${v.path}?a=1` })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify(v, { method: v.method === 'GET' ? 'DELETE' : 'PATCH' })).toEqual({ ok: false, reason: 'bad_signature' });
  });
  it.each(ALL)('$name: a Date 6 minutes off either way; 5 minutes is still inside', (v) => {
    expect(verify(v, { now: minutes(v.now, 6) })).toEqual({ ok: false, reason: 'stale_date' });
    expect(verify(v, { now: minutes(v.now, -6) })).toEqual({ ok: false, reason: 'stale_date' });
    expect(verify(v, { now: minutes(v.now, 5) }).ok).toBe(true);
    expect(verify(v, { now: minutes(v.now, -5) }).ok).toBe(true);
    expect(verify(v, { now: minutes(v.now, 2), maxSkewSeconds: 60 })).toEqual({ ok: false, reason: 'stale_date' });
  });
  it.each(ALL)('$name: replayed as is an hour and a day later', (v) => {
    expect(verify(v, { now: minutes(v.now, 60) })).toEqual({ ok: false, reason: 'stale_date' });
    expect(verify(v, { now: minutes(v.now, 24 * 60) })).toEqual({ ok: false, reason: 'stale_date' });
  });
  it.each(WITH_BODY)('$name: a changed body, with or without a recomputed digest', (v) => {
    const body = Buffer.from(v.body.replace(/.$/, ' '));
    expect(verify(v, { body })).toEqual({ ok: false, reason: 'body_digest_mismatch' });
    // The digest is signed: an attacker who recomputes it still lacks the signature.
    const name = Object.keys(v.sent).find((k) => /md5/i.test(k))!.toLowerCase();
    const headers = { ...lowerCased(v.sent), [name]: createHash('md5').update(body).digest('hex') };
    expect(verify(v, { body, headers })).toEqual({ ok: false, reason: 'bad_signature' });
  });
  it.each(SDK.filter((v) => !v.body))('$name: a body added to a request signed without one', (v) => {
    expect(verify(v, { body: Buffer.from('{}') })).toEqual({ ok: false, reason: 'missing_body_digest' });
  });
  it('a signature made for the other algorithm (another length)', () => {
    const v = OPENSSL[1];
    const sha1 = signHmacRequest({ ...v, date: new Date(v.now), algorithm: 'hmac-sha1' }).Authorization;
    const swapped = sha1.replace('hmac-sha1', 'hmac-sha256');
    expect(verify(v, { authorization: swapped })).toEqual({ ok: false, reason: 'bad_signature' });
  });
});

describe('what must be signed and sent', () => {
  const v = SDK[1]; // POST with x-Content-MD5
  const auth = (headers: string) => v.sent.Authorization.replace(/headers="[^"]*"/, `headers="${headers}"`);
  it.each([
    ['x-Content-MD5 request-line', {}, 'missing_date'],
    ['date x-Content-MD5', {}, 'missing_signed_header'],
    ['date x-Content-MD5 x-extra request-line', {}, 'missing_signed_header'],
    ['date x-Content-MD5 request-line', { date: undefined }, 'missing_date'],
    ['date x-Content-MD5 request-line', { date: '2025-11-30T23:59:59Z' }, 'missing_date'],
    ['date x-Content-MD5 request-line', { date: 'Mon, 30 Nov 2025 23:59:59 GMT' }, 'missing_date'], // wrong weekday
    ['date request-line', {}, 'missing_body_digest'],
    ['date x-Content-MD5 request-line', { 'x-content-md5': 'AAAA' }, 'body_digest_mismatch'],
  ] as const)('headers="%s" with %o → %s', (signed, changes, reason) => {
    const headers = { ...lowerCased(v.sent), ...changes };
    expect(verify(v, { authorization: auth(signed), headers })).toEqual({ ok: false, reason });
  });
  it('maps header parse errors to malformed and unsupported_algorithm', () => {
    expect(verify(v, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })).toEqual({ ok: false, reason: 'malformed' });
    expect(verify(v, { authorization: v.sent.Authorization.replace('hmac-sha1', 'hmac-md5') })).toEqual({ ok: false, reason: 'unsupported_algorithm' });
  });
  it('Content-MD5 spelling and date request-line without a body round-trip, sha1 and sha256', () => {
    for (const algorithm of ['hmac-sha1', 'hmac-sha256'] as const) {
      for (const [body, digestHeader] of [['{"a":1}', 'Content-MD5'], ['{"a":1}', 'x-Content-MD5'], [undefined, undefined]] as const) {
        const now = new Date('2025-05-05T05:05:05.678Z');
        const sent = signHmacRequest({ username: 'AK', secret: Buffer.from('binary\x00secret'), algorithm, method: 'POST', path: '/v1/x?y=z', body, date: now, digestHeader });
        expect(Object.keys(sent).sort()).toEqual(body ? ['Authorization', digestHeader, 'date'].sort() : ['Authorization', 'date']);
        const headers = lowerCased(sent);
        const args = { authorization: sent.Authorization, method: 'POST', path: '/v1/x?y=z', headers, body: body && Buffer.from(body), secret: Buffer.from('binary\x00secret'), now };
        expect(verifyHmacRequest(args)).toEqual({ ok: true, username: 'AK' });
        expect(verifyHmacRequest({ ...args, secret: 'binary' })).toEqual({ ok: false, reason: 'bad_signature' });
      }
    }
  });
  it('builds the signing string from the names as written', () => {
    const text = signingString({ method: 'GET', path: '/a?b=c', headers: { date: 'D', 'content-md5': 'M' }, signedHeaders: ['date', 'Content-MD5', 'request-line'] });
    expect(text).toBe('date: D\nContent-MD5: M\nGET /a?b=c HTTP/1.1');
    expect(() => signHmacRequest({ ...SDK[0], username: 'a"b', date: new Date() })).toThrow(RangeError);
  });
});

describe('parseHmacAuthorization', () => {
  const ok = 'hmac username="K", algorithm="hmac-sha1", headers="date request-line", signature="AAAA"';
  it('reads the parameters in any order, with any scheme case and spacing', () => {
    const value = { username: 'K', algorithm: 'hmac-sha256', headers: ['date', 'x-Content-MD5', 'request-line'], signature: 'ab+/AA==' };
    expect(parseHmacAuthorization('HMAC signature="ab+/AA==",headers="date x-Content-MD5 request-line" ,  algorithm="HMAC-SHA256", username="K"'))
      .toEqual({ ok: true, value });
    expect(parseHmacAuthorization(ok)).toMatchObject({ ok: true, value: { username: 'K', algorithm: 'hmac-sha1' } });
  });
  it.each([
    ['Basic Szpz', 'not_hmac_scheme', undefined],
    ['hmacusername="K"', 'not_hmac_scheme', undefined],
    [ok.replace('username="K"', 'username="K", username="L"'), 'duplicate_parameter', 'username'],
    [ok.replace('username=', 'USERNAME="x", username='), 'duplicate_parameter', 'username'],
    [`${ok}, realm="x"`, 'unknown_parameter', undefined],
    [ok.replace('username="K", ', ''), 'missing_parameter', 'username'],
    [ok.replace(', algorithm="hmac-sha1"', ''), 'missing_parameter', 'algorithm'],
    [ok.replace('headers="date request-line", ', ''), 'missing_parameter', 'headers'],
    [ok.replace(', signature="AAAA"', ''), 'missing_parameter', 'signature'],
    [ok.replace('username="K"', 'username=""'), 'missing_parameter', 'username'],
    [ok.replace('date request-line', '  '), 'missing_parameter', 'headers'],
    [ok.replace('hmac-sha1', 'hmac-md5'), 'unsupported_algorithm', 'algorithm'],
    [ok.replace('hmac-sha1', 'rsa-sha256'), 'unsupported_algorithm', 'algorithm'],
    [ok.replace('username="K"', 'username=K'), 'malformed_parameters', undefined],
    [ok.replace('username="K"', 'username="K\\"x"'), 'malformed_parameters', undefined],
    [`${ok},`, 'malformed_parameters', undefined],
    [`${ok} trailing`, 'malformed_parameters', undefined],
    [ok.replace('", algorithm', '" algorithm'), 'malformed_parameters', undefined],
    [ok.replace('date request-line', 'date: request-line'), 'malformed_parameters', 'headers'],
    [ok.replace('date request-line', 'date Date request-line'), 'duplicate_header', 'headers'],
    [ok.replace('AAAA', 'AA*A'), 'malformed_signature', 'signature'],
    [ok.replace('AAAA', 'AAA'), 'malformed_signature', 'signature'],
    [`${ok}${' '.repeat(5000)}`, 'malformed_parameters', undefined],
  ] as const)('%s → %s', (header, code, param) => {
    expect(parseHmacAuthorization(header)).toEqual({ ok: false, error: param ? { code, param } : { code } });
  });
});
