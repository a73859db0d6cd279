// The OpenAPI 3.1 description of the Access Keys Management API v1, served at
// GET /v1/openapi.json. It is also the contract the tests hold real responses to
// (test/helpers/openapi-validator.ts), so keep it exact rather than aspirational.

import { ERROR_STATUSES, errorResponse, json, ref, retryAfter, schemas } from './openapi-schemas.js';

// Which documented error responses each operation can produce (see components.responses).
const READ_ERRORS = ['400', '401', '403', '429', '503'];
const KEY_ERRORS = ['400', '401', '403', '404', '429', '503'];
const WRITE_ERRORS = ['409', '413', '415'];

function responses(ok: object, errors: string[]): Record<string, object> {
  const out: Record<string, object> = { '200': ok };
  for (const status of [...errors].sort()) out[status] = ref(`responses/${status}`);
  return out;
}

export function buildOpenApi(issuer: string): object {
  const keyPath = '/v1/projects/{projectId}/accessKeys/{accessKeyId}';
  return {
    openapi: '3.1.0',
    info: {
      title: 'Keymint Access Keys Management API',
      version: '1.0.0',
      description:
        'Programmatic management of the access keys of a project. An access key (Key ID and Key Secret) ' +
        'is exchanged at POST /oauth2/token for JWT access tokens that grant access to resource APIs.',
    },
    servers: [{ url: issuer }],
    security: [{ bearerAuth: [] }, { basicAuth: [] }, { oauth2: [] }],
    tags: [{ name: 'Access Key', description: 'Manage access keys.' }],
    paths: {
      '/v1/projects/{projectId}/accessKeys': {
        parameters: [ref('parameters/projectId')],
        get: {
          operationId: 'listAccessKeys',
          tags: ['Access Key'],
          summary: 'List keys',
          description: 'Lists the access keys of the project, a page at a time.',
          parameters: [ref('parameters/pageSize'), ref('parameters/pageToken')],
          responses: responses(
            { description: 'OK', content: json(ref('schemas/ListAccessKeysResponse')) },
            READ_ERRORS,
          ),
        },
        post: {
          operationId: 'createAccessKey',
          tags: ['Access Key'],
          summary: 'Create access key',
          description:
            'Creates an access key for the project and returns it with its secret. With an expireTime, ' +
            'the key stops working at that time: no tokens, no API access, and its tokens stop working on this API.',
          requestBody: ref('requestBodies/CreateAccessKeyInput'),
          responses: responses(
            { description: 'OK', content: json(ref('schemas/CreateAccessKeyResponse')) },
            [...READ_ERRORS, ...WRITE_ERRORS, '412'],
          ),
        },
      },
      [keyPath]: {
        parameters: [ref('parameters/projectId'), ref('parameters/accessKeyId')],
        get: {
          operationId: 'getAccessKey',
          tags: ['Access Key'],
          summary: 'Get access key',
          responses: responses({ description: 'OK', content: json(ref('schemas/AccessKey')) }, KEY_ERRORS),
        },
        patch: {
          operationId: 'updateAccessKey',
          tags: ['Access Key'],
          summary: 'Update access key',
          description: 'Changes the display name of an access key (its expireTime is set at creation only).',
          requestBody: ref('requestBodies/AccessKeyInput'),
          responses: responses(
            { description: 'OK', content: json(ref('schemas/AccessKey')) },
            [...KEY_ERRORS, ...WRITE_ERRORS],
          ),
        },
        delete: {
          operationId: 'deleteAccessKey',
          tags: ['Access Key'],
          summary: 'Delete access key',
          description:
            'Deletes an access key. A key may delete itself, even the last key of a project; ' +
            'a new key must then be created in the dashboard.',
          responses: responses({ description: 'OK: an empty JSON object, as Sinch answers.', content: json({ type: 'object', additionalProperties: false, maxProperties: 0 }) }, KEY_ERRORS),
        },
      },
    },
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            "An access token from POST /oauth2/token (grant_type=client_credentials), obtained with the access key's " +
            'Key ID as client_id and its Key Secret as client_secret.',
        },
        basicAuth: {
          type: 'http',
          scheme: 'basic',
          description: "The access key's Key ID as user name and its Key Secret as password.",
        },
        oauth2: {
          type: 'oauth2',
          description: 'The client credentials flow, with the Key ID as client_id and the Key Secret as client_secret.',
          flows: { clientCredentials: { tokenUrl: `${issuer}/oauth2/token`, scopes: {} } },
        },
      },
      parameters: {
        projectId: {
          name: 'projectId',
          in: 'path',
          required: true,
          description: 'The ID of the project that owns the keys.',
          schema: { type: 'string', format: 'uuid' },
        },
        accessKeyId: {
          name: 'accessKeyId',
          in: 'path',
          required: true,
          description: 'The ID of the access key (its Key ID).',
          schema: { type: 'string', format: 'uuid' },
        },
        pageSize: {
          name: 'pageSize',
          in: 'query',
          required: false,
          description: 'The maximum number of keys to return, 1 to 1000.',
          schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 1000, default: 100 },
        },
        pageToken: {
          name: 'pageToken',
          in: 'query',
          required: false,
          description: 'The nextPageToken of an earlier response, to fetch the page after it.',
          schema: { type: 'string' },
        },
      },
      requestBodies: {
        CreateAccessKeyInput: {
          required: true,
          content: json(ref('schemas/CreateAccessKeyInput')),
        },
        AccessKeyInput: {
          required: true,
          content: json(ref('schemas/AccessKeyInput')),
        },
      },
      responses: {
        '400': errorResponse('INVALID_ARGUMENT: a parameter or the request body is malformed or out of range.'),
        '401': errorResponse('UNAUTHENTICATED: credentials are missing or invalid.', {
          'WWW-Authenticate': {
            description: 'The authentication challenge (Bearer or Basic) the request failed.',
            schema: { type: 'string' },
          },
        }),
        '403': errorResponse('PERMISSION_DENIED: the credentials belong to another project.'),
        '404': errorResponse('NOT_FOUND: the project has no access key with this ID.'),
        '409': errorResponse('ALREADY_EXISTS: the project already has an access key with this display name.'),
        '412': errorResponse('FAILED_PRECONDITION: the account is not verified yet, so no key can be created; or (rotation) the key already has two secrets, or no previous secret to revoke.'),
        '413': errorResponse('INVALID_ARGUMENT: the request body is larger than 64 KiB.'),
        '415': errorResponse('INVALID_ARGUMENT: the request body is not UTF-8 JSON (application/json).'),
        '429': errorResponse('RESOURCE_EXHAUSTED: too many requests.', retryAfter),
        '503': errorResponse('UNAVAILABLE: the service is temporarily unavailable.', retryAfter),
      },
      schemas: schemas(ERROR_STATUSES),
    },
  };
}
