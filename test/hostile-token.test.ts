// Hostile input, property-based, at the OAuth surface on a real server: generated form
// bodies (any keys, duplicates, huge values, prototype keys), content types, credentials,
// headers and path spellings at POST /oauth2/token and POST /oauth2/introspect; generated
// methods, query strings and headers at discovery and the JWKS. Never a 5xx or a leak, never
// a change to access_keys, never a token (nor an active answer) without the key's secret.
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HostileFixture } from './helpers/hostile-fixture.js';
import { contentType, extraHeaders, headerValue, hostileString, queryString, RUNS } from './helpers/hostile.js';
import { percentEncode } from './helpers/raw-http.js';
import { otherLastChar } from './helpers/token-requests.js';

let f: HostileFixture;
let documents: Record<string, string>;
const WELL_KNOWN = ['/.well-known/oauth-authorization-server', '/.well-known/jwks.json'];

beforeAll(async () => {
  f = await HostileFixture.start();
  documents = Object.fromEntries(await Promise.all(WELL_KNOWN.map(async (p) => [p, await (await fetch(`${f.s.url}${p}`)).text()])));
});
afterEach((ctx) => f?.report(ctx.task.name));
afterAll(() => f?.close());

const FORM = 'application/x-www-form-urlencoded';
const paramName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('grant_type', 'client_id', 'client_secret', 'scope', 'resource', 'audience', 'client_assertion', 'token',
    'token_type_hint', 'client_assertion_type', 'grant_type[]', 'client_id[]', '__proto__', '__proto__[client_secret]', 'constructor', 'toString') },
  { weight: 2, arbitrary: hostileString },
);
type Value = 'client_credentials' | 'key id' | 'KEY ID' | 'secret' | 'wrong secret' | 'audience' | 'token' | 'tampered token';
const paramValue = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom<Value>('client_credentials', 'key id', 'KEY ID', 'secret', 'wrong secret', 'audience', 'token', 'tampered token').map((v) => ({ v })) },
  { weight: 4, arbitrary: hostileString.map((raw) => ({ raw })) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 70_000 }).map((n) => ({ raw: 'v'.repeat(n) })) },
);
type Credentials = 'basic' | 'basic, upper-case key id' | 'basic, wrong secret' | 'none' | { raw: string };
const credentials: fc.Arbitrary<Credentials> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<Credentials>('basic', 'basic, upper-case key id', 'basic, wrong secret', 'none', 'none') },
  { weight: 2, arbitrary: fc.oneof(headerValue, hostileString.map((s) => `Basic ${Buffer.from(s).toString('base64')}`)).map((raw) => ({ raw })) },
);
const request = fc.record({
  lead: fc.boolean(),
  pairs: fc.array(fc.tuple(paramName, paramValue), { maxLength: 8 }),
  encoded: fc.boolean(),
  cred: credentials,
  type: fc.oneof({ weight: 8, arbitrary: fc.constant(FORM) }, { weight: 2, arbitrary: contentType }),
  extra: fc.option(extraHeaders, { freq: 3, nil: [] }),
});
const spellings = (path: string) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(path) },
    { weight: 2, arbitrary: fc.constantFrom(`${path}/`, path.toUpperCase(), path.replace('/oauth2/', '/oauth2//'), `${path}/..`, path.replace('/oauth2/', '/oauth2/%2e/'),
      `${path}%00`, `${path};x=1`, `${path}?grant_type=client_credentials`, `${path}.json`, `${path}/x`) },
  );

/** A generated form request: the pairs (after an optional leading one), its encoding, credentials and headers. */
function formRequest(r: typeof request extends fc.Arbitrary<infer T> ? T : never, lead: [string, string]) {
  const { accessKeyId } = f.actor.accessKey;
  const secret = f.actor.secret;
  const wrong = otherLastChar(secret);
  const token = f.bearer.slice('Bearer '.length);
  const values: Record<Value, string> = {
    client_credentials: 'client_credentials', 'key id': accessKeyId, 'KEY ID': accessKeyId.toUpperCase(), secret, 'wrong secret': wrong,
    audience: f.s.config.tokenAudience, token, 'tampered token': `${token.slice(0, -6)}AAAAAA`,
  };
  const enc = r.encoded ? percentEncode : (s: string) => s.replace(/[&=#%+\s]|[^\x21-\x7e]/gu, (c) => percentEncode(c));
  const all: [string, string][] = [...(r.lead ? [lead] : []), ...r.pairs.map(([k, v]): [string, string] => [k, 'raw' in v ? v.raw : values[v.v]])];
  const body = all.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  const { cred } = r;
  const auth =
    cred === 'basic' ? f.s.basic(accessKeyId, secret)
    : cred === 'basic, upper-case key id' ? f.s.basic(accessKeyId.toUpperCase(), secret)
    : cred === 'basic, wrong secret' ? f.s.basic(accessKeyId, wrong)
    : cred === 'none' ? undefined
    : cred.raw;
  const headers: [string, string][] = [['Content-Type', r.type], ...r.extra.filter(([n]) => !/^(content-length|transfer-encoding|authorization)$/i.test(n))];
  if (auth !== undefined) headers.push(['Authorization', auth]);
  const presentsSecret = (typeof cred === 'string' && cred.startsWith('basic') && cred !== 'basic, wrong secret') || all.some(([, v]) => v === secret);
  return { headers, body, all, token, presentsSecret, sent: [body, ...all.flat(), ...headers.flat()] };
}

describe('POST /oauth2/token', () => {
  it('never a 5xx, never a change, and a token only for the right secret', async () => {
    await fc.assert(
      fc.asyncProperty(request, spellings('/oauth2/token'), async (r, path) => {
        const req = formRequest(r, ['grant_type', 'client_credentials']);
        const res = await f.exercise({ method: 'POST', target: path, headers: req.headers, body: req.body }, { method: 'TOKEN', authValid: req.presentsSecret }, [path, ...req.sent]);
        if (res.text !== '') expect(() => JSON.parse(res.text), `${res.status} ${res.text.slice(0, 200)}`).not.toThrow();
        if (res.status === 200) {
          const claims = decodeJwt(JSON.parse(res.text).access_token as string);
          expect(claims.sub).toBe(f.actor.accessKey.accessKeyId);
          expect(claims.project_id).toBe(f.actor.projectId);
        }
        if (res.status === 401) expect(JSON.parse(res.text).error).toBe('invalid_client');
      }),
      { ...RUNS, numRuns: 200 },
    );
  });
});

describe('POST /oauth2/introspect', () => {
  it('never a 5xx, never a change, and active only for the real token asked by its own key', async () => {
    await fc.assert(
      fc.asyncProperty(request, spellings('/oauth2/introspect'), async (r, path) => {
        const req = formRequest(r, ['token', f.bearer.slice('Bearer '.length)]);
        const res = await f.exercise({ method: 'POST', target: path, headers: req.headers, body: req.body }, { method: 'INTROSPECT', authValid: true }, [path, ...req.sent]);
        if (res.text !== '') expect(() => JSON.parse(res.text), `${res.status} ${res.text.slice(0, 200)}`).not.toThrow();
        if (res.status === 200 && JSON.parse(res.text).active === true) {
          expect(req.presentsSecret, 'active without the caller presenting its secret').toBe(true);
          expect(req.all.some(([k, v]) => k === 'token' && v === req.token)).toBe(true);
          expect(JSON.parse(res.text).client_id).toBe(f.actor.accessKey.accessKeyId);
        }
      }),
      RUNS,
    );
  });
});

describe('discovery and JWKS', () => {
  const method = fc.oneof({ weight: 6, arbitrary: fc.constant('GET') }, { weight: 2, arbitrary: fc.constantFrom('HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE') });
  it('serve the same documents whatever the query and headers; other methods are a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...WELL_KNOWN), queryString, method, extraHeaders, async (path, query, m, extra) => {
        const headers = extra.filter(([n]) => !/^(content-length|transfer-encoding)$/i.test(n));
        const target = `${path}${query}`;
        const res = await f.exercise({ method: m, target, headers }, { method: m, authValid: true }, [target, ...query.split(/[?&=]/), ...headers.flat()]);
        // Refused by Node before any route: a head over 16 KiB, a malformed one, an Expect it cannot meet.
        if (res.status === 431 || res.status === 417 || (res.status === 400 && res.text === '')) return;
        if (m === 'GET') {
          expect(res.status, res.text).toBe(200);
          expect(res.text).toBe(documents[path]);
        } else if (m === 'HEAD') {
          expect(res.status).toBe(200);
        } else if (m === 'OPTIONS') {
          // Express answers OPTIONS itself with the allowed methods (and no CORS headers).
          expect(res.status).toBe(200);
          expect(res.headers.allow).toBe('GET, HEAD');
          expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
        } else {
          expect(res.status, `${m} ${target}`).toBeGreaterThanOrEqual(400);
        }
      }),
      RUNS,
    );
  });
});
