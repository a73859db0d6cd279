// REST HMAC credentials: verifies (and, for tests and clients, makes) MessageMedia-style
// signed requests. The signing string is each signed header as `name: value` (the name as
// written in the `headers` parameter) and `request-line` as `METHOD /path?query HTTP/1.1`,
// joined with "\n"; the signature is the base64 HMAC of it under the API secret. The body
// is bound through a signed x-Content-MD5 (or Content-MD5) header holding its hex MD5,
// which is what the messagemedia-messages-sdk sends. Pure: no I/O, the clock is passed in.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parseHmacAuthorization, type HmacAlgorithm, type HmacAuthorization } from './hmac-header.js';

export { parseHmacAuthorization, HMAC_ALGORITHMS } from './hmac-header.js';
export type { HmacAlgorithm, HmacAuthorization, HmacParseError, HmacParseResult } from './hmac-header.js';

/** Request headers by lower-cased name (as node's IncomingMessage.headers, repeats joined). */
export type HeaderValues = Record<string, string | undefined>;

export type HmacFailureReason =
  | 'malformed'
  | 'unsupported_algorithm'
  | 'missing_date'
  | 'stale_date'
  | 'missing_body_digest'
  | 'body_digest_mismatch'
  | 'bad_signature'
  | 'missing_signed_header'
  | 'replayed';

export type HmacVerification = { ok: true; username: string } | { ok: false; reason: HmacFailureReason };

export interface VerifyHmacInput {
  /** The Authorization header, or its already parsed form (parse first to find the secret by username). */
  authorization: string | HmacAuthorization;
  method: string;
  /** The request target as sent: path and query string, undecoded. */
  path: string;
  headers: HeaderValues;
  /**
   * The body as received (undefined: none), or 'deferred' when it is read after the
   * signature is checked (the management API's JSON parser runs after authentication):
   * the caller then compares signedBodyDigests() with the bytes itself.
   */
  body: Buffer | undefined | 'deferred';
  secret: string | Buffer;
  now: Date;
  maxSkewSeconds?: number;
}

const REQUEST_LINE = 'request-line';
const DIGEST_HEADERS = new Set(['x-content-md5', 'content-md5']);
const NODE_ALGORITHM: Record<HmacAlgorithm, string> = { 'hmac-sha1': 'sha1', 'hmac-sha256': 'sha256' };
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

export function signingString(input: {
  method: string;
  path: string;
  headers: HeaderValues;
  signedHeaders: string[];
}): string {
  return input.signedHeaders
    .map((name) => {
      const lower = name.toLowerCase();
      if (lower === REQUEST_LINE) return `${input.method} ${input.path} HTTP/1.1`;
      const value = input.headers[lower];
      if (value === undefined) throw new RangeError(`signed header ${name} is not in the request`);
      return `${name}: ${value}`;
    })
    .join('\n');
}

const md5Hex = (body: Buffer | string) => createHash('md5').update(body).digest('hex');

const hmacBase64 = (algorithm: HmacAlgorithm, secret: string | Buffer, text: string) =>
  createHmac(NODE_ALGORITHM[algorithm], secret).update(text, 'utf8').digest('base64');

/** Milliseconds of an RFC 7231 IMF-fixdate; undefined for anything else (or an impossible date). */
export function parseImfFixdate(value: string): number | undefined {
  if (!IMF_FIXDATE.test(value)) return undefined;
  const ms = Date.parse(value);
  // The round trip refuses 31 Feb, 25:00 and a weekday that does not match the date.
  return Number.isNaN(ms) || new Date(ms).toUTCString() !== value ? undefined : ms;
}

const failure = (reason: HmacFailureReason): HmacVerification => ({ ok: false, reason });

/** The values of the signed body digest headers (x-Content-MD5, Content-MD5), as sent. */
export const signedBodyDigests = (signedHeaders: string[], headers: HeaderValues): string[] =>
  signedHeaders.map((h) => h.toLowerCase()).filter((name) => DIGEST_HEADERS.has(name)).map((name) => headers[name] ?? '');

/** True when every digest is the body's hex MD5. A signed digest always speaks for the body, an absent body being the empty one. */
export function bodyMatchesDigests(digests: string[], body: Buffer | undefined): boolean {
  if (digests.length === 0) return true;
  const actual = md5Hex(body ?? Buffer.alloc(0));
  return digests.every((value) => value.trim().toLowerCase() === actual);
}

export function verifyHmacRequest(input: VerifyHmacInput): HmacVerification {
  const { method, path, headers, body, now, maxSkewSeconds = 300 } = input;
  let auth: HmacAuthorization;
  if (typeof input.authorization === 'string') {
    const parsed = parseHmacAuthorization(input.authorization);
    if (!parsed.ok) return failure(parsed.error.code === 'unsupported_algorithm' ? 'unsupported_algorithm' : 'malformed');
    auth = parsed.value;
  } else {
    auth = input.authorization;
  }

  // What must be signed: the Date (bounds replay) and the request line (binds method and target).
  const signed = auth.headers.map((h) => h.toLowerCase());
  if (!signed.includes('date')) return failure('missing_date');
  if (!signed.includes(REQUEST_LINE)) return failure('missing_signed_header');
  for (const name of signed) {
    if (name !== REQUEST_LINE && headers[name] === undefined) {
      return failure(name === 'date' ? 'missing_date' : 'missing_signed_header');
    }
  }

  // A Date that is not an IMF-fixdate is treated as no usable Date.
  const sentAt = parseImfFixdate(headers.date!);
  if (sentAt === undefined) return failure('missing_date');
  if (Math.abs(now.getTime() - sentAt) > maxSkewSeconds * 1000) return failure('stale_date');

  if (body !== 'deferred') {
    const digests = signedBodyDigests(auth.headers, headers);
    if (body && body.length > 0 && digests.length === 0) return failure('missing_body_digest');
    if (!bodyMatchesDigests(digests, body)) return failure('body_digest_mismatch');
  }

  const expected = Buffer.from(
    hmacBase64(auth.algorithm, input.secret, signingString({ method, path, headers, signedHeaders: auth.headers })),
  );
  const presented = Buffer.from(auth.signature);
  // Lengths are public (fixed per algorithm); only equal-length buffers are compared, in constant time.
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) return failure('bad_signature');
  return { ok: true, username: auth.username };
}

export interface SignHmacInput {
  username: string;
  secret: string | Buffer;
  algorithm?: HmacAlgorithm;
  method: string;
  path: string;
  body?: Buffer | string;
  date: Date;
  /** How the body digest header is spelled (it is signed as written). */
  digestHeader?: 'x-Content-MD5' | 'Content-MD5';
}

/**
 * The headers to send with a request, as the messagemedia-messages-sdk builds them: `date`,
 * a digest header when there is a body, and `Authorization`.
 */
export function signHmacRequest(input: SignHmacInput): Record<string, string> {
  const { username, algorithm = 'hmac-sha1', digestHeader = 'x-Content-MD5' } = input;
  // The header has no escapes, so a username it cannot carry is refused rather than mangled.
  if (!/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/.test(username)) throw new RangeError('username cannot be carried in an hmac header');
  const out: Record<string, string> = { date: input.date.toUTCString() };
  const lowerCased: HeaderValues = { date: out.date };
  const signedHeaders = ['date'];
  if (input.body !== undefined && input.body.length > 0) {
    out[digestHeader] = md5Hex(input.body);
    lowerCased[digestHeader.toLowerCase()] = out[digestHeader];
    signedHeaders.push(digestHeader);
  }
  signedHeaders.push(REQUEST_LINE);
  const text = signingString({ method: input.method, path: input.path, headers: lowerCased, signedHeaders });
  const signature = hmacBase64(algorithm, input.secret, text);
  out.Authorization =
    `hmac username="${username}", algorithm="${algorithm}", headers="${signedHeaders.join(' ')}", signature="${signature}"`;
  return out;
}
