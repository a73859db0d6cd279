// The console API's calls for APIs (issue 13) in its OpenAPI document, added by
// withApisConsole(); test/authorization.test.ts validates real responses against it.
const json = (schema: object) => ({ 'application/json': { schema } });
const ref = (pointer: string) => ({ $ref: `#/components/${pointer}` });

interface Doc {
  paths: Record<string, object>;
  components: { schemas: Record<string, object> };
}
type Security = Record<string, string[]>[];

const scope = {
  type: 'object',
  required: ['name', 'description'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,100}$', examples: ['orders:read'] },
    description: { type: 'string', maxLength: 200 },
  },
};
const scopeInput = { ...scope, required: ['name'] };

function schemas(): Record<string, object> {
  const ttl = { anyOf: [{ type: 'integer', minimum: 60, maximum: 86400 }, { type: 'null' }], description: "Lifetime of the API's tokens in seconds (at most the server's TOKEN_TTL_SECONDS); null: TOKEN_TTL_SECONDS." };
  const identifier = { type: 'string', minLength: 1, maxLength: 500, description: 'An absolute URI, unique in the account: the aud of its tokens, and the resource (RFC 8707) or audience a token request names.', examples: ['https://orders.example.com'] };
  const displayName = { type: 'string', minLength: 1, maxLength: 100 };
  return {
    ApiScope: scope,
    Api: {
      type: 'object',
      required: ['apiId', 'identifier', 'displayName', 'scopes', 'tokenTtlSeconds', 'createTime', 'updateTime'],
      additionalProperties: false,
      properties: {
        apiId: { type: 'string', format: 'uuid' },
        identifier,
        displayName,
        scopes: { type: 'array', items: ref('schemas/ApiScope') },
        tokenTtlSeconds: ttl,
        createTime: { type: 'string', format: 'date-time' },
        updateTime: { type: 'string', format: 'date-time' },
      },
    },
    ApiList: {
      type: 'object',
      required: ['apis', 'managementApi'],
      additionalProperties: false,
      properties: {
        apis: { type: 'array', items: ref('schemas/Api') },
        managementApi: {
          type: 'object',
          required: ['identifier', 'scopes'],
          additionalProperties: false,
          description: "Keymint's own management API (v1 and the console's credential calls), granted like any other.",
          properties: { identifier: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } } },
        },
      },
    },
    CredentialGrants: {
      type: 'object',
      required: ['grants'],
      additionalProperties: false,
      properties: { grants: grantList, customClaims: { type: 'object', description: 'Copied into every token of the key.' } },
    },
    CredentialGrantsInput: {
      type: 'object',
      required: ['grants'],
      additionalProperties: false,
      properties: { grants: grantList, customClaims: { type: ['object', 'null'], description: 'At most 1024 bytes of JSON; no claim Keymint sets itself.' } },
    },
    CreateApiInput: {
      type: 'object',
      required: ['identifier', 'displayName'],
      additionalProperties: false,
      properties: { identifier, displayName, scopes: { type: 'array', maxItems: 100, items: scopeInput }, tokenTtlSeconds: ttl },
    },
    UpdateApiInput: {
      type: 'object',
      additionalProperties: false,
      description: 'Only the fields sent change. A scope left out of scopes is taken from every grant on the API.',
      properties: { identifier, displayName, scopes: { type: 'array', maxItems: 100, items: scopeInput }, tokenTtlSeconds: ttl },
    },
  };
}

/** The console document with /api/apis. `session`: cookie only; `write`: with the CSRF header. */
export function withApisConsole<T extends object>(doc: T, security: { read: Security; write: Security; keys: Security }): T {
  const d = doc as unknown as Doc;
  const ADMIN = 'Signed-in Administrators of a verified account only: other roles and access keys get 403, an unverified account 412. Audited.';
  const op = (id: string, summary: string, description: string, ok: { status: string; schema: string | object }, errors: string[], body?: string, write = false, keys = false) => ({
    operationId: id,
    summary,
    description,
    security: [...(write ? security.write : security.read), ...(keys ? security.keys : [])],
    ...(body ? { requestBody: { required: true, content: json(ref(`schemas/${body}`)) } } : {}),
    responses: {
      [ok.status]: { description: 'OK', content: json(typeof ok.schema === 'string' ? ref(`schemas/${ok.schema}`) : ok.schema) },
      ...Object.fromEntries([...new Set(['400', '401', '403', '429', '503', ...errors, ...(body ? ['413', '415'] : [])])].sort().map((s) => [s, ref(`responses/${s}`)])),
    },
  });
  d.paths['/api/apis'] = {
    get: op('listApis', "The account's APIs", 'Every signed-in user of the account; an access key gets 403.', { status: '200', schema: 'ApiList' }, []),
    post: op('createApi', 'Create an API', `Its identifier is the aud of its tokens. ${ADMIN}`, { status: '201', schema: 'Api' }, ['409', '412'], 'CreateApiInput', true),
  };
  d.paths['/api/apis/{apiId}'] = {
    parameters: [{ name: 'apiId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
    patch: op('updateApi', 'Change an API', `In force on every instance within a second. ${ADMIN}`, { status: '200', schema: 'Api' }, ['404', '409', '412'], 'UpdateApiInput', true),
    delete: op('deleteApi', 'Delete an API', `Its grants go with it: its tokens are no longer issued. ${ADMIN}`, { status: '200', schema: { type: 'object', additionalProperties: false, maxProperties: 0 } }, ['404', '412'], undefined, true),
  };
  const credential = [{ $ref: '#/components/parameters/projectId' }, { $ref: '#/components/parameters/credentialId' }];
  d.paths['/api/projects/{projectId}/credentials/{credentialId}/grants'] = {
    parameters: credential,
    get: op('getCredentialGrants', "A key's grants", 'null: the Sinch model (manages its project\'s keys, tokens for every API of the account). Any user, or a key of the project with accesskeys.read.', { status: '200', schema: 'CredentialGrants' }, ['404'], undefined, false, true),
    put: op('setCredentialGrants', "Replace a key's grants", 'null returns the key to the Sinch model. In force on every instance within a second. Administrators (or a key of the project with accesskeys.write) only; audited.', { status: '200', schema: 'CredentialGrants' }, ['404'], 'CredentialGrantsInput', true, true),
  };
  const s = d.components.schemas as Record<string, { oneOf?: Array<{ properties: Record<string, object> }> }>;
  for (const variant of s.CreateCredentialInput.oneOf ?? []) variant.properties.grants = { ...grantList, description: 'The key\'s grants; left out or null: the Sinch model.' };
  Object.assign(d.components.schemas, schemas());
  return doc;
}

const grant = {
  type: 'object',
  required: ['api', 'scopes'],
  additionalProperties: false,
  properties: {
    api: { type: 'string', minLength: 1, maxLength: 500, description: "An API's identifier, or the issuer for Keymint's management API." },
    scopes: { type: 'array', maxItems: 100, items: { type: 'string' } },
    default: { type: 'boolean', description: 'The API of a token request without resource.' },
  },
};
const grantList = { anyOf: [{ type: 'array', maxItems: 50, items: grant }, { type: 'null' }] };
