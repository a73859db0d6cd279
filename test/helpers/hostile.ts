// What the hostile-input properties share: generators of nasty strings, path segments,
// query strings and headers; the table snapshot; and the check every response must pass
// (no 5xx; no stack trace, SQL or file path beyond what the request itself sent).
import fc from 'fast-check';
import type pg from 'pg';
import { assertNoLeak } from './api-client.js';
import { percentEncode, type RawResponse } from './raw-http.js';

// A fixed seed keeps CI repeatable; FC_SEED=random (or a number) explores further, and a
// failure prints the seed and path to replay it.
const seedEnv = process.env.FC_SEED ?? '20261122';
export const RUNS = { numRuns: 150, ...(seedEnv === 'random' ? {} : { seed: Number(seedEnv) }) };

/** Strings attackers and broken clients send: SQL, prototype keys, paths, Unicode traps. */
export const nasty = fc.constantFrom(
  "'; DROP TABLE access_keys; --", "' OR '1'='1", "1; SELECT pg_sleep(10)--", '" UNION SELECT secret_hash FROM access_keys --',
  "Robert'); DELETE FROM access_keys WHERE ('1'='1", '$1', '\\x00', '%', '%%', '%00', '%ZZ', '%c0%af', '%ed%a0%80',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__',
  '.', '..', '../../../etc/passwd', '..%2f..%2f', '/', '//', '\\', 'C:\\Windows', 'file:///etc/passwd',
  '\u0000', 'a\u0000b', '\u202eevil\u202c', '\u200f', '\u200b', '\ufeff', '\ufffd', '\uffff', '\ud800', '\udfff', 'a\udc00b',
  '😀', '👩‍👩‍👧‍👦', 'ﷺ', 'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗͍', 'e\u0301', 'İ', 'ß', '\u2028', '\u0085', '\t', ' ', '',
  '${jndi:ldap://x/a}', '{{7*7}}', '<script>alert(1)</script>', '%s%n%x', 'null', 'undefined', 'NaN', 'true', '-1', '0', '1e309',
  '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
);

export const hostileString = fc.oneof(
  { weight: 4, arbitrary: nasty },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.tuple(nasty, fc.string({ maxLength: 10 }), nasty).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', '😀', "'", '%00', 'é'), fc.integer({ min: 100, max: 4000 })).map(([s, n]) => s.repeat(n)) },
);

/** A path segment as sent on the wire: percent-encoded, raw ASCII, or raw bytes Node must refuse. */
export const pathSegment = fc.oneof(
  { weight: 4, arbitrary: hostileString.map(percentEncode) },
  { weight: 2, arbitrary: fc.constantFrom('..', '.', '%2e%2e', '%2E', '%00', '%', '%zz', '%c0%af', '%ed%a0%80', '%ff%fe', ';a=b', 'a%2fb', '%5c', '~', '*', '@', ':') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 20 }).filter((s) => !/[/?#\s]/.test(s)) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', 'é', '😀', 'a b', '\u007f') },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 20_000 }).map((n) => 'a'.repeat(n)) },
);

const queryKey = fc.oneof(
  fc.constantFrom('pageSize', 'pageToken', 'pageSize[]', 'pageToken[]', '__proto__', '__proto__[x]', 'constructor[prototype][x]', 'a[b][c]', 'pageSize[__proto__]'),
  hostileString,
);
const queryValue = fc.oneof(
  fc.constantFrom('1', '1000', '1001', '0', '-1', '1e3', '0x10', ' 5', '5 ', '', '100000000000000000000', 'abc.def', 'a'.repeat(600)),
  hostileString,
);

/** A query string of generated pairs (repeats allowed), encoded or raw. */
export const queryString = fc
  .tuple(fc.array(fc.tuple(queryKey, queryValue), { maxLength: 6 }), fc.boolean())
  .map(([pairs, encode]) => {
    const enc = encode ? percentEncode : (s: string) => s.replace(/[^\x21-\x22\x24-\x7e]/gu, (c) => percentEncode(c));
    return pairs.length ? `?${pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}` : '';
  });

const tokenChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&\'*+-.^_`|~'.split(''));
/** A header value as bytes (latin1): visible ASCII, tabs, obs-text, and now and then a control byte. */
export const headerValue = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 60 }) },
  { weight: 2, arbitrary: hostileString.map((s) => Buffer.from(s, 'utf8').toString('latin1').replace(/[\r\n]/g, '')) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', 'a\u0001b', '\u007f', '\t', ' ') },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((n) => 'h'.repeat(n)) },
);
export const headerName = fc.oneof(
  fc.string({ unit: tokenChar, minLength: 1, maxLength: 20 }),
  fc.constantFrom('Content-Type', 'Content-Length', 'Content-Encoding', 'Transfer-Encoding', 'Accept', 'Accept-Encoding', 'Host',
    'X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Host', 'Forwarded', 'Origin', 'Cookie', 'Expect', 'X-HTTP-Method-Override', 'DPoP', 'Range'),
);
export const extraHeaders = fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 });

export const contentType = fc.oneof(
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset=utf-16',
    'application/json; charset=nonsense', 'APPLICATION/JSON', 'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-16le',
    'application/x-www-form-urlencoded; charset=bogus', 'text/plain', 'multipart/form-data; boundary=x', 'application/*', '*/*', ';', '', 'application/json, text/plain'),
  headerValue,
);

export interface Snapshot {
  count: number;
  md5: string | null;
}

/** The whole access_keys table in two numbers: any insert, update or delete changes them. */
export async function snapshot(sql: pg.Pool): Promise<Snapshot> {
  const { rows } = await sql.query<Snapshot>(
    `SELECT count(*)::int AS count, md5(string_agg(id || display_name || update_time, ',' ORDER BY id)) AS md5 FROM access_keys`,
  );
  return rows[0];
}

export interface Row {
  id: string;
  project_id: string;
  display_name: string;
  update_time: Date;
}

export async function rows(sql: pg.Pool): Promise<Map<string, Row>> {
  const { rows: all } = await sql.query<Row>('SELECT id, project_id, display_name, update_time FROM access_keys');
  return new Map(all.map((r) => [r.id, r]));
}

// Beyond the shared patterns of api-client.ts: this checkout's own directory.
const ROOT = process.cwd();

/** Removes what the request sent from `text`: echoing a client's own input is not a leak. */
function withoutEchoes(text: string, sent: readonly string[]): string {
  let out = text;
  const pieces = sent.flatMap((s) => [s, safeDecode(s), JSON.stringify(s).slice(1, -1)]).flatMap((s) => [s, s.slice(0, 64), s.slice(0, 20)]);
  for (const piece of [...new Set(pieces)].sort((a, b) => b.length - a.length)) if (piece.length >= 3) out = out.split(piece).join('');
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The checks every hostile response passes: a status below 500 and no internals in the body. */
export function assertSafeResponse(res: RawResponse, sent: readonly string[], what: string): void {
  if (res.status >= 500) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 500)}`);
  const text = withoutEchoes(res.text, sent);
  try {
    assertNoLeak(res.status, text);
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message.slice(0, 600)}`);
  }
  if (text.includes(ROOT) || /\n\s+at /.test(text)) throw new Error(`${what}: the body names a file or a stack: ${text.slice(0, 500)}`);
}
