// keymint/verify against a fake issuer (discovery + JWKS on node:http): the verifier's
// verdict on a table of tokens, key rotation, discovery caching and outages; then the
// middleware's RFC 6750 answers through a real express server, asserted byte for byte.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { SignJWT, base64url, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import {
  createVerifier,
  requireAccessToken,
  InsufficientScopeError,
  InvalidTokenError,
  VerifierUnavailableError,
  type Verifier,
  type VerifierOptions,
} from '../src/verify/index.js';

const AUDIENCE = 'https://api.example.test';

interface SigningKey { kid: string; alg: string; privateKey: CryptoKey; jwk: JWK }

async function makeKey(alg: string, kid = `${alg}-${randomUUID()}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

type FakeIssuer = Awaited<ReturnType<typeof startIssuer>>;

async function startIssuer(keys: SigningKey[]) {
  const issuer = {
    url: '',
    keys,
    discoveryIssuer: undefined as string | undefined,
    discoveryStatus: 200,
    jwksStatus: 200,
    hits: { discovery: 0, jwks: 0 },
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/oauth-authorization-server') {
      issuer.hits.discovery++;
      if (issuer.discoveryStatus !== 200) return send(issuer.discoveryStatus, { error: 'server_error' });
      return send(200, { issuer: issuer.discoveryIssuer ?? issuer.url, jwks_uri: `${issuer.url}/.well-known/jwks.json` });
    }
    if (req.url === '/.well-known/jwks.json') {
      issuer.hits.jwks++;
      if (issuer.jwksStatus !== 200) return send(issuer.jwksStatus, { error: 'server_error' });
      return send(200, { keys: issuer.keys.map((key) => key.jwk) });
    }
    send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer.close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return issuer;
}

type Overrides = { claims?: Record<string, unknown>; header?: Record<string, unknown> };

function mint(key: SigningKey, iss: string, { claims, header }: Overrides = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss, sub: 'ak_1', client_id: 'ak_1', aud: AUDIENCE, scope: 'read write', project_id: 'proj_1',
    jti: randomUUID(), iat: now, exp: now + 300, ...claims, // an undefined override drops the claim
  };
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header }).sign(key.privateKey);
}

const encode = (value: object) => base64url.encode(JSON.stringify(value));
const now = () => Math.floor(Date.now() / 1000);

let keys: Record<'ES256' | 'EdDSA' | 'PS256' | 'RS256', SigningKey>;
let issuer: FakeIssuer;
const verifierFor = (target: FakeIssuer, extra: Partial<VerifierOptions> = {}) =>
  createVerifier({ issuer: target.url, audience: [AUDIENCE, 'https://other.example.test'], ...extra });

beforeAll(async () => {
  const [ES256, EdDSA, PS256, RS256] = await Promise.all(['ES256', 'EdDSA', 'PS256', 'RS256'].map((alg) => makeKey(alg)));
  keys = { ES256, EdDSA, PS256, RS256 };
  issuer = await startIssuer(Object.values(keys));
});
afterAll(() => issuer.close());

type TokenCase = { name: string; token: () => Promise<string>; scopes?: string[] } & (
  | { ok: true }
  | { ok?: false; error: typeof InvalidTokenError | typeof InsufficientScopeError; message: string }
);

const tokenCases: TokenCase[] = [
  { name: 'valid ES256', ok: true, token: () => mint(keys.ES256, issuer.url) },
  { name: 'valid EdDSA', ok: true, token: () => mint(keys.EdDSA, issuer.url) },
  { name: 'valid PS256', ok: true, token: () => mint(keys.PS256, issuer.url) },
  { name: 'valid RS256', ok: true, token: () => mint(keys.RS256, issuer.url) },
  { name: 'typ application/at+jwt', ok: true, token: () => mint(keys.ES256, issuer.url, { header: { typ: 'application/at+jwt' } }) },
  { name: 'expired 2s ago, within the clock tolerance', ok: true, token: () => mint(keys.ES256, issuer.url, { claims: { exp: now() - 2 } }) },
  { name: 'required scopes present', ok: true, scopes: ['write', 'read'], token: () => mint(keys.ES256, issuer.url) },
  {
    name: 'expired', error: InvalidTokenError, message: 'The access token has expired.',
    token: () => mint(keys.ES256, issuer.url, { claims: { iat: now() - 600, exp: now() - 60 } }),
  },
  {
    name: 'wrong iss', error: InvalidTokenError, message: 'The access token was not issued by the expected issuer.',
    token: () => mint(keys.ES256, issuer.url, { claims: { iss: 'https://evil.example.test' } }),
  },
  {
    name: 'wrong aud', error: InvalidTokenError, message: 'The access token is not intended for this audience.',
    token: () => mint(keys.ES256, issuer.url, { claims: { aud: 'https://elsewhere.example.test' } }),
  },
  {
    name: 'typ JWT', error: InvalidTokenError, message: 'The access token is not of type at+jwt.',
    token: () => mint(keys.ES256, issuer.url, { header: { typ: 'JWT' } }),
  },
  {
    name: 'tampered payload', error: InvalidTokenError, message: 'The access token signature is invalid.',
    token: async () => {
      const [header, , signature] = (await mint(keys.ES256, issuer.url)).split('.');
      const forged = { iss: issuer.url, sub: 'ak_1', client_id: 'ak_1', aud: AUDIENCE, scope: 'admin', project_id: 'p', jti: 'x', iat: now(), exp: now() + 300 };
      return `${header}.${encode(forged)}.${signature}`;
    },
  },
  {
    name: 'signed by a foreign key reusing a published kid', error: InvalidTokenError, message: 'The access token signature is invalid.',
    token: async () => mint(await makeKey('ES256', keys.ES256.kid), issuer.url),
  },
  {
    name: 'alg none', error: InvalidTokenError, message: 'The access token is signed with an algorithm that is not accepted.',
    token: async () => {
      const [, payload] = (await mint(keys.ES256, issuer.url)).split('.');
      return `${encode({ alg: 'none', typ: 'at+jwt' })}.${payload}.`;
    },
  },
  {
    name: 'alg HS256', error: InvalidTokenError, message: 'The access token is signed with an algorithm that is not accepted.',
    token: () => mint({ ...keys.ES256, alg: 'HS256', privateKey: new TextEncoder().encode('x'.repeat(32)) as never }, issuer.url),
  },
  {
    name: 'unknown kid', error: InvalidTokenError, message: 'The access token is signed with an unknown key.',
    token: async () => mint(await makeKey('ES256'), issuer.url),
  },
  {
    name: 'no client_id', error: InvalidTokenError, message: 'The access token is missing the client_id claim.',
    token: () => mint(keys.ES256, issuer.url, { claims: { client_id: undefined } }),
  },
  {
    name: 'no project_id', error: InvalidTokenError, message: 'The access token is missing the project_id claim.',
    token: () => mint(keys.ES256, issuer.url, { claims: { project_id: undefined } }),
  },
  { name: 'not a JWT', error: InvalidTokenError, message: 'The access token is malformed.', token: async () => 'not-a-jwt' },
  {
    name: 'missing scope', scopes: ['read', 'admin'], error: InsufficientScopeError,
    message: 'The access token lacks the required scope: read admin.', token: () => mint(keys.ES256, issuer.url),
  },
  {
    name: 'no scope claim at all', scopes: ['read'], error: InsufficientScopeError,
    message: 'The access token lacks the required scope: read.', token: () => mint(keys.ES256, issuer.url, { claims: { scope: undefined } }),
  },
];

describe('createVerifier', () => {
  it.each(tokenCases)('$name', async (c) => {
    const verify = verifierFor(issuer).verify(await c.token(), { scopes: c.scopes });
    if (c.ok) {
      const verified = await verify;
      expect(verified).toMatchObject({ clientId: 'ak_1', subject: 'ak_1', projectId: 'proj_1', scopes: ['read', 'write'] });
      expect(verified.expiresAt.getTime()).toBe((verified.claims.exp as number) * 1000);
      return;
    }
    const err = await verify.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(c.error);
    expect((err as Error).message).toBe(c.message);
    if (err instanceof InsufficientScopeError) expect(err.scopes).toEqual(c.scopes);
  });

  it('refetches the JWKS for a kid that appears after a key rotation', async () => {
    const rotating = await startIssuer([keys.ES256]);
    try {
      const verifier = verifierFor(rotating, { jwksCooldownMs: 0 });
      await expect(verifier.verify(await mint(keys.ES256, rotating.url))).resolves.toMatchObject({ clientId: 'ak_1' });
      const next = await makeKey('ES256');
      rotating.keys = [keys.ES256, next];
      await expect(verifier.verify(await mint(next, rotating.url))).resolves.toMatchObject({ clientId: 'ak_1' });
      expect(rotating.hits).toEqual({ discovery: 1, jwks: 2 });
    } finally {
      await rotating.close();
    }
  });

  it('does not refetch the JWKS for unknown kids within the cooldown', async () => {
    const rotating = await startIssuer([keys.ES256]);
    try {
      const verifier = verifierFor(rotating); // default cooldown: 30 s
      await verifier.verify(await mint(keys.ES256, rotating.url));
      const next = await makeKey('ES256');
      rotating.keys = [keys.ES256, next];
      await expect(verifier.verify(await mint(next, rotating.url))).rejects.toThrow('The access token is signed with an unknown key.');
      expect(rotating.hits.jwks).toBe(1);
    } finally {
      await rotating.close();
    }
  });

  it('fetches the discovery document once, shared by concurrent first calls', async () => {
    const counted = await startIssuer([keys.ES256]);
    try {
      const verifier = verifierFor(counted);
      const tokens = await Promise.all([1, 2, 3].map(() => mint(keys.ES256, counted.url)));
      await Promise.all(tokens.map((token) => verifier.verify(token)));
      await verifier.verify(tokens[0]);
      expect(counted.hits).toEqual({ discovery: 1, jwks: 1 });
    } finally {
      await counted.close();
    }
  });

  it('retries discovery on the next call after a failure', async () => {
    const flaky = await startIssuer([keys.ES256]);
    try {
      flaky.discoveryStatus = 500;
      const verifier = verifierFor(flaky);
      const token = await mint(keys.ES256, flaky.url);
      await expect(verifier.verify(token)).rejects.toBeInstanceOf(VerifierUnavailableError);
      flaky.discoveryStatus = 200;
      await expect(verifier.verify(token)).resolves.toMatchObject({ projectId: 'proj_1' });
      expect(flaky.hits.discovery).toBe(2);
    } finally {
      await flaky.close();
    }
  });

  it('refuses a discovery document naming another issuer', async () => {
    const impostor = await startIssuer([keys.ES256]);
    try {
      impostor.discoveryIssuer = 'https://real-issuer.example.test';
      const err = await verifierFor(impostor).verify(await mint(keys.ES256, impostor.url)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VerifierUnavailableError);
      expect((err as Error).message).toContain('names the issuer "https://real-issuer.example.test"');
      expect(impostor.hits.jwks).toBe(0);
    } finally {
      await impostor.close();
    }
  });

  it('reports an issuer that is down as unavailable', async () => {
    const gone = await startIssuer([keys.ES256]);
    await gone.close();
    const err = await verifierFor(gone).verify(await mint(keys.ES256, gone.url)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerifierUnavailableError);
    expect((err as Error).message).toBe(`The discovery document at ${gone.url}/.well-known/oauth-authorization-server could not be fetched.`);
  });

  it('reports a failing JWKS endpoint as unavailable, not as a bad token', async () => {
    const broken = await startIssuer([keys.ES256]);
    try {
      broken.jwksStatus = 503;
      const err = await verifierFor(broken).verify(await mint(keys.ES256, broken.url)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VerifierUnavailableError);
      expect(broken.hits.jwks).toBe(1);
    } finally {
      await broken.close();
    }
  });

  it('uses the fetch it is given for discovery and keys', async () => {
    const seen: string[] = [];
    const verifier = verifierFor(issuer, {
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    await verifier.verify(await mint(keys.ES256, issuer.url));
    expect(seen).toEqual([`${issuer.url}/.well-known/oauth-authorization-server`, `${issuer.url}/.well-known/jwks.json`]);
  });
});

// The cache's observable: a token served from it returns the very claims object of its first
// verification (frozen), where a fresh signature check decodes a new one.
describe('createVerifier token cache', () => {
  // A different base64url character in the middle of a segment: it always changes decoded bits.
  const changeOneByte = (token: string, segment: number) => {
    const parts = token.split('.');
    const at = Math.floor(parts[segment].length / 2);
    const c = parts[segment][at];
    parts[segment] = parts[segment].slice(0, at) + (c === 'A' ? 'z' : 'A') + parts[segment].slice(at + 1);
    return parts.join('.');
  };

  it('answers a token seen before with the same claims, from the cache', async () => {
    const verifier = verifierFor(issuer);
    const token = await mint(keys.ES256, issuer.url);
    const first = await verifier.verify(token);
    const again = await verifier.verify(token);
    expect(again).toEqual(first);
    expect(again.claims).toBe(first.claims);
    expect(Object.isFrozen(again.claims)).toBe(true);
    const uncached = verifierFor(issuer, { cacheMaxEntries: 0 });
    expect((await uncached.verify(token)).claims).not.toBe((await uncached.verify(token)).claims);
  });

  it('checks the required scopes on every call, cached or not', async () => {
    const verifier = verifierFor(issuer);
    const token = await mint(keys.ES256, issuer.url);
    await expect(verifier.verify(token, { scopes: ['read'] })).resolves.toMatchObject({ scopes: ['read', 'write'] });
    await expect(verifier.verify(token, { scopes: ['admin'] })).rejects.toBeInstanceOf(InsufficientScopeError);
  });

  it.each([
    ['header', 0],
    ['payload', 1],
    ['signature', 2],
  ])('never serves a token with one changed byte in its %s from the cache', async (_name, segment) => {
    const verifier = verifierFor(issuer);
    const token = await mint(keys.ES256, issuer.url);
    await verifier.verify(token);
    await verifier.verify(token); // now certainly cached
    const err = await verifier.verify(changeOneByte(token, segment)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidTokenError);
  });

  it('refuses a cached token once it has expired, and never serves it from the cache past its exp', async () => {
    let clock = Date.now();
    const exp = Math.floor(clock / 1000) + 60;
    const token = await mint(keys.ES256, issuer.url, { claims: { iat: exp - 120, exp } });
    const strict = verifierFor(issuer, { now: () => clock, clockToleranceSeconds: 0 });
    const lenient = verifierFor(issuer, { now: () => clock }); // 5 s tolerance past exp
    const first = { strict: await strict.verify(token), lenient: await lenient.verify(token) };
    clock = exp * 1000 - 1;
    expect((await strict.verify(token)).claims).toBe(first.strict.claims);
    clock = exp * 1000;
    await expect(strict.verify(token)).rejects.toThrow('The access token has expired.');
    // Within the tolerance the signature is checked again (new claims object), not taken from the cache.
    const withinTolerance = await lenient.verify(token);
    expect(withinTolerance.claims).not.toBe(first.lenient.claims);
    clock = (exp + 10) * 1000;
    await expect(lenient.verify(token)).rejects.toThrow('The access token has expired.');
  });

  it('keeps at most cacheMaxEntries tokens, dropping the least recently used', async () => {
    const verifier = verifierFor(issuer, { cacheMaxEntries: 2 });
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => mint(keys.ES256, issuer.url)));
    const first = { a: await verifier.verify(a), b: await verifier.verify(b) };
    expect((await verifier.verify(a)).claims).toBe(first.a.claims); // a is now the most recent
    const firstC = await verifier.verify(c); // evicts b
    expect((await verifier.verify(b)).claims).not.toBe(first.b.claims); // evicts a
    expect((await verifier.verify(c)).claims).toBe(firstC.claims);
    expect((await verifier.verify(a)).claims).not.toBe(first.a.claims);
  });

  it('rejects a cache size that is not a whole number', () => {
    expect(() => verifierFor(issuer, { cacheMaxEntries: -1 })).toThrow('cacheMaxEntries must be a whole number of at least 0');
  });
});

describe('requireAccessToken', () => {
  let api = '';
  let close: () => Promise<void>;
  let rotating: FakeIssuer;
  let impostor: FakeIssuer;

  beforeAll(async () => {
    rotating = await startIssuer([keys.ES256]);
    impostor = await startIssuer([keys.ES256]);
    impostor.discoveryIssuer = 'https://real-issuer.example.test';
    const gone = await startIssuer([]);
    await gone.close();

    const app = express();
    const echo: express.RequestHandler = (_req, res) => {
      const { clientId, projectId, scopes } = res.locals.accessToken!;
      res.json({ clientId, projectId, scopes });
    };
    const verifier = verifierFor(issuer);
    const guard = (v: Verifier, opts?: Parameters<typeof requireAccessToken>[1]) => [requireAccessToken(v, opts), echo];
    app.get('/hello', guard(verifier, { realm: 'api' }));
    app.get('/admin', guard(verifier, { realm: 'api', scopes: ['admin', 'write'] }));
    app.get('/no-realm', guard(verifier));
    app.get('/odd-realm', guard(verifier, { realm: 'say "hi" \\ bye\r\n' }));
    app.get('/rotating', guard(verifierFor(rotating, { jwksCooldownMs: 0 }), { realm: 'api' }));
    app.get('/impostor', guard(verifierFor(impostor), { realm: 'api' }));
    app.get('/down', guard(verifierFor(gone), { realm: 'api' }));

    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  });
  afterAll(async () => {
    await Promise.all([close(), rotating.close(), impostor.close()]);
  });

  async function call(path: string, authorization?: string) {
    const res = await fetch(`${api}${path}`, { headers: authorization === undefined ? {} : { authorization } });
    const text = await res.text();
    return { status: res.status, challenge: res.headers.get('www-authenticate'), text, body: JSON.parse(text) as Record<string, unknown>, headers: res.headers };
  }

  it.each(tokenCases.filter((c) => c.ok))('accepts $name', async (c) => {
    const res = await call('/hello', `Bearer ${await c.token()}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ clientId: 'ak_1', projectId: 'proj_1', scopes: ['read', 'write'] });
    expect(res.challenge).toBeNull();
  });

  it.each(tokenCases.filter((c) => !c.ok && c.error === InvalidTokenError))('answers 401 invalid_token for $name', async (c) => {
    const token = await c.token();
    const res = await call('/hello', `Bearer ${token}`);
    const message = (c as { message: string }).message;
    expect(res.status).toBe(401);
    expect(res.challenge).toBe(`Bearer realm="api", error="invalid_token", error_description="${message}"`);
    expect(res.body).toEqual({ error: 'invalid_token', error_description: message });
    expect(res.text).not.toContain(token);
  });

  it.each([
    ['no Authorization header', undefined],
    ['another scheme', 'Basic YWtfMTpzZWNyZXQ='],
  ])('answers 401 without an error code for %s', async (_name, authorization) => {
    const res = await call('/hello', authorization);
    expect(res.status).toBe(401);
    expect(res.challenge).toBe('Bearer realm="api"');
    expect(res.body).toEqual({ error_description: 'This resource requires a Bearer access token.' });
  });

  it.each([
    ['a scheme without token', 'Bearer'],
    ['two tokens', 'Bearer abc def'],
    ['a token with forbidden characters', 'Bearer abc,def'],
  ])('answers 400 invalid_request for %s', async (_name, authorization) => {
    const res = await call('/hello', authorization);
    const description = 'The Authorization header must be Bearer followed by a single access token.';
    expect(res.status).toBe(400);
    expect(res.challenge).toBe(`Bearer realm="api", error="invalid_request", error_description="${description}"`);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: description });
  });

  it('reads the scheme case-insensitively', async () => {
    const res = await call('/hello', `bEaReR ${await mint(keys.ES256, issuer.url)}`);
    expect(res.status).toBe(200);
  });

  it('answers 403 insufficient_scope naming the required scopes', async () => {
    const res = await call('/admin', `Bearer ${await mint(keys.ES256, issuer.url)}`);
    expect(res.status).toBe(403);
    expect(res.challenge).toBe('Bearer realm="api", error="insufficient_scope", scope="admin write"');
    expect(res.body).toEqual({ error: 'insufficient_scope', error_description: 'The access token lacks the required scope: admin write.' });
    const granted = await call('/admin', `Bearer ${await mint(keys.ES256, issuer.url, { claims: { scope: 'write admin' } })}`);
    expect(granted.status).toBe(200);
  });

  it('accepts a token signed with a key published after a rotation', async () => {
    expect((await call('/rotating', `Bearer ${await mint(keys.ES256, rotating.url)}`)).status).toBe(200);
    const next = await makeKey('ES256');
    rotating.keys = [keys.ES256, next];
    const res = await call('/rotating', `Bearer ${await mint(next, rotating.url)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ clientId: 'ak_1' });
  });

  it.each([
    ['the issuer is down', '/down'],
    ['discovery names another issuer', '/impostor'],
  ])('answers 503 without a challenge when %s', async (_name, path) => {
    const res = await call(path, `Bearer ${await mint(keys.ES256, issuer.url)}`);
    expect(res.status).toBe(503);
    expect(res.challenge).toBeNull();
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The access token cannot be verified right now. Please retry shortly.',
    });
  });

  it('omits the realm when none is configured', async () => {
    expect((await call('/no-realm')).challenge).toBe('Bearer');
    const expired = await mint(keys.ES256, issuer.url, { claims: { exp: now() - 60 } });
    expect((await call('/no-realm', `Bearer ${expired}`)).challenge).toBe(
      'Bearer error="invalid_token", error_description="The access token has expired."',
    );
  });

  it('escapes quotes and backslashes and neutralizes line breaks in header values', async () => {
    const res = await call('/odd-realm');
    expect(res.status).toBe(401);
    expect(res.challenge).toBe('Bearer realm="say \\"hi\\" \\\\ bye??"');
  });
});
