// Parses the Authorization header of a MessageMedia-style HMAC-signed request:
//   hmac username="KEY", algorithm="hmac-sha1", headers="date x-Content-MD5 request-line", signature="BASE64"
// Strict on purpose: a signature header that two parsers could read differently is a way
// around the check, so duplicates, unknown parameters, escapes and stray text are refused.

export const HMAC_ALGORITHMS = ['hmac-sha1', 'hmac-sha256'] as const;
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];

export interface HmacAuthorization {
  username: string;
  algorithm: HmacAlgorithm;
  /** The signed header names, as written (their spelling is part of the signing string). */
  headers: string[];
  signature: string;
}

export type HmacParseErrorCode =
  | 'not_hmac_scheme'
  | 'malformed_parameters'
  | 'duplicate_parameter'
  | 'unknown_parameter'
  | 'missing_parameter'
  | 'unsupported_algorithm'
  | 'duplicate_header'
  | 'malformed_signature';

export interface HmacParseError {
  code: HmacParseErrorCode;
  /** The parameter concerned, for diagnostics (never a value taken from the header). */
  param?: keyof HmacAuthorization;
}

export type HmacParseResult = { ok: true; value: HmacAuthorization } | { ok: false; error: HmacParseError };

const PARAMS = ['username', 'algorithm', 'headers', 'signature'] as const;
type Param = (typeof PARAMS)[number];
const MAX_LENGTH = 4096; // far above any real header; keeps the parser's work bounded
// One `name="value"` pair and what follows it: a comma (then more) or the end. No escapes:
// none of the four values ever needs a quote or a backslash.
const PAIR = /[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*=[ \t]*"([^"\\]*)"[ \t]*(,|$)/y;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/; // an RFC 9110 token

const fail = (code: HmacParseErrorCode, param?: Param): HmacParseResult => ({
  ok: false,
  error: param ? { code, param } : { code },
});

const isParam = (name: string): name is Param => (PARAMS as readonly string[]).includes(name);
const isAlgorithm = (name: string): name is HmacAlgorithm => (HMAC_ALGORITHMS as readonly string[]).includes(name);

export function parseHmacAuthorization(header: string): HmacParseResult {
  if (header.length > MAX_LENGTH) return fail('malformed_parameters');
  const scheme = /^[ \t]*hmac[ \t]+/i.exec(header);
  if (!scheme) return fail('not_hmac_scheme');

  const found = new Map<Param, string>();
  PAIR.lastIndex = scheme[0].length;
  while (PAIR.lastIndex < header.length) {
    const m = PAIR.exec(header);
    if (!m) return fail('malformed_parameters');
    const name = m[1].toLowerCase();
    if (!isParam(name)) return fail('unknown_parameter');
    if (found.has(name)) return fail('duplicate_parameter', name);
    found.set(name, m[2]);
    // A trailing comma with nothing after it is not a pair list.
    if (m[3] === ',' && PAIR.lastIndex >= header.length) return fail('malformed_parameters');
  }
  for (const p of PARAMS) if (!found.get(p)) return fail('missing_parameter', p);

  const algorithm = found.get('algorithm')!.toLowerCase();
  if (!isAlgorithm(algorithm)) return fail('unsupported_algorithm', 'algorithm');

  const headers = found.get('headers')!.split(/[ \t]+/).filter(Boolean);
  if (headers.length === 0) return fail('missing_parameter', 'headers');
  if (!headers.every((h) => HEADER_NAME.test(h))) return fail('malformed_parameters', 'headers');
  const lower = new Set(headers.map((h) => h.toLowerCase()));
  if (lower.size !== headers.length) return fail('duplicate_header', 'headers');

  const signature = found.get('signature')!;
  if (!BASE64.test(signature) || signature.length % 4 !== 0) return fail('malformed_signature', 'signature');

  return { ok: true, value: { username: found.get('username')!, algorithm, headers, signature } };
}
