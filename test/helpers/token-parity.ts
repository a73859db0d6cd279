// For comparing two token issuers (test/secret-grant-parity.test.ts): sends a token request
// exactly as built (no header added by fetch) and reduces the answer to what two correct
// issuers must agree on: status, headers, body, and a token's header and claims, verified
// against the server's JWKS. What two correct answers may differ in is listed in VOLATILE
// and normalised here, nowhere else.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { recordToken } from './server.js';

/** A token request: the headers sent (and no other), the body as bytes, and a query string after the path. */
export interface TokenCall {
  headers: Record<string, string>;
  body?: string;
  query?: string;
}

/** What may differ between two correct answers to the same request, and why. */
export const VOLATILE = {
  // Transport, per connection or per request; not the token endpoint's answer.
  headers: new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'x-request-id']),
  // Unique (jti) or stamped with the moment of issue (iat, exp) in every token (RFC 9068 §2.2):
  // each value becomes its shape (`shape`), so that presence and form are still compared;
  // exp - iat, the lifetime, is kept and compared, and iat itself (`issuedAt`) within
  // slackSeconds. An active introspection answer repeats them (RFC 7662 §2.2): the same there.
  claims: ['jti', 'iat', 'exp'],
  // Seconds left in the quota's window: an answer a moment later waits a moment less. Kept
  // apart as a number (`retryAfter`), compared within slackSeconds; where the error
  // description repeats it, it reads <seconds> there too.
  slackSeconds: 5,
  // The access token itself is compared through its decoded header and claims (above); and
  // each side asks with its own twin of every key (so that usage compares per key): Key IDs,
  // usernames and credential IDs become the twin's name (`names`).
} as const;

export interface Normalised {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  token?: { header: Record<string, unknown>; claims: Record<string, unknown>; lifetime: number; verified: true | string };
}

export async function sendToken(baseUrl: string, call: TokenCall): Promise<{ status: number; headers: Headers; text: string }> {
  // Bytes, not a string: fetch adds a Content-Type of its own to a string body.
  const body = call.body === undefined ? undefined : new TextEncoder().encode(call.body);
  const res = await fetch(`${baseUrl}/oauth2/token${call.query ?? ''}`, { method: 'POST', headers: call.headers, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** What a volatile claim's value is, without the value: its type, and a string's length and alphabet. */
function shape(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? '<integer>' : '<number>';
  if (typeof value === 'string') return `<string of ${value.length}${/^[A-Za-z0-9_-]+$/.test(value) ? ' base64url' : ''} characters>`;
  return `<${typeof value}>`;
}

const withShapes = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, (VOLATILE.claims as readonly string[]).includes(k) ? shape(v) : v]));

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces every name (case-insensitively: a Key ID may come back canonical) in every string of a JSON value. */
function named(value: unknown, names: Map<string, string>): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const [name, placeholder] of names) out = out.replace(new RegExp(escape(name), 'gi'), placeholder);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => named(v, names));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, named(v, names)]));
  return value;
}

async function decodeToken(token: string, jwks: JSONWebKeySet, issuer: string, names: Map<string, string>): Promise<Normalised['token']> {
  recordToken(token);
  const header = decodeProtectedHeader(token) as Record<string, unknown>;
  const claims = decodeJwt(token) as Record<string, unknown>;
  const verified = await jwtVerify(token, createLocalJWKSet(jwks), { issuer, typ: 'at+jwt' }).then(
    () => true as const,
    (err: { code?: string; message?: string }) => `${err.code ?? 'error'}: ${err.message}`,
  );
  return { header, claims: named(withShapes(claims), names) as Record<string, unknown>, lifetime: Number(claims.exp) - Number(claims.iat), verified };
}

/** The answer as two issuers must give it, and Retry-After's seconds apart (VOLATILE). */
export async function normalise(
  res: { status: number; headers: Headers; text: string },
  opts: { jwks: JSONWebKeySet; issuer: string; names: Map<string, string> },
): Promise<{ answer: Normalised; retryAfter?: number; issuedAt?: number }> {
  const headers: Record<string, string> = {};
  let retryAfter: number | undefined;
  for (const [name, value] of [...res.headers.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (VOLATILE.headers.has(name)) continue;
    if (name === 'retry-after' && /^\d+$/.test(value)) {
      retryAfter = Number(value);
      headers[name] = '<seconds>';
    } else {
      headers[name] = named(value, opts.names) as string;
    }
  }
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(res.text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  const names = retryAfter === undefined ? opts.names : new Map([...opts.names, [String(retryAfter), '<seconds>']]);
  if (json?.active === true) json = withShapes(json);
  const answer: Normalised = { status: res.status, headers, body: json === undefined ? { text: res.text } : named(json, names) };
  if (typeof json?.access_token === 'string') {
    const { token_type, expires_in, scope } = json;
    answer.body = { token_type, expires_in, scope, keys: Object.keys(json).sort() };
    answer.token = await decodeToken(json.access_token, opts.jwks, opts.issuer, opts.names);
    return { answer, retryAfter, issuedAt: Number(decodeJwt(json.access_token).iat) };
  }
  return { answer, retryAfter };
}
