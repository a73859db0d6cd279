// What Keymint relies on in oidc-provider beyond its documented configuration, pinned
// against a bare provider (no Keymint code in the way), so that an upgrade that changes any
// of it fails here, by name, before it breaks the token endpoint (README: "Upgrading
// oidc-provider"). Documented seams need no pin: provider.callback() mounted on node:http
// (the token fast path), provider.use() (the client address), the adapter, clientBasedCORS.
// Pins 5 and 6 at the end: ReplayDetection.unique and OIDCContext.prototype.urlFor (client-assertions.ts).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayBody } from '../src/oauth/replay-body.js';
import { KeymintResponse } from '../src/oauth/token-response.js';

const CLIENT: AdapterPayload = {
  client_id: 'seam-client',
  client_secret: 'stored-form-of-the-secret',
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
};

let provider: Provider;
let server: Server;
let url: string;
let handler: (req: IncomingMessage, res: KeymintResponse) => void;
const compared: string[] = [];
let finds = 0;

/** An adapter that knows one client, in memory. */
function oneClient(client: AdapterPayload): new (model: string) => Adapter {
  return class implements Adapter {
    constructor(readonly model: string) {}
    async find(id: string) {
      return this.model === 'Client' && id === client.client_id ? client : undefined;
    }
    async upsert() {}
    async findByUserCode() {
      return undefined;
    }
    async findByUid() {
      return undefined;
    }
    async consume() {}
    async destroy() {}
    async revokeByGrantId() {}
  };
}

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  provider = new Provider('http://seams.test', {
    adapter: oneClient(CLIENT),
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'seam' }] },
    clientAuthMethods: ['client_secret_basic'],
    responseTypes: [],
    routes: { token: '/oauth2/token' },
    clientBasedCORS: () => true,
    clientDefaults: { id_token_signed_response_alg: 'ES256', grant_types: ['client_credentials'], response_types: [] },
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
  });
  // Pin 1: oidc-provider checks a client secret by calling this method, whatever the stored form.
  provider.Client.prototype.compareClientSecret = function (this: { clientId: string }, actual: string) {
    compared.push(actual);
    return actual === 'the-presented-secret';
  } as unknown as (actual: string) => Promise<boolean>;
  // Pin 2: clients are loaded through the static Client.find on every request (oauth/warm-clients.ts wraps it).
  const Client = provider.Client as unknown as { find(id: string): Promise<unknown> };
  const find = Client.find.bind(Client);
  Client.find = (id: string) => {
    finds++;
    return find(id);
  };
  const callback = provider.callback() as unknown as (req: IncomingMessage, res: KeymintResponse) => void;
  handler = callback;
  server = createServer({ ServerResponse: KeymintResponse }, (req, res) => handler(req, res as KeymintResponse));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`;
});
afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

const basic = (secret: string) => `Basic ${Buffer.from(`${CLIENT.client_id}:${secret}`).toString('base64')}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const post = (secret: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { ...form, authorization: basic(secret), ...headers }, body: 'grant_type=client_credentials' });

describe('oidc-provider behaviour Keymint depends on', () => {
  it('provider.callback() on node:http serves the token route; compareClientSecret decides; Client.find loads the client', async () => {
    const [c0, f0] = [compared.length, finds];
    expect((await post('the-presented-secret')).status).toBe(200);
    expect((await post('stored-form-of-the-secret')).status).toBe(401); // never a plain comparison with client_secret
    expect(compared.slice(c0)).toEqual(['the-presented-secret', 'stored-form-of-the-secret']);
    expect(finds - f0).toBe(2);
  });

  it('sets exactly Access-Control-Allow-Origin and -Expose-Headers on a token POST (token-response.ts removes those two)', async () => {
    const plain = (res: KeymintResponse) => {
      res.finalHeaders = undefined;
    };
    handler = (req, res) => {
      plain(res);
      (provider.callback() as unknown as (req: IncomingMessage, res: KeymintResponse) => void)(req, res);
    };
    const res = await post('the-presented-secret', { origin: 'https://browser.example' });
    const cors = [...res.headers.keys()].filter((h) => h.startsWith('access-control-')).sort();
    expect(cors).toEqual(['access-control-allow-origin', 'access-control-expose-headers']);
    // And through KeymintResponse with the fast path's final headers, none is left.
    handler = (req, res) => {
      res.finalHeaders = [];
      (provider.callback() as unknown as (req: IncomingMessage, res: KeymintResponse) => void)(req, res);
    };
    const closed = await post('the-presented-secret', { origin: 'https://browser.example' });
    expect([...closed.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(closed.status).toBe(200);
  });

  it('reads the body through req.iterator while req.readable is true (replay-body.ts)', async () => {
    handler = (req, res) => {
      // Read it all first, as the HMAC path does, then hand the same bytes back.
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        replayBody(req, Buffer.concat(chunks));
        (provider.callback() as unknown as (req: IncomingMessage, res: KeymintResponse) => void)(req, res);
      })();
    };
    const res = await post('the-presented-secret');
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { token_type: string }).token_type).toBe('Bearer');
  });
});

// Pins 5 and 6 (oauth/client-assertions.ts): a private_key_jwt client, DPoP on.
describe('oidc-provider behaviour behind private_key_jwt and DPoP', () => {
  it('checks assertion and DPoP proof jtis through ReplayDetection.unique, and aud and htu against OIDCContext.prototype.urlFor', async () => {
    const { privateKey: signing } = await generateKeyPair('ES256', { extractable: true });
    const client = await generateKeyPair('ES256', { extractable: true });
    const dpop = await generateKeyPair('ES256', { extractable: true });
    const PKJWT_ID = 'seam-pkjwt';
    const PKJWT: AdapterPayload = { ...CLIENT, client_id: 'seam-pkjwt', client_secret: undefined, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [await exportJWK(client.publicKey)] } };
    const p = new Provider('http://seams.test', {
      adapter: oneClient(PKJWT),
      jwks: { keys: [{ ...(await exportJWK(signing)), alg: 'ES256', use: 'sig', kid: 'seam' }] },
      clientAuthMethods: ['private_key_jwt'],
      responseTypes: [],
      routes: { token: '/oauth2/token' },
      clientDefaults: { id_token_signed_response_alg: 'ES256', grant_types: ['client_credentials'], response_types: [] },
      features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    });
    const unique: unknown[][] = [];
    (p.ReplayDetection as unknown as { unique: (...args: unknown[]) => Promise<boolean> }).unique = async (...args) => {
      unique.push(args);
      return unique.length !== 3; // the third check says "seen"
    };
    const urls: string[] = [];
    const ctx = (p as unknown as { OIDCContext: { prototype: { urlFor(name: string): string } } }).OIDCContext.prototype;
    ctx.urlFor = (name: string) => (urls.push(name), `https://public.example${p.pathFor(name as 'token')}`);
    const s = createServer(p.callback() as unknown as (req: IncomingMessage, res: import('node:http').ServerResponse) => void);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const at = `http://127.0.0.1:${(s.address() as AddressInfo).port}/oauth2/token`;
    const { SignJWT } = await import('jose');
    const now = Math.floor(Date.now() / 1000);
    const assertion = (jti: string) => new SignJWT({ jti }).setProtectedHeader({ alg: 'ES256' }).setIssuer(PKJWT_ID).setSubject(PKJWT_ID)
      .setAudience('https://public.example/oauth2/token').setExpirationTime(now + 60).sign(client.privateKey);
    const proof = async (jti: string) => new SignJWT({ jti, htm: 'POST', htu: 'https://public.example/oauth2/token', iat: now })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(dpop.publicKey) }).sign(dpop.privateKey);
    const token = async (jti: string) => fetch(at, {
      method: 'POST',
      headers: { ...form, dpop: await proof(`proof-${jti}`) },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await assertion(jti) }),
    });
    try {
      const ok = await token('one');
      const body = (await ok.json()) as { token_type: string };
      expect(ok.status, JSON.stringify(body)).toBe(200);
      expect(body.token_type).toBe('DPoP');
      // The assertion's jti (iss = client_id), then the DPoP proof's; aud and htu from urlFor('token').
      expect(unique.map((u) => [u[0], u[1]])).toEqual([['seam-pkjwt', 'one'], ['seam-pkjwt', 'proof-one']]);
      expect(typeof unique[0][2]).toBe('number');
      expect(urls).toContain('token');
      expect((await token('two')).status).toBe(401); // unique() said "seen" for the assertion
    } finally {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });
});

// Pin 7 (oauth/resource-server.ts, issue 13): Auth0's `audience` is read from ctx.oidc.body
// (oidc-provider keeps only the parameters it knows in ctx.oidc.params); defaultResource and
// getResourceServerInfo run before the grant reads the requested scopes, so a scope set on
// ctx.oidc.params there is the one granted; the ClientCredentials ttl function sees the
// resource server (token.resourceServer.accessTokenTTL); the jwt customizer gets the same ctx.
describe('oidc-provider behaviour behind resource indicators', () => {
  it('exposes unknown body parameters in ctx.oidc.body, honours a scope set in getResourceServerInfo, and passes the resource server to the ttl function', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const seen: { audience?: unknown; sameCtx?: boolean } = {};
    const contexts = new WeakSet<object>();
    const p = new Provider('http://seams.test', {
      adapter: oneClient(CLIENT),
      jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'seam' }] },
      clientAuthMethods: ['client_secret_basic'],
      responseTypes: [],
      routes: { token: '/oauth2/token' },
      clientDefaults: { id_token_signed_response_alg: 'ES256', grant_types: ['client_credentials'], response_types: [] },
      features: {
        clientCredentials: { enabled: true },
        devInteractions: { enabled: false },
        resourceIndicators: {
          enabled: true,
          defaultResource: (ctx) => {
            seen.audience = (ctx.oidc.body as Record<string, unknown> | undefined)?.audience;
            return typeof seen.audience === 'string' ? seen.audience : 'https://default.example';
          },
          useGrantedResource: () => true,
          getResourceServerInfo: (ctx) => {
            contexts.add(ctx);
            if (!ctx.oidc.params!.scope) ctx.oidc.params!.scope = 'a b';
            return { scope: 'a b c', audience: 'https://api.example', accessTokenTTL: 123, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
          },
        },
      },
      ttl: { ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 999 },
      formats: { customizers: { jwt: (ctx) => void (seen.sameCtx = contexts.has(ctx)) } },
    });
    p.Client.prototype.compareClientSecret = (async () => true) as unknown as (actual: string) => Promise<boolean>;
    const s = createServer(p.callback() as unknown as (req: IncomingMessage, res: import('node:http').ServerResponse) => void);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/oauth2/token`, {
        method: 'POST',
        headers: { ...form, authorization: basic('x') },
        body: new URLSearchParams({ grant_type: 'client_credentials', audience: 'https://api.example' }),
      });
      const body = (await res.json()) as { scope?: string; expires_in?: number; access_token: string };
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(seen.audience).toBe('https://api.example');
      expect(body.scope).toBe('a b');
      expect(body.expires_in).toBe(123);
      expect(seen.sameCtx).toBe(true);
    } finally {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });
});
