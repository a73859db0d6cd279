// Tables of bad input for the Access Keys Management API v1: each case asserts the
// status, error.status, a helpful message, and that nothing changed in access_keys.
// The client (helpers/api-client.ts) also fails any 500 or body leaking a stack or SQL.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';
import { ApiClient, countKeys, keyRow, type RequestOptions } from './helpers/api-client.js';

let s: TestServer;
let api: ApiClient;
let b: Bootstrapped;
let auth: string;
let target: string; // the key that failed PATCHes must leave alone

beforeAll(async () => {
  s = await startTestServer();
  api = await ApiClient.create(s);
  b = await s.bootstrap();
  auth = `Bearer ${await s.token(b.accessKey.accessKeyId, b.secret)}`;
  target = (await api.create(b.projectId, auth, 'target')).body.accessKey.accessKeyId;
});
afterAll(() => s?.close());

const emoji = (n: number) => '😀'.repeat(n);
const json = (value: unknown): RequestOptions => ({ raw: JSON.stringify(value), contentType: 'application/json' });

interface BadBody {
  name: string;
  send: RequestOptions;
  status: number;
  error: string;
  message: RegExp;
}

const badBodies: BadBody[] = [
  { name: 'malformed JSON', send: { raw: '{"displayName": "x"', contentType: 'application/json' }, status: 400, error: 'INVALID_ARGUMENT', message: /not valid JSON/ },
  { name: 'a JSON array', send: json([{ displayName: 'x' }]), status: 400, error: 'INVALID_ARGUMENT', message: /must be a JSON object/ },
  { name: 'a JSON string', send: json('x'), status: 400, error: 'INVALID_ARGUMENT', message: /must be a JSON object/ },
  { name: 'a JSON number', send: json(42), status: 400, error: 'INVALID_ARGUMENT', message: /must be a JSON object/ },
  { name: 'JSON null', send: json(null), status: 400, error: 'INVALID_ARGUMENT', message: /must be a JSON object/ },
  { name: 'an empty object', send: json({}), status: 400, error: 'INVALID_ARGUMENT', message: /displayName is required/ },
  { name: 'an empty body', send: { raw: '', contentType: 'application/json' }, status: 400, error: 'INVALID_ARGUMENT', message: /displayName is required|JSON/ },
  ...([['a number', 42], ['null', null], ['an object', { a: 1 }], ['an array', ['x']], ['a boolean', true]] as const).map(
    ([what, value]): BadBody => ({ name: `displayName ${what}`, send: json({ displayName: value }), status: 400, error: 'INVALID_ARGUMENT', message: /displayName must be a string/ }),
  ),
  { name: 'an empty displayName', send: json({ displayName: '' }), status: 400, error: 'INVALID_ARGUMENT', message: /displayName must not be empty/ },
  { name: 'a white space displayName', send: json({ displayName: ' \t\n  ' }), status: 400, error: 'INVALID_ARGUMENT', message: /displayName must not be empty/ },
  { name: '101 characters', send: json({ displayName: 'x'.repeat(101) }), status: 400, error: 'INVALID_ARGUMENT', message: /at most 100 characters/ },
  { name: '101 emoji', send: json({ displayName: emoji(101) }), status: 400, error: 'INVALID_ARGUMENT', message: /at most 100 characters/ },
  ...['a\u0000b', 'a\u0007b', 'a\nb', 'a\u001bb', 'a\u007fb', 'a\u0085b'].map(
    (value): BadBody => ({ name: `control character ${JSON.stringify(value)}`, send: json({ displayName: value }), status: 400, error: 'INVALID_ARGUMENT', message: /control characters or line breaks/ }),
  ),
  { name: 'a line separator', send: json({ displayName: 'a\u2028b' }), status: 400, error: 'INVALID_ARGUMENT', message: /line breaks/ },
  { name: 'an unpaired surrogate', send: { raw: '{"displayName":"a\\ud800b"}', contentType: 'application/json' }, status: 400, error: 'INVALID_ARGUMENT', message: /valid Unicode/ },
  { name: 'an unknown extra field', send: json({ displayName: 'ok', extra: 1 }), status: 400, error: 'INVALID_ARGUMENT', message: /Unknown field.*extra/ },
  { name: 'a __proto__ key', send: { raw: '{"displayName":"ok","__proto__":{"admin":true}}', contentType: 'application/json' }, status: 400, error: 'INVALID_ARGUMENT', message: /Unknown field.*__proto__/ },
  { name: 'only a __proto__ key', send: { raw: '{"__proto__":{"displayName":"ok"}}', contentType: 'application/json' }, status: 400, error: 'INVALID_ARGUMENT', message: /displayName is required|__proto__/ },
  { name: 'a constructor key', send: json({ displayName: 'ok', constructor: 'x' }), status: 400, error: 'INVALID_ARGUMENT', message: /Unknown field.*constructor/ },
  { name: 'no Content-Type', send: { raw: '{"displayName":"ok"}' }, status: 415, error: 'INVALID_ARGUMENT', message: /Content-Type: application\/json/ },
  { name: 'text/plain', send: { raw: '{"displayName":"ok"}', contentType: 'text/plain' }, status: 415, error: 'INVALID_ARGUMENT', message: /application\/json/ },
  { name: 'form encoding', send: { raw: 'displayName=ok', contentType: 'application/x-www-form-urlencoded' }, status: 415, error: 'INVALID_ARGUMENT', message: /application\/json/ },
  { name: 'a Latin-1 charset', send: { raw: '{"displayName":"ok"}', contentType: 'application/json; charset=latin1' }, status: 415, error: 'INVALID_ARGUMENT', message: /UTF-8/ },
  { name: 'a corrupt gzip body', send: { ...json({ displayName: 'ok' }), headers: { 'content-encoding': 'gzip' } }, status: 400, error: 'INVALID_ARGUMENT', message: /Content-Encoding/ },
  { name: 'a body over 64 KiB', send: json({ displayName: 'x'.repeat(65 * 1024) }), status: 413, error: 'INVALID_ARGUMENT', message: /64 KiB/ },
];

async function expectError(res: Awaited<ReturnType<ApiClient['request']>>, c: Omit<BadBody, 'name' | 'send'>) {
  expect(res.status, res.text).toBe(c.status);
  expect(res.body.error.status).toBe(c.error);
  expect(res.body.error.message).toMatch(c.message);
}

describe('bad bodies', () => {
  it.each(badBodies)('create with $name: $status and nothing created', async (c) => {
    const before = await countKeys(s);
    const res = await api.request('POST', `/v1/projects/${b.projectId}/accessKeys`, { auth, ...c.send });
    await expectError(res, c);
    expect(await countKeys(s)).toBe(before);
  });

  it.each(badBodies)('update with $name: $status and the key unchanged', async (c) => {
    const before = await keyRow(s, target);
    const res = await api.request('PATCH', `/v1/projects/${b.projectId}/accessKeys/${target}`, { auth, ...c.send });
    await expectError(res, c);
    expect(await keyRow(s, target)).toEqual(before);
    expect(before.display_name).toBe('target');
  });

  it('accepts exactly 100 characters, counted in code points', async () => {
    for (const name of ['x'.repeat(100), emoji(100), ` ${'y'.repeat(100)} `]) {
      const created = await api.create(b.projectId, auth, name);
      expect(created.status, created.text).toBe(200);
      expect(created.body.accessKey.displayName).toBe(name.trim());
      const patched = await api.patch(b.projectId, created.body.accessKey.accessKeyId, auth, `${name.trim().slice(0, -2)}é`);
      expect(patched.status, patched.text).toBe(200);
      expect((await api.delete(b.projectId, created.body.accessKey.accessKeyId, auth)).status).toBe(200);
    }
  });
});

describe('transport', () => {
  it('accepts a gzip-compressed JSON body', async () => {
    const raw = gzipSync(JSON.stringify({ displayName: 'zipped' }));
    const res = await api.request('POST', `/v1/projects/${b.projectId}/accessKeys`, { auth, raw, contentType: 'application/json', headers: { 'content-encoding': 'gzip' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.accessKey.displayName).toBe('zipped');
  });

  it('answers a path that is not valid percent-encoding with 400, and changes nothing', async () => {
    const before = await countKeys(s);
    for (const [method, path] of [['GET', '/v1/projects/%ZZ/accessKeys'], ['GET', `/v1/projects/${b.projectId}/accessKeys/%E0%A4%A`], ['DELETE', `/v1/projects/${b.projectId}/accessKeys/%ZZ`]]) {
      await expectError(await api.request(method, path, { auth }), { status: 400, error: 'INVALID_ARGUMENT', message: /percent-encoded/ });
    }
    expect(await countKeys(s)).toBe(before);
  });
});

describe('key IDs', () => {
  const notUuids = ['not-a-uuid', '1234', `${randomUUID()}0`, randomUUID().replace(/-/g, ''), 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '%20'];

  it.each(['GET', 'PATCH', 'DELETE'])('%s with a non-UUID accessKeyId is 400 and changes nothing', async (method) => {
    const before = await countKeys(s);
    for (const id of notUuids) {
      const res = await api.request(method, `/v1/projects/${b.projectId}/accessKeys/${id}`, { auth, json: method === 'PATCH' ? { displayName: 'x' } : undefined });
      await expectError(res, { status: 400, error: 'INVALID_ARGUMENT', message: /accessKeyId must be a UUID/ });
    }
    expect(await countKeys(s)).toBe(before);
    expect((await keyRow(s, target)).display_name).toBe('target');
  });

  it.each(['GET', 'PATCH', 'DELETE'])('%s with an unknown UUID is 404 and changes nothing', async (method) => {
    const before = await countKeys(s);
    const id = randomUUID();
    const res = await api.request(method, `/v1/projects/${b.projectId}/accessKeys/${id}`, { auth, json: method === 'PATCH' ? { displayName: 'x' } : undefined });
    await expectError(res, { status: 404, error: 'NOT_FOUND', message: new RegExp(`${id} does not exist`) });
    expect(await countKeys(s)).toBe(before);
  });
});

describe('pageSize', () => {
  const bad = ['0', '1001', '-1', '1.5', 'abc', '', '1e2', '+5', ' 5', '0x10', '99999999999999999999'];
  it.each(bad)('pageSize=%j is 400', async (value) => {
    const res = await api.list(b.projectId, auth, `pageSize=${encodeURIComponent(value)}`);
    await expectError(res, { status: 400, error: 'INVALID_ARGUMENT', message: /pageSize must be a whole number from 1 to 1000/ });
  });

  it('a repeated pageSize is 400', async () => {
    const res = await api.list(b.projectId, auth, 'pageSize=1&pageSize=2');
    await expectError(res, { status: 400, error: 'INVALID_ARGUMENT', message: /pageSize/ });
  });

  it.each(['1', '1000', '001'])('pageSize=%s is accepted', async (value) => {
    const res = await api.list(b.projectId, auth, `pageSize=${value}`);
    expect(res.status).toBe(200);
    expect(res.body.accessKeys.length).toBe(Math.min(Number(value), await countKeys(s, b.projectId)));
  });
});

describe('pageToken', () => {
  let token: string;
  let foreign: string;
  const tokenError = { status: 400, error: 'INVALID_ARGUMENT', message: /pageToken is not valid for this list/ };
  const listWith = (t: string) => api.list(b.projectId, auth, `pageSize=1&pageToken=${encodeURIComponent(t)}`);

  beforeAll(async () => {
    token = (await api.list(b.projectId, auth, 'pageSize=1')).body.nextPageToken;
    const other = await s.bootstrap();
    const otherAuth = s.basic(other.accessKey.accessKeyId, other.secret);
    await api.create(other.projectId, otherAuth, 'second');
    foreign = (await api.list(other.projectId, otherAuth, 'pageSize=1')).body.nextPageToken;
    expect(foreign).not.toBe('');
    expect((await api.list(other.projectId, otherAuth, `pageToken=${encodeURIComponent(foreign)}`)).status).toBe(200);
  });

  it('a real one works', async () => {
    expect(token).not.toBe('');
    expect((await listWith(token)).status).toBe(200);
  });

  it.each([
    ['garbage', () => 'garbage'],
    ['truncated by one', () => token.slice(0, -1)],
    ['truncated by half', () => token.slice(0, token.length / 2)],
    ['with a suffix', () => `${token}A`],
    ['with padding', () => `${token}==`],
    ['with an extra part', () => `${token}.AAAA`],
    ['without its MAC', () => token.split('.')[0]],
    ['very long', () => 'A'.repeat(4000)],
    ["of another project's list", () => foreign],
  ])('%s is 400', async (_name, make) => {
    await expectError(await listWith(make()), tokenError);
  });

  it('with any one character changed is 400', async () => {
    for (let i = 0; i < token.length; i++) {
      const flipped = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      const res = await listWith(flipped);
      expect(res.status, `position ${i}: ${flipped}`).toBe(400);
      expect(res.body.error.message).toMatch(tokenError.message);
    }
  });

  it('a repeated pageToken is 400', async () => {
    const t = encodeURIComponent(token);
    await expectError(await api.list(b.projectId, auth, `pageToken=${t}&pageToken=${t}`), tokenError);
  });
});
