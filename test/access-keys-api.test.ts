// The happy paths of the Access Keys Management API v1 (seed 003), field for field:
// create (secret once), get, list, update, delete (also of itself), display name
// uniqueness per project, Bearer and Basic. Every body is held to the OpenAPI document.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';
import {
  ApiClient, countKeys, jwtPayload, keyRow, RFC3339_UTC, tokenRequest, UUID_RE,
} from './helpers/api-client.js';

let s: TestServer;
let api: ApiClient;
let b: Bootstrapped;
let bearer: string;
let basic: string;

beforeAll(async () => {
  s = await startTestServer();
  api = await ApiClient.create(s);
  b = await s.bootstrap();
  bearer = `Bearer ${await s.token(b.accessKey.accessKeyId, b.secret)}`;
  basic = s.basic(b.accessKey.accessKeyId, b.secret);
});
afterAll(() => s?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True when any object in the value has a key named `secret`. */
function hasSecretKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasSecretKey);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => k.toLowerCase().includes('secret') || hasSecretKey(v));
  }
  return false;
}

describe('create', () => {
  it('returns the new key, field for field, and its secret; stores only its digest (#12)', async () => {
    const before = Date.now();
    const res = await api.create(b.projectId, bearer, '  My production Access Key  ');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const { accessKey, secret } = res.body;
    expect(Object.keys(res.body).sort()).toEqual(['accessKey', 'secret']);
    expect(Object.keys(accessKey).sort()).toEqual(['accessKeyId', 'createTime', 'displayName', 'projectId', 'updateTime']);
    expect(accessKey.accessKeyId).toMatch(UUID_RE);
    expect(accessKey.displayName).toBe('My production Access Key');
    expect(accessKey.projectId).toBe(b.projectId);
    expect(accessKey.createTime).toMatch(RFC3339_UTC);
    expect(accessKey.updateTime).toBe(accessKey.createTime);
    expect(Date.parse(accessKey.createTime)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(accessKey.createTime)).toBeLessThanOrEqual(Date.now() + 1000);
    // A secret safe in Basic auth and forms, with at least 190 bits.
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32,}$/);

    const row = await keyRow(s, accessKey.accessKeyId);
    expect(row.display_name).toBe('My production Access Key');
    expect(row.secret_hash).toMatch(/^sha256\$[A-Za-z0-9_-]{43}$/);
    expect(row.secret_hash).not.toContain(secret);
    expect(row.secret_hash).toBe(`sha256$${createHash('sha256').update(secret).digest('base64url')}`);
  });

  it('gives a secret that works at POST /oauth2/token and as Basic credentials', async () => {
    const { accessKey, secret } = (await api.create(b.projectId, bearer, 'token-check')).body;
    const token = await s.token(accessKey.accessKeyId, secret);
    expect(jwtPayload(token)).toMatchObject({ client_id: accessKey.accessKeyId, project_id: b.projectId });
    const viaBearer = await api.get(b.projectId, accessKey.accessKeyId, `Bearer ${token}`);
    expect(viaBearer.status).toBe(200);
    const viaBasic = await api.get(b.projectId, accessKey.accessKeyId, s.basic(accessKey.accessKeyId, secret));
    expect(viaBasic.status).toBe(200);
    expect(viaBasic.body).toEqual(accessKey);
  });

  it('never shows the secret again: not in get, list or update', async () => {
    const { accessKey, secret } = (await api.create(b.projectId, bearer, 'secret-once')).body;
    const responses = [
      await api.get(b.projectId, accessKey.accessKeyId, bearer),
      await api.list(b.projectId, bearer),
      await api.list(b.projectId, basic, 'pageSize=1000'),
      await api.patch(b.projectId, accessKey.accessKeyId, bearer, 'secret-once renamed'),
      await api.get(b.projectId, b.accessKey.accessKeyId, basic),
    ];
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(secret);
      expect(res.text).not.toContain(b.secret);
      expect(res.text).not.toContain('$2b$');
      expect(res.text).not.toContain('sha256$');
      expect(hasSecretKey(res.body)).toBe(false);
    }
  });
});

describe('get and list', () => {
  it('gets one key as it was created', async () => {
    const { accessKey } = (await api.create(b.projectId, bearer, 'get-me')).body;
    const res = await api.get(b.projectId, accessKey.accessKeyId, bearer);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(accessKey);
    // The Key ID is case-insensitive, like any UUID.
    expect((await api.get(b.projectId, accessKey.accessKeyId.toUpperCase(), bearer)).body).toEqual(accessKey);
  });

  it('lists the keys of the project in id order, the bootstrap key included', async () => {
    const res = await api.list(b.projectId, bearer, 'pageSize=1000');
    expect(res.status).toBe(200);
    expect(res.body.nextPageToken).toBe('');
    const ids = res.body.accessKeys.map((k: { accessKeyId: string }) => k.accessKeyId);
    expect(ids).toContain(b.accessKey.accessKeyId);
    expect(ids).toEqual([...ids].sort());
    expect(ids.length).toBe(await countKeys(s, b.projectId));
    for (const k of res.body.accessKeys) expect(k.projectId).toBe(b.projectId);
  });
});

describe('update', () => {
  it('changes displayName (trimmed) and moves updateTime forward, not createTime', async () => {
    const { accessKey } = (await api.create(b.projectId, bearer, 'before')).body;
    await sleep(15);
    const res = await api.patch(b.projectId, accessKey.accessKeyId, bearer, '  after  ');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accessKeyId: accessKey.accessKeyId, projectId: b.projectId, displayName: 'after' });
    expect(res.body.createTime).toBe(accessKey.createTime);
    expect(res.body.updateTime).toMatch(RFC3339_UTC);
    expect(Date.parse(res.body.updateTime)).toBeGreaterThan(Date.parse(accessKey.updateTime));
    expect((await api.get(b.projectId, accessKey.accessKeyId, basic)).body).toEqual(res.body);
    expect((await keyRow(s, accessKey.accessKeyId)).display_name).toBe('after');
  });

  it('accepts its own current name', async () => {
    const { accessKey } = (await api.create(b.projectId, bearer, 'same name')).body;
    const res = await api.patch(b.projectId, accessKey.accessKeyId, bearer, 'same name');
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe('same name');
  });
});

describe('delete', () => {
  it('answers 200 with no content; then the key is gone, gets no token, and its token is refused', async () => {
    const { accessKey, secret } = (await api.create(b.projectId, bearer, 'doomed')).body;
    const itsToken = `Bearer ${await s.token(accessKey.accessKeyId, secret)}`;
    expect((await api.list(b.projectId, itsToken)).status).toBe(200);
    const before = await countKeys(s, b.projectId);

    const res = await api.delete(b.projectId, accessKey.accessKeyId, bearer);
    expect(res.status).toBe(200);
    expect(res.text).toBe('{}'); // as Sinch answers (#15)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await countKeys(s, b.projectId)).toBe(before - 1);

    const get = await api.get(b.projectId, accessKey.accessKeyId, bearer);
    expect(get.status).toBe(404);
    expect(get.body.error.status).toBe('NOT_FOUND');
    const token = await tokenRequest(s, accessKey.accessKeyId, secret);
    expect(token.status).toBe(401);
    expect(token.body.error).toBe('invalid_client');
    expect((await api.list(b.projectId, itsToken)).status).toBe(401);
    expect((await api.list(b.projectId, s.basic(accessKey.accessKeyId, secret))).status).toBe(401);
    // A second delete finds nothing.
    expect((await api.delete(b.projectId, accessKey.accessKeyId, bearer)).status).toBe(404);
  });

  it('lets a key delete itself, even the last key of its project', async () => {
    const own = await s.bootstrap();
    const ownBearer = `Bearer ${await s.token(own.accessKey.accessKeyId, own.secret)}`;
    const res = await api.delete(own.projectId, own.accessKey.accessKeyId, ownBearer);
    expect(res.status).toBe(200);
    expect(res.text).toBe('{}');
    expect(await countKeys(s, own.projectId)).toBe(0);

    const after = await api.list(own.projectId, ownBearer);
    expect(after.status).toBe(401);
    expect(after.body.error.status).toBe('UNAUTHENTICATED');
    expect((await api.list(own.projectId, s.basic(own.accessKey.accessKeyId, own.secret))).status).toBe(401);
    const token = await tokenRequest(s, own.accessKey.accessKeyId, own.secret);
    expect(token.status).toBe(401);
    expect(token.body.error).toBe('invalid_client');
  });
});

describe('display names', () => {
  it('are unique within a project (409 ALREADY_EXISTS), also after trimming, and nothing changes', async () => {
    const first = await api.create(b.projectId, bearer, 'Unique Name');
    expect(first.status).toBe(200);
    const count = await countKeys(s);
    for (const name of ['Unique Name', '  Unique Name\t']) {
      const dup = await api.create(b.projectId, bearer, name);
      expect(dup.status).toBe(409);
      expect(dup.body.error.status).toBe('ALREADY_EXISTS');
      expect(dup.body.error.message).toMatch(/Unique Name.*already exists/);
    }
    const other = (await api.create(b.projectId, bearer, 'Other Name')).body.accessKey;
    const renamed = await api.patch(b.projectId, other.accessKeyId, basic, 'Unique Name');
    expect(renamed.status).toBe(409);
    expect(renamed.body.error.status).toBe('ALREADY_EXISTS');
    expect((await keyRow(s, other.accessKeyId)).display_name).toBe('Other Name');
    expect(await countKeys(s)).toBe(count + 1);
  });

  it('may repeat in another project', async () => {
    const b2 = await s.bootstrap();
    const auth2 = s.basic(b2.accessKey.accessKeyId, b2.secret);
    expect((await api.create(b.projectId, bearer, 'Shared Name')).status).toBe(200);
    const res = await api.create(b2.projectId, auth2, 'Shared Name');
    expect(res.status).toBe(200);
    expect(res.body.accessKey).toMatchObject({ displayName: 'Shared Name', projectId: b2.projectId });
    // And a rename to the bootstrap key's name of the other project is fine too.
    const patched = await api.patch(b2.projectId, res.body.accessKey.accessKeyId, auth2, b.accessKey.displayName);
    expect(patched.status).toBe(200);
  });

  it('stay unique under concurrent creates: one 200, the rest 409, one row', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => api.create(b.projectId, bearer, 'Raced Name')));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    const { rows } = await s.sql.query('SELECT 1 FROM access_keys WHERE project_id = $1 AND display_name = $2', [b.projectId, 'Raced Name']);
    expect(rows.length).toBe(1);
  });

  it('frees a name when its key is deleted', async () => {
    const { accessKey } = (await api.create(b.projectId, bearer, 'Recycled')).body;
    expect((await api.delete(b.projectId, accessKey.accessKeyId, bearer)).status).toBe(200);
    expect((await api.create(b.projectId, bearer, 'Recycled')).status).toBe(200);
  });
});

describe('credentials', () => {
  it('accepts Bearer and Basic on every operation', async () => {
    for (const auth of [bearer, basic]) {
      const created = await api.create(b.projectId, auth, `both ${auth.slice(0, 6)}`);
      expect(created.status).toBe(200);
      const id = created.body.accessKey.accessKeyId;
      expect((await api.list(b.projectId, auth)).status).toBe(200);
      expect((await api.get(b.projectId, id, auth)).status).toBe(200);
      expect((await api.patch(b.projectId, id, auth, `both renamed ${auth.slice(0, 6)}`)).status).toBe(200);
      expect((await api.delete(b.projectId, id, auth)).status).toBe(200);
    }
  });
});
