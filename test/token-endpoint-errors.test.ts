// POST /oauth2/token, the failures (RFC 6749 §5.2) as a table of bad requests, plus the
// properties that keep Key IDs secret: unknown and wrong secret answer byte for byte the
// same, in the same time, whatever else the request carries.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';
import { asBasic, basicHeader, issue, listKeys, postToken, raw, type TokenRequest } from './helpers/token-requests.js';

const AUDIENCE = 'https://api.example.com';

let s: TestServer;
let key: Bootstrapped;

beforeAll(async () => {
  s = await startTestServer({ TOKEN_AUDIENCE: AUDIENCE });
  key = await s.bootstrap();
});
afterAll(() => s?.close());

interface Row {
  name: string;
  request: () => TokenRequest;
  status: number;
  error: string;
}

const grant = { grant_type: 'client_credentials' };
const id = () => key.accessKey.accessKeyId;
const post = (extra: Record<string, string>) => ({ ...grant, client_id: id(), client_secret: key.secret, ...extra });

const table: Row[] = [
  { name: 'wrong secret (Basic)', request: () => ({ basic: [id(), 'wrong-secret'] }), status: 401, error: 'invalid_client' },
  { name: 'wrong secret (post)', request: () => ({ body: post({ client_secret: 'wrong-secret' }) }), status: 401, error: 'invalid_client' },
  { name: 'unknown key id', request: () => ({ basic: [randomUUID(), key.secret] }), status: 401, error: 'invalid_client' },
  { name: 'non-UUID key id', request: () => ({ basic: ['not-a-uuid', key.secret] }), status: 401, error: 'invalid_client' },
  { name: 'empty secret (Basic)', request: () => ({ basic: [id(), ''] }), status: 400, error: 'invalid_request' },
  { name: 'missing grant_type', request: () => ({ basic: asBasic(key), body: {} }), status: 400, error: 'invalid_request' },
  { name: 'grant_type=password', request: () => ({ basic: asBasic(key), body: { grant_type: 'password', username: 'u', password: 'p' } }), status: 400, error: 'unsupported_grant_type' },
  { name: 'grant_type=authorization_code', request: () => ({ basic: asBasic(key), body: { grant_type: 'authorization_code', code: 'x' } }), status: 400, error: 'unsupported_grant_type' },
  { name: 'grant_type=refresh_token', request: () => ({ basic: asBasic(key), body: { grant_type: 'refresh_token', refresh_token: 'x' } }), status: 400, error: 'unsupported_grant_type' },
  {
    name: 'JSON body',
    request: () => ({ basic: asBasic(key), body: JSON.stringify(grant), headers: { 'content-type': 'application/json' } }),
    status: 400,
    error: 'invalid_request',
  },
  { name: 'duplicate grant_type', request: () => ({ basic: asBasic(key), body: 'grant_type=client_credentials&grant_type=client_credentials' }), status: 400, error: 'invalid_request' },
  { name: 'duplicate client_secret', request: () => ({ body: `${new URLSearchParams(post({}))}&client_secret=${key.secret}` }), status: 400, error: 'invalid_request' },
  { name: 'Basic and client_secret_post together', request: () => ({ basic: asBasic(key), body: post({}) }), status: 400, error: 'invalid_request' },
  // RFC 6749 allows 400 or 401 here; oidc-provider says 400 invalid_request.
  { name: 'no credentials', request: () => ({ body: grant }), status: 401, error: 'invalid_client' },
  { name: 'client_id without a secret', request: () => ({ body: { ...grant, client_id: id() } }), status: 401, error: 'invalid_client' },
  { name: 'resource other than the audience', request: () => ({ basic: asBasic(key), body: { ...grant, resource: 'https://other.example.com' } }), status: 400, error: 'invalid_target' },
  { name: 'resource that is not a URI', request: () => ({ basic: asBasic(key), body: { ...grant, resource: 'api' } }), status: 400, error: 'invalid_target' },
];

describe('error table', () => {
  for (const row of table) {
    it(`${row.name} → ${row.status} ${row.error}`, async () => {
      const req = row.request();
      const res = await postToken(s.url, req);
      expect(res.status).toBe(row.status);
      expect(res.json?.error).toBe(row.error);
      expect(res.json).not.toHaveProperty('access_token');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const challenge = res.headers.get('www-authenticate');
      if (row.status === 401 && req.basic) {
        expect(challenge).toMatch(/^Basic /);
        expect(challenge).toContain('error="invalid_client"');
      }
      if (row.status === 401) expect(challenge).toMatch(/^Basic realm=/); // RFC 9110 §15.5.2, whatever the method
      if (row.status !== 401) expect(challenge).toBeNull();
    });
  }

  it('GET /oauth2/token → 405 with Allow: POST', async () => {
    const res = await raw(`${s.url}/oauth2/token?grant_type=client_credentials`, { headers: { authorization: basicHeader(...asBasic(key)) } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.json).not.toHaveProperty('access_token');
  });
});

describe('deleted key', () => {
  it('gets no token once deleted through the API, and its old tokens stop working', async () => {
    const created = await raw(`${s.url}/v1/projects/${key.projectId}/accessKeys`, {
      method: 'POST',
      headers: { authorization: basicHeader(...asBasic(key)), 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: `doomed ${randomUUID()}` }),
    });
    expect(created.status).toBe(200);
    const doomed = created.json as { accessKey: { accessKeyId: string }; secret: string };
    const doomedId = doomed.accessKey.accessKeyId;
    const { token } = await issue(s.url, { basic: [doomedId, doomed.secret] });

    const del = await raw(`${s.url}/v1/projects/${key.projectId}/accessKeys/${doomedId}`, {
      method: 'DELETE',
      headers: { authorization: basicHeader(...asBasic(key)) },
    });
    expect(del.status).toBe(200);

    const res = await postToken(s.url, { basic: [doomedId, doomed.secret] });
    expect(res.status).toBe(401);
    expect(res.json?.error).toBe('invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await listKeys(s.url, key.projectId, `Bearer ${token}`)).status).toBe(401);
  });
});

describe('Key IDs cannot be probed', () => {
  it('answers unknown key and wrong secret with byte-identical bodies', async () => {
    const unknown = await postToken(s.url, { basic: [randomUUID(), key.secret] });
    const wrong = await postToken(s.url, { basic: [id(), 'wrong-secret'] });
    const nonUuid = await postToken(s.url, { basic: ['nope', 'wrong-secret'] });
    expect(unknown.status).toBe(401);
    expect(unknown.text).toBe(wrong.text);
    expect(nonUuid.text).toBe(wrong.text);
    expect(unknown.headers.get('www-authenticate')).toBe(wrong.headers.get('www-authenticate'));
  });

  // A browser-style Origin header must neither open CORS nor change the answer: a check
  // that runs between the client lookup and the secret check would tell keys apart.
  it('answers the same with an Origin header, without CORS headers', async () => {
    const headers = { origin: 'https://evil.example' };
    const unknown = await postToken(s.url, { basic: [randomUUID(), 'wrong-secret'], headers });
    const wrong = await postToken(s.url, { basic: [id(), 'wrong-secret'], headers });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toBe(unknown.text);
    const ok = await postToken(s.url, { basic: asBasic(key), headers });
    expect(ok.status).toBe(200);
    for (const res of [unknown, wrong, ok]) {
      expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('answers a client_id without a secret the same for a known and an unknown key', async () => {
    const known = await postToken(s.url, { body: { ...grant, client_id: id() } });
    const unknown = await postToken(s.url, { body: { ...grant, client_id: randomUUID() } });
    expect(known.status).toBe(401);
    expect(known.text).toBe(unknown.text);
  });

  it('names the key canonically in tokens whatever the case of the presented Key ID', async () => {
    const { claims } = await issue(s.url, { basic: [id().toUpperCase(), key.secret] });
    expect(claims.client_id).toBe(id());
    expect(claims.sub).toBe(id());
  });

  // Unknown and known keys must cost the same work. Timing is a figure (docs/RELIABILITY.md),
  // not a test; what is tested is the cause: exactly the same number of bcrypt comparisons.
  // Key Secrets are digests now (#12): one comparison each, bcrypt for none of them.
  it('spends the same work on an unknown key as on a known one, with and without a secret', async () => {
    const b = await s.bootstrap();
    const known = b.accessKey.accessKeyId;
    const metric = async (name: string) => {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    };
    const bcryptBefore = await metric('keymint_bcrypt_compares_total');
    const compares = () => metric('keymint_secret_comparisons_total');
    const cost = async (req: TokenRequest) => {
      const before = await compares();
      expect((await postToken(s.url, req)).status).toBe(401);
      return (await compares()) - before;
    };
    const withSecret = (keyId: string): TokenRequest => ({ basic: [keyId, 'wrong-secret'] });
    const withoutSecret = (keyId: string): TokenRequest => ({ body: { ...grant, client_id: keyId } });
    expect(await cost(withSecret(known))).toBe(1);
    expect(await cost(withSecret(randomUUID()))).toBe(1);
    expect(await cost(withSecret('not-a-uuid'))).toBe(1);
    expect(await cost(withoutSecret(known))).toBe(0);
    expect(await cost(withoutSecret(randomUUID()))).toBe(0);
    // 'not-a-uuid' has a legacy username's shape: an unknown username costs what a password does.
    expect((await metric('keymint_bcrypt_compares_total')) - bcryptBefore).toBe(1);
  });
});
