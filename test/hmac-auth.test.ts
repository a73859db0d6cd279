// REST HMAC against the real server: signed requests authenticate on the v1 API, the
// console API and POST /oauth2/token. Requests are signed by a signer written here from the
// scheme itself (node:crypto), not by src/credentials, so that a shared mistake cannot pass.
// Keys are inserted with SQL (sealed with the server's master key), as the console would.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/kernel/secrets.js';
import { HmacTickets } from '../src/oauth/hmac-tickets.js';
import { sealHmacSecret } from '../src/auth/hmac-secrets.js';
import { SealedBox } from '../src/crypto/sealed-box.js';
import { recordSecret, recordToken, startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';

// ---- the independent signer -------------------------------------------------------------
type Algorithm = 'hmac-sha1' | 'hmac-sha256';
interface SignOptions {
  id: string;
  secret: string;
  method: string;
  target: string;
  body?: string;
  algorithm?: Algorithm;
  date?: Date;
  digestHeader?: 'x-Content-MD5' | 'Content-MD5';
  /** Signs this method instead of the one sent. */
  signedMethod?: string;
  /** Signs this target instead of the one sent. */
  signedTarget?: string;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** The headers of a signed request: date, the digest when there is a body, authorization. */
// Each signature is accepted once (test/hmac-replay.test.ts), and tests here send the same
// request more than once within a second: by default each request gets a Date of its own,
// one second apart, starting 230 s ago (well inside the 5-minute window).
let lastDate = 0;
function freshDate(): Date {
  lastDate = Math.max(Date.now() - 230_000, lastDate + 1000);
  return new Date(lastDate);
}

function sign(o: SignOptions): Record<string, string> {
  const headers: Record<string, string> = { date: (o.date ?? freshDate()).toUTCString() };
  const names = ['date'];
  if (o.body !== undefined) {
    const name = o.digestHeader ?? 'x-Content-MD5';
    headers[name] = md5(o.body);
    names.push(name);
  }
  names.push('request-line');
  const text = names
    .map((n) => (n === 'request-line' ? `${o.signedMethod ?? o.method} ${o.signedTarget ?? o.target} HTTP/1.1` : `${n}: ${headers[n]}`))
    .join('\n');
  const algorithm = o.algorithm ?? 'hmac-sha256';
  const signature = createHmac(algorithm === 'hmac-sha1' ? 'sha1' : 'sha256', o.secret).update(text, 'utf8').digest('base64');
  headers.authorization = `hmac username="${o.id}", algorithm="${algorithm}", headers="${names.join(' ')}", signature="${signature}"`;
  return headers;
}

// ---- fixtures ---------------------------------------------------------------------------
let s: TestServer;
let a: Bootstrapped;
let box: SealedBox;
let hmacKey: { id: string; secret: string };

async function insertHmacKey(server: TestServer, projectId: string, label: string, sealer = box) {
  const id = uuidv7();
  const secret = generateSecret();
  recordSecret(secret, id);
  await server.sql.query(
    'INSERT INTO access_keys (id, project_id, display_name, kind, secret_sealed) VALUES ($1, $2, $3, $4, $5)',
    [id, projectId, label, 'hmac', sealHmacSecret(sealer, id, secret)],
  );
  return { id, secret };
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function send(server: TestServer, method: string, target: string, headers: Record<string, string>, body?: string, contentType = 'application/json'): Promise<Answer> {
  const res = await fetch(`${server.url}${target}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': contentType },
    body,
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

const TOKEN_BODY = 'grant_type=client_credentials';
const FORM = 'application/x-www-form-urlencoded';
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

function tokenRequest(server: TestServer, key: { id: string; secret: string }, over: Partial<SignOptions> = {}, body = TOKEN_BODY) {
  const headers = sign({ id: key.id, secret: key.secret, method: 'POST', target: '/oauth2/token', body: over.body ?? body, ...over });
  return send(server, 'POST', '/oauth2/token', headers, body, FORM);
}

const listPath = () => `/v1/projects/${a.projectId}/accessKeys`;

function signedCall(method: string, target: string, key: { id: string; secret: string }, body?: unknown, over: Partial<SignOptions> = {}) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return send(s, method, target, sign({ id: key.id, secret: key.secret, method, target, body: text, ...over }), text);
}

beforeAll(async () => {
  s = await startTestServer();
  box = new SealedBox(Buffer.from(s.config.masterKey!, 'base64url'));
  a = await s.bootstrap();
  hmacKey = await insertHmacKey(s, a.projectId, 'signer');
});
afterAll(() => s?.close());

// ---- the token endpoint -----------------------------------------------------------------
describe('POST /oauth2/token signed with an hmac key', () => {
  let wrongSecret: Answer;
  beforeAll(async () => {
    wrongSecret = await send(s, 'POST', '/oauth2/token', { authorization: s.basic(a.accessKey.accessKeyId, `${a.secret}x`) }, TOKEN_BODY, FORM);
    expect(wrongSecret.status).toBe(401);
  });

  /** The answer oidc-provider gives a wrong secret, to the byte and header. */
  const IGNORED = new Set(['date', 'connection', 'keep-alive', 'content-length', 'x-request-id']);
  const headerNames = (h: Headers) => [...h.keys()].filter((n) => !IGNORED.has(n)).sort();
  /** The answer to a wrong Basic secret; a signed request is challenged with hmac instead (#15). */
  function expectWrongSecretAnswer(res: Answer, scheme: 'hmac' | 'Basic' = 'hmac') {
    expect(res.status, res.text).toBe(401);
    expect(res.text).toBe(wrongSecret.text);
    expect(res.body).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
    expect(headerNames(res.headers)).toEqual(headerNames(wrongSecret.headers));
    for (const name of headerNames(wrongSecret.headers)) {
      const expected = name === 'www-authenticate' ? wrongSecret.headers.get(name)!.replace(/^Basic /, `${scheme} `) : wrongSecret.headers.get(name);
      expect(res.headers.get(name), name).toBe(expected);
    }
  }

  it.each(['hmac-sha1', 'hmac-sha256'] as const)('%s: a JWT issued by oidc-provider, naming the key and its project', async (algorithm) => {
    const res = await tokenRequest(s, hmacKey, { algorithm });
    expect(res.status, res.text).toBe(200);
    recordToken(res.body.access_token);
    expect(res.body.token_type).toBe('Bearer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const jwks = createRemoteJWKSet(new URL(`${s.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(res.body.access_token, jwks, { issuer: s.config.issuer, typ: 'at+jwt' });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload.sub).toBe(hmacKey.id);
    expect(payload.client_id).toBe(hmacKey.id);
    expect(payload.project_id).toBe(a.projectId);
  });

  it('works with the Content-MD5 spelling and a scope-less body with extra fields', async () => {
    const res = await tokenRequest(s, hmacKey, { digestHeader: 'Content-MD5' }, `${TOKEN_BODY}&client_id=${hmacKey.id}`);
    expect(res.status, res.text).toBe(200);
    recordToken(res.body.access_token);
  });

  it('the token works on the v1 API as any key token does', async () => {
    const token = (await tokenRequest(s, hmacKey)).body.access_token as string;
    recordToken(token);
    const res = await send(s, 'GET', listPath(), { authorization: `Bearer ${token}` });
    expect(res.status, res.text).toBe(200);
  });

  describe('every refusal is the wrong-secret answer', () => {
    const flip = (sig: string) => sig.replace(/signature="(.)/, (_m, c: string) => `signature="${c === 'A' ? 'B' : 'A'}`);
    const cases: Array<[string, () => Promise<Answer>]> = [
      ['a wrong signature', () => {
        const headers = sign({ id: hmacKey.id, secret: hmacKey.secret, method: 'POST', target: '/oauth2/token', body: TOKEN_BODY });
        return send(s, 'POST', '/oauth2/token', { ...headers, authorization: flip(headers.authorization) }, TOKEN_BODY, FORM);
      }],
      ['a wrong secret', () => tokenRequest(s, { id: hmacKey.id, secret: `${hmacKey.secret}x` })],
      ['an unknown key', () => tokenRequest(s, { id: uuidv7(), secret: hmacKey.secret })],
      ['a username that is no UUID', () => tokenRequest(s, { id: 'someone', secret: hmacKey.secret })],
      ['a basic key signing with its own secret', () => tokenRequest(s, { id: a.accessKey.accessKeyId, secret: a.secret })],
      ['a body changed after signing (digest kept)', () => {
        const headers = sign({ id: hmacKey.id, secret: hmacKey.secret, method: 'POST', target: '/oauth2/token', body: TOKEN_BODY });
        return send(s, 'POST', '/oauth2/token', headers, `${TOKEN_BODY}&scope=x`, FORM);
      }],
      ['a body changed with its digest recomputed', () => {
        const headers = sign({ id: hmacKey.id, secret: hmacKey.secret, method: 'POST', target: '/oauth2/token', body: TOKEN_BODY });
        const body = `${TOKEN_BODY}&scope=x`;
        return send(s, 'POST', '/oauth2/token', { ...headers, 'x-Content-MD5': md5(body) }, body, FORM);
      }],
      ['a body sent without a signed digest', async () => {
        const headers = sign({ id: hmacKey.id, secret: hmacKey.secret, method: 'POST', target: '/oauth2/token' });
        return send(s, 'POST', '/oauth2/token', headers, TOKEN_BODY, FORM);
      }],
      ['a signature over another path', () => tokenRequest(s, hmacKey, { signedTarget: '/v1/oauth2/token' })],
      ['a signature over another method', () => tokenRequest(s, hmacKey, { signedMethod: 'PUT' })],
      ['an unsupported algorithm', async () => {
        const headers = sign({ id: hmacKey.id, secret: hmacKey.secret, method: 'POST', target: '/oauth2/token', body: TOKEN_BODY });
        return send(s, 'POST', '/oauth2/token', { ...headers, authorization: headers.authorization.replace('hmac-sha256', 'hmac-md5') }, TOKEN_BODY, FORM);
      }],
      ['a malformed hmac header', () => send(s, 'POST', '/oauth2/token', { authorization: 'hmac nonsense', date: new Date().toUTCString() }, TOKEN_BODY, FORM)],
    ];
    it.each(cases)('%s', async (_name, call) => {
      expectWrongSecretAnswer(await call());
    });
  });

  it("the hmac key's API key with a secret (Basic or form) is refused like a wrong secret", async () => {
    for (const secret of [hmacKey.secret, a.secret, 'anything']) {
      expectWrongSecretAnswer(await send(s, 'POST', '/oauth2/token', { authorization: s.basic(hmacKey.id, secret) }, TOKEN_BODY, FORM), 'Basic');
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: hmacKey.id, client_secret: secret }).toString();
      const res = await send(s, 'POST', '/oauth2/token', {}, form, FORM);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
    }
  });

  // The Date check depends on the client's clock only and runs alike for every key, so it
  // may say what failed: a client with a drifting clock learns that rather than rotating a key.
  it.each([
    ['6 minutes old (a request replayed after the window)', -6],
    ['6 minutes ahead', 6],
  ])('a Date %s is 400 invalid_request about the window, for known and unknown keys alike', async (_name, offset) => {
    const date = new Date(Date.now() + offset * 60_000);
    for (const key of [hmacKey, { id: uuidv7(), secret: 'x' }]) {
      const res = await tokenRequest(s, key, { date });
      expect(res.status, res.text).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: 'the Date header is outside the 5-minute window' });
      expect(res.headers.get('www-authenticate')).toBeNull();
    }
  });

  it('a Date 4 minutes old is still inside the window', async () => {
    const res = await tokenRequest(s, hmacKey, { date: minutesAgo(4) });
    expect(res.status, res.text).toBe(200);
    recordToken(res.body.access_token);
  });

  it('a body over the 56 KiB limit is refused as oidc-provider refuses it', async () => {
    const body = `${TOKEN_BODY}&pad=${'a'.repeat(57 * 1024)}`;
    const res = await tokenRequest(s, hmacKey, {}, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: 'failed to parse the request body' });
  });

  it("oidc-provider's own rules still apply after the signature (unsupported grant)", async () => {
    const res = await tokenRequest(s, hmacKey, {}, 'grant_type=password');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unsupported_grant_type');
  });
});

// ---- the management APIs ----------------------------------------------------------------
describe('the v1 API with signed requests', () => {
  const NO_MATCH = 'The HMAC signature does not verify, or its API key is unknown.';
  function expect401(res: Answer, message: string | RegExp) {
    expect(res.status, res.text).toBe(401);
    expect(res.body.error.status).toBe('UNAUTHENTICATED');
    if (typeof message === 'string') expect(res.body.error.message).toBe(message);
    else expect(res.body.error.message).toMatch(message);
    expect(res.headers.get('www-authenticate')).toMatch(/\bhmac realm="keymint"/);
  }

  it.each(['hmac-sha1', 'hmac-sha256'] as const)('%s: GET signed with "date request-line" only lists the keys', async (algorithm) => {
    const res = await signedCall('GET', listPath(), hmacKey, undefined, { algorithm });
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain(a.accessKey.accessKeyId);
    expect(sign({ ...hmacKey, method: 'GET', target: '/' }).authorization).toContain('headers="date request-line"');
  });

  it('the query string is signed as sent', async () => {
    const target = `${listPath()}?pageSize=1`;
    expect((await signedCall('GET', target, hmacKey)).status).toBe(200);
    const unsignedQuery = await send(s, 'GET', target, sign({ ...hmacKey, method: 'GET', target: listPath() }));
    expect401(unsignedQuery, NO_MATCH);
  });

  it.each(['x-Content-MD5', 'Content-MD5'] as const)('POST with a JSON body and its %s creates a key', async (digestHeader) => {
    const res = await signedCall('POST', listPath(), hmacKey, { displayName: `made by hmac ${digestHeader}` }, { digestHeader });
    recordSecret(res.body?.secret, res.body?.accessKey?.accessKeyId);
    expect(res.status, res.text).toBe(200);
    expect(res.body.accessKey.projectId).toBe(a.projectId);
  });

  it('a body changed after signing is refused (digest kept), and nothing is created', async () => {
    const before = (await s.sql.query('SELECT count(*)::int AS n FROM access_keys')).rows[0].n;
    const headers = sign({ ...hmacKey, method: 'POST', target: listPath(), body: JSON.stringify({ displayName: 'signed' }) });
    const res = await send(s, 'POST', listPath(), headers, JSON.stringify({ displayName: 'changed' }));
    expect401(res, 'The request body does not match its signed MD5.');
    const recomputed = JSON.stringify({ displayName: 'changed' });
    expect401(await send(s, 'POST', listPath(), { ...headers, 'x-Content-MD5': md5(recomputed) }, recomputed), NO_MATCH);
    expect((await s.sql.query('SELECT count(*)::int AS n FROM access_keys')).rows[0].n).toBe(before);
  });

  it('a body sent without a signed digest is refused', async () => {
    const headers = sign({ ...hmacKey, method: 'POST', target: listPath() });
    expect401(await send(s, 'POST', listPath(), headers, JSON.stringify({ displayName: 'no digest' })), /must send and sign its MD5/);
  });

  it('a digest signed on a request without a body must be the empty body\'s', async () => {
    const headers = sign({ ...hmacKey, method: 'GET', target: listPath(), body: '{}' });
    expect401(await send(s, 'GET', listPath(), headers), 'The request body does not match its signed MD5.');
    expect((await send(s, 'GET', listPath(), sign({ ...hmacKey, method: 'GET', target: listPath(), body: '' }))).status).toBe(200);
  });

  describe('unknown key, wrong signature and another kind of key get one answer', () => {
    const cases: Array<[string, () => Promise<Answer>]> = [
      ['a wrong secret', () => signedCall('GET', listPath(), { id: hmacKey.id, secret: `${hmacKey.secret}x` })],
      ['a wrong signature', async () => {
        const headers = sign({ ...hmacKey, method: 'GET', target: listPath() });
        return send(s, 'GET', listPath(), { ...headers, authorization: headers.authorization.replace(/signature="[^"]{4}/, 'signature="AAAA') });
      }],
      ['an unknown key', () => signedCall('GET', listPath(), { id: uuidv7(), secret: hmacKey.secret })],
      ['a username that is no UUID', () => signedCall('GET', listPath(), { id: 'not-a-key', secret: hmacKey.secret })],
      ['a basic key id as username, signing with its secret', () => signedCall('GET', listPath(), { id: a.accessKey.accessKeyId, secret: a.secret })],
      ['a signature over another path', () => signedCall('GET', listPath(), hmacKey, undefined, { signedTarget: `${listPath()}/x` })],
      // The messagemedia SDK signs a PUT as POST; Keymint checks the method actually sent.
      ['a signature over another method', () => signedCall('PATCH', `${listPath()}/${a.accessKey.accessKeyId}`, hmacKey, { displayName: 'x' }, { signedMethod: 'POST' })],
    ];
    it.each(cases)('%s', async (_name, call) => {
      expect401(await call(), NO_MATCH);
    });
  });

  it.each([['6 minutes old', -6], ['6 minutes ahead', 6]])('a Date %s is refused with a message about the window', async (_n, offset) => {
    const date = new Date(Date.now() + offset * 60_000);
    for (const key of [hmacKey, { id: uuidv7(), secret: 'x' }]) {
      expect401(await signedCall('GET', listPath(), key, undefined, { date }), /Date header is outside the 5-minute window/);
    }
  });

  it('a request replayed after the window (same headers, Date 6 minutes old) is refused', async () => {
    const headers = sign({ ...hmacKey, method: 'POST', target: listPath(), body: JSON.stringify({ displayName: 'replayed' }), date: minutesAgo(6) });
    expect401(await send(s, 'POST', listPath(), headers, JSON.stringify({ displayName: 'replayed' })), /outside the 5-minute window/);
  });

  it('a malformed hmac header says so', async () => {
    expect401(await send(s, 'GET', listPath(), { authorization: 'hmac username=x', date: new Date().toUTCString() }), /hmac Authorization header is malformed/);
  });

  it('the key acts within its own project only', async () => {
    const b = await s.bootstrap();
    const res = await signedCall('GET', `/v1/projects/${b.projectId}/accessKeys`, hmacKey);
    expect(res.status, res.text).toBe(403);
  });
});

describe('the console API with signed requests', () => {
  const path = () => `/api/projects/${a.projectId}/credentials`;

  it('lists the project\'s credentials', async () => {
    const res = await signedCall('GET', path(), hmacKey);
    expect(res.status, res.text).toBe(200);
    expect(res.body.credentials.map((c: { kind: string }) => c.kind)).toContain('hmac');
  });

  // The console reads the body before authenticating: the digest is checked at once.
  it('a signed body is checked against its digest before anything is done', async () => {
    const sent = JSON.stringify({ credentialIds: [randomBytes(4).toString('hex')] });
    const headers = sign({ ...hmacKey, method: 'POST', target: `${path()}/delete`, body: JSON.stringify({ credentialIds: [] }) });
    const res = await send(s, 'POST', `${path()}/delete`, headers, sent);
    expect(res.status, res.text).toBe(401);
    expect(res.body.error.message).toBe('The request body does not match its signed MD5.');
    const good = await signedCall('POST', `${path()}/delete`, hmacKey, { credentialIds: [] });
    expect(good.status, good.text).not.toBe(401);
  });
});

// ---- the key's life -----------------------------------------------------------------------
describe('deleting an hmac key', () => {
  it('stops its signatures at once, on the API and at the token endpoint', async () => {
    const key = await insertHmacKey(s, a.projectId, 'short-lived');
    expect((await signedCall('GET', listPath(), key)).status).toBe(200);
    const warm = await tokenRequest(s, key);
    expect(warm.status).toBe(200);
    recordToken(warm.body.access_token);
    await s.sql.query('DELETE FROM access_keys WHERE id = $1', [key.id]);
    await s.sql.query("SELECT pg_notify('keymint_changes', $1)", [JSON.stringify({ kind: 'access_key', id: key.id })]);
    await expect.poll(async () => (await signedCall('GET', listPath(), key)).status, { timeout: 2_000, interval: 50 }).toBe(401);
    expect((await tokenRequest(s, key)).status).toBe(401);
  });

  it('a key sealed under another master key cannot sign', async () => {
    const other = new SealedBox(randomBytes(32));
    const key = await insertHmacKey(s, a.projectId, 'foreign seal', other);
    expect((await signedCall('GET', listPath(), key)).status).toBe(401);
    expect((await tokenRequest(s, key)).status).toBe(401);
  });
});

// ---- failure budget -----------------------------------------------------------------------
describe('failed signatures count against the failure budget', () => {
  let limited: TestServer;
  let key: { id: string; secret: string };
  beforeAll(async () => {
    limited = await startTestServer({ AUTH_FAILURES_PER_ADDRESS: '3', AUTH_FAILURES_PER_KEY: '1000' });
    const boot = await limited.bootstrap();
    key = await insertHmacKey(limited, boot.projectId, 'limited', new SealedBox(Buffer.from(limited.config.masterKey!, 'base64url')));
  });
  afterAll(() => limited?.close());

  it('429 while blocked for failures; a good signature still goes through', async () => {
    const wrong = { id: key.id, secret: 'wrong' };
    for (let i = 0; i < 3; i++) expect((await tokenRequest(limited, wrong)).status).toBe(401);
    const token = await tokenRequest(limited, wrong);
    expect(token.status).toBe(429);
    expect(token.body.error).toBe('temporarily_unavailable');
    expect(Number(token.headers.get('retry-after'))).toBeGreaterThan(0);
    const api = await send(limited, 'GET', '/v1/projects/x/accessKeys', sign({ ...wrong, method: 'GET', target: '/v1/projects/x/accessKeys' }));
    expect(api.status).toBe(429);
    expect(api.body.error.status).toBe('RESOURCE_EXHAUSTED');
    const good = await tokenRequest(limited, key);
    expect(good.status, good.text).toBe(200);
    recordToken(good.body.access_token);
  });
});

// ---- the ticket store -------------------------------------------------------------------
describe('HmacTickets', () => {
  it('a ticket is good once, for its key, within its lifetime', () => {
    let now = 1_000_000;
    const tickets = new HmacTickets({ ttlMs: 5_000, now: () => now });
    const t = tickets.issue('key-a');
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tickets.consume('key-b', t)).toBe(false);
    expect(tickets.consume('key-a', `${t}x`)).toBe(false);
    expect(tickets.consume('key-a', t)).toBe(true);
    expect(tickets.consume('key-a', t)).toBe(false); // spent
    const late = tickets.issue('key-a');
    now += 5_001;
    expect(tickets.consume('key-a', late)).toBe(false); // expired
    expect(tickets.consume('key-a', late)).toBe(false);
  });

  it('two tickets of one key are independent, and unused ones are swept', () => {
    let now = 0;
    const tickets = new HmacTickets({ ttlMs: 1_000, now: () => now });
    const [t1, t2] = [tickets.issue('k'), tickets.issue('k')];
    expect(t1).not.toBe(t2);
    expect(tickets.consume('k', t2)).toBe(true);
    expect(tickets.consume('k', t1)).toBe(true);
    tickets.issue('unused');
    expect(tickets.size).toBe(1);
    now = 2_000;
    tickets.issue('other');
    expect(tickets.size).toBe(1); // 'unused' swept
  });
});

describe('secret hygiene', () => {
  it('no hmac secret, signature header or ticket-bearing Basic header reaches the log', () => {
    const log = readFileSync(s.logFile, 'utf8');
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(hmacKey.secret);
    expect(log).not.toMatch(/hmac username=/);
    expect(log).not.toContain(`${hmacKey.id}:`);
  });
});
