// The OpenAPI document is structurally sound (as far as checks without an OpenAPI
// linter go), says what the v1 API does, and the response validator built on it
// accepts conforming bodies and rejects the rest.
import { describe, it, expect } from 'vitest';
import { buildOpenApi } from '../src/access-keys/openapi.js';
import { ApiError } from '../src/kernel/api-error.js';
import { createDocumentAjv, createResponseValidator } from './helpers/openapi-validator.js';

type Node = Record<string, any>;
const ISSUER = 'https://keymint.example.test';
const doc = buildOpenApi(ISSUER) as Node;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const LIST = '/v1/projects/{projectId}/accessKeys';
const KEY = '/v1/projects/{projectId}/accessKeys/{accessKeyId}';

function deref(node: Node): Node {
  if (typeof node?.$ref !== 'string') return node;
  const target = node.$ref
    .slice(2)
    .split('/')
    .reduce((at: any, part: string) => at?.[decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  return deref(target);
}

function operations(): { method: string; path: string; pathItem: Node; op: Node }[] {
  return Object.entries(doc.paths as Node).flatMap(([path, pathItem]) =>
    METHODS.filter((m) => pathItem[m]).map((method) => ({ method, path, pathItem, op: pathItem[method] })),
  );
}

function allRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => allRefs(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) (k === '$ref' ? out.push(v as string) : allRefs(v, out));
  }
  return out;
}

describe('the OpenAPI document', () => {
  it('is an OpenAPI 3.1.0 document for this issuer, and plain JSON', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Keymint Access Keys Management API', version: '1.0.0' });
    expect(doc.info.description).toEqual(expect.any(String));
    expect(doc.servers).toEqual([{ url: ISSUER }]);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('has exactly the five v1 operations, each with a unique operationId', () => {
    const ids = Object.fromEntries(operations().map(({ method, path, op }) => [`${method} ${path}`, op.operationId]));
    expect(ids).toEqual({
      [`get ${LIST}`]: 'listAccessKeys',
      [`post ${LIST}`]: 'createAccessKey',
      [`get ${KEY}`]: 'getAccessKey',
      [`patch ${KEY}`]: 'updateAccessKey',
      [`delete ${KEY}`]: 'deleteAccessKey',
    });
  });

  it('resolves every $ref, and every component is used', () => {
    const refs = allRefs(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref, ref).toMatch(/^#\/components\//);
      expect(deref({ $ref: ref }), ref).toBeTypeOf('object');
    }
    for (const [kind, entries] of Object.entries(doc.components as Node)) {
      if (kind === 'securitySchemes') continue;
      for (const name of Object.keys(entries)) expect(refs, `${kind}/${name}`).toContain(`#/components/${kind}/${name}`);
    }
  });

  it('gives every operation valid responses with descriptions and JSON content (delete: {}, as Sinch)', () => {
    for (const { method, path, op } of operations()) {
      const where = `${method} ${path}`;
      expect(Object.keys(op.responses).length, where).toBeGreaterThan(1);
      for (const [status, response] of Object.entries(op.responses as Node)) {
        expect(status, where).toMatch(/^[1-5]\d\d$/);
        expect(deref(response).description, `${where} ${status}`).toEqual(expect.any(String));
        expect(deref(response).content?.['application/json']?.schema, `${where} ${status}`).toBeTypeOf('object');
      }
    }
    expect(doc.paths[KEY].delete.responses['200'].content['application/json'].schema).toMatchObject({ type: 'object', maxProperties: 0 });
  });

  it('declares every path template parameter as a required path parameter, and no others', () => {
    for (const { method, path, pathItem, op } of operations()) {
      const params = [...(pathItem.parameters ?? []), ...(op.parameters ?? [])].map(deref);
      const keys = params.map((p) => `${p.in}:${p.name}`);
      expect(new Set(keys).size, `${method} ${path} duplicates`).toBe(keys.length);
      const inPath = params.filter((p) => p.in === 'path');
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      expect(inPath.map((p) => p.name).sort(), `${method} ${path}`).toEqual(templated);
      for (const p of inPath) expect(p.required, `${path} ${p.name}`).toBe(true);
      for (const p of params) expect(p.schema, `${path} ${p.name}`).toBeTypeOf('object');
    }
    const list = doc.paths[LIST].get.parameters.map(deref);
    expect(list.find((p: Node) => p.name === 'pageSize').schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, default: 100 });
    expect(list.find((p: Node) => p.name === 'pageToken')).toMatchObject({ in: 'query', schema: { type: 'string' } });
  });

  it('documents the error responses that apply to each operation', () => {
    const errors = (op: Node) => Object.keys(op.responses).filter((s) => s !== '200').sort();
    const common = ['400', '401', '403', '429', '503'];
    expect(errors(doc.paths[LIST].get)).toEqual(common);
    expect(errors(doc.paths[LIST].post)).toEqual([...common, '409', '412', '413', '415'].sort());
    expect(errors(doc.paths[KEY].get)).toEqual([...common, '404'].sort());
    expect(errors(doc.paths[KEY].patch)).toEqual([...common, '404', '409', '413', '415'].sort());
    expect(errors(doc.paths[KEY].delete)).toEqual([...common, '404'].sort());
    for (const { op } of operations()) {
      for (const status of errors(op)) expect(op.responses[status]).toEqual({ $ref: `#/components/responses/${status}` });
    }
    expect(doc.components.responses['401'].headers['WWW-Authenticate'].schema).toEqual({ type: 'string' });
  });

  it('requires a body of exactly { displayName } on create and update', () => {
    const ajv = createDocumentAjv(doc);
    for (const op of [doc.paths[LIST].post, doc.paths[KEY].patch]) expect(deref(op.requestBody).required).toBe(true);
    const validate = ajv.getSchema('openapi.json#/components/schemas/AccessKeyInput')!;
    expect(validate({ displayName: 'My production Access Key' })).toBe(true);
    expect(validate({ displayName: 'x'.repeat(100) })).toBe(true);
    for (const bad of [{}, { displayName: '' }, { displayName: '   ' }, { displayName: 'x'.repeat(101) }, { displayName: 'a', extra: 1 }]) {
      expect(validate(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('compiles every component schema under strict JSON Schema 2020-12', () => {
    const ajv = createDocumentAjv(doc);
    for (const name of Object.keys(doc.components.schemas)) {
      expect(() => ajv.getSchema(`openapi.json#/components/schemas/${name}`), name).not.toThrow();
      expect(ajv.getSchema(`openapi.json#/components/schemas/${name}`), name).toBeTypeOf('function');
    }
  });

  it('accepts bearer, basic or oauth2 client credentials against this issuer', () => {
    const schemes = doc.components.securitySchemes;
    expect(doc.security).toEqual([{ bearerAuth: [] }, { basicAuth: [] }, { oauth2: [] }]);
    expect(schemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(schemes.bearerAuth.description).toMatch(/POST \/oauth2\/token.*client_id.*client_secret/s);
    expect(schemes.basicAuth).toMatchObject({ type: 'http', scheme: 'basic' });
    expect(schemes.oauth2.flows).toEqual({ clientCredentials: { tokenUrl: `${ISSUER}/oauth2/token`, scopes: {} } });
    const used = [...(doc.security as Node[]), ...operations().flatMap(({ op }) => op.security ?? [])];
    for (const requirement of used) for (const name of Object.keys(requirement)) expect(schemes).toHaveProperty(name);
  });
});

describe('the response validator', () => {
  const v = createResponseValidator(doc);
  const key = {
    accessKeyId: '0b7e3c52-6f4a-4d1e-9a0b-2f8c1d3e4a5b',
    displayName: 'My production Access Key',
    projectId: 'c1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b',
    createTime: '2024-05-01T12:00:00Z',
    updateTime: '2024-05-01T12:00:00.123+02:00',
  };
  const problem = (e: ApiError) => ({ error: { code: e.code, message: e.message, status: e.status, details: [] } });

  it('accepts conforming bodies for every operation', () => {
    v.assertValid('GET', LIST, 200, { accessKeys: [key, key], nextPageToken: 'abc' });
    v.assertValid('get', LIST, 200, { accessKeys: [], nextPageToken: '' });
    v.assertValid('POST', LIST, 200, { accessKey: key, secret: 's3cr3t' });
    v.assertValid('GET', KEY, 200, key);
    v.assertValid('PATCH', KEY, 200, { ...key, displayName: 'renamed' });
    v.assertValid('DELETE', KEY, 200, {});
  });

  it("accepts the error handler's body for each documented error", () => {
    v.assertValid('GET', LIST, 400, problem(ApiError.invalidArgument('pageSize must be 1 to 1000.')));
    v.assertValid('GET', KEY, 401, problem(ApiError.unauthenticated('Missing credentials.', 'Bearer')));
    v.assertValid('DELETE', KEY, 403, problem(ApiError.permissionDenied('Another project.')));
    v.assertValid('GET', KEY, 404, problem(ApiError.notFound('No such key.')));
    v.assertValid('POST', LIST, 409, problem(ApiError.alreadyExists('Duplicate displayName.')));
    v.assertValid('PATCH', KEY, 413, problem(ApiError.payloadTooLarge('Too large.')));
    v.assertValid('POST', LIST, 415, problem(ApiError.unsupportedMediaType('Not JSON.')));
    v.assertValid('GET', LIST, 429, problem(ApiError.resourceExhausted('Slow down.', 1)));
    v.assertValid('PATCH', KEY, 503, problem(ApiError.unavailable()));
  });

  it('rejects a missing field', () => {
    const { updateTime: _, ...partial } = key;
    expect(() => v.assertValid('GET', KEY, 200, partial)).toThrow(/must have required property 'updateTime'/);
    expect(() => v.assertValid('POST', LIST, 200, { accessKey: key })).toThrow(/'secret'/);
    expect(() => v.assertValid('GET', LIST, 200, { accessKeys: [key] })).toThrow(/'nextPageToken'/);
    expect(() => v.assertValid('GET', KEY, 404, { error: { code: 404, status: 'NOT_FOUND' } })).toThrow(/'message'/);
  });

  it('rejects an extra field, such as a secret leaking into a key', () => {
    expect(() => v.assertValid('GET', KEY, 200, { ...key, secret: 'x' })).toThrow(/additional properties.*secret/);
    expect(() => v.assertValid('GET', LIST, 200, { accessKeys: [{ ...key, hash: 'x' }], nextPageToken: '' })).toThrow(
      /accessKeys\/0 must NOT have additional properties/,
    );
    expect(() => v.assertValid('GET', KEY, 404, { ...problem(ApiError.notFound('x')), stack: 'at ...' })).toThrow(/stack/);
  });

  it('rejects a wrong format or type', () => {
    expect(() => v.assertValid('GET', KEY, 200, { ...key, accessKeyId: 'not-a-uuid' })).toThrow(/accessKeyId must match format "uuid"/);
    expect(() => v.assertValid('GET', KEY, 200, { ...key, projectId: 42 })).toThrow(/projectId must be string/);
    expect(() => v.assertValid('GET', KEY, 200, { ...key, createTime: '2024-05-01 noon' })).toThrow(/createTime must match format "date-time"/);
    expect(() => v.assertValid('GET', KEY, 404, { error: { code: 404, message: 'x', status: 'MISSING', details: [] } })).toThrow(/allowed values/);
    expect(() => v.assertValid('GET', KEY, 404, { error: { code: '404', message: 'x', status: 'NOT_FOUND', details: [] } })).toThrow(/code must be integer/);
  });

  it('rejects an undocumented status or operation', () => {
    const notFound = problem(ApiError.notFound('x'));
    expect(() => v.assertValid('GET', KEY, 418, notFound)).toThrow(/status 418 is not documented/);
    expect(() => v.assertValid('GET', KEY, 409, notFound)).toThrow(/status 409 is not documented/);
    expect(() => v.assertValid('GET', LIST, 404, notFound)).toThrow(/status 404 is not documented/);
    expect(() => v.assertValid('GET', KEY, 500, problem(ApiError.internal()))).toThrow(/not documented/);
    expect(() => v.assertValid('PUT', KEY, 200, key)).toThrow(/no such operation/);
    expect(() => v.assertValid('GET', '/v1/projects/{projectId}/keys', 200, key)).toThrow(/no such operation/);
  });

  it('rejects a body other than {} on delete, a body without details, and a missing body where one is declared', () => {
    expect(() => v.assertValid('DELETE', KEY, 200, { deleted: true })).toThrow();
    expect(() => v.assertValid('DELETE', KEY, 200, '')).toThrow(/must be object/);
    expect(() => v.assertValid('GET', KEY, 404, { error: { code: 404, message: 'x', status: 'NOT_FOUND' } })).toThrow(/details/);
    expect(() => v.assertValid('GET', KEY, 200, undefined)).toThrow(/must be object/);
    expect(() => v.assertValid('GET', KEY, 200, '')).toThrow(/must be object/);
  });
});
