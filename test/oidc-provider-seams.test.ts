// What Keymint relies on in oidc-provider beyond its documented configuration, pinned
// against a bare provider (no Keymint code in the way), so that an upgrade that changes any
// of it fails here, by name, before it breaks the token endpoint (README: "Upgrading
// oidc-provider"). Documented seams need no pin: provider.callback() mounted on node:http
// (the token fast path), provider.use() (the client address), the adapter, clientBasedCORS.
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

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  class MemoryAdapter implements Adapter {
    constructor(readonly model: string) {}
    async find(id: string) {
      return this.model === 'Client' && id === CLIENT.client_id ? CLIENT : undefined;
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
  }
  provider = new Provider('http://seams.test', {
    adapter: MemoryAdapter,
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
