// Secret rotation in the v1 OpenAPI document: a Keymint extension (x-keymint-extension),
// the custom methods :rotateSecret and :revokePreviousSecret and the secrets list. Closed
// schemas, so the tests' response validator catches any field not listed here.
import { json, ref } from './openapi-schemas.js';

type Doc = { paths: Record<string, object>; components: { schemas: Record<string, object>; requestBodies?: Record<string, object> } };

const KEY_ERRORS = ['400', '401', '403', '404', '429', '503'];
const responses = (ok: object, errors: string[]) => {
  const out: Record<string, object> = { '200': ok };
  for (const status of [...errors].sort()) out[status] = ref(`responses/${status}`);
  return out;
};
const time = (description: string) => ({ type: 'string', format: 'date-time', description });
const EXTENSION = { 'x-keymint-extension': true };

export function rotationSchemas(): Record<string, object> {
  return {
    KeySecret: {
      type: 'object',
      additionalProperties: false,
      required: ['state', 'createTime'],
      description: 'One of the (at most two) secrets of a key. Never the secret itself.',
      properties: {
        state: { enum: ['CURRENT', 'PREVIOUS'], description: 'CURRENT: the newest secret. PREVIOUS: the one a rotation replaced, working until expireTime.' },
        createTime: time('When the secret was made.'),
        expireTime: time('PREVIOUS only: when it stops working (on every instance within a second).'),
        lastUseTime: time('When the secret was last used; absent until then. Recorded in batches, a few seconds behind.'),
      },
    },
    ListKeySecretsResponse: {
      type: 'object', additionalProperties: false, required: ['secrets'],
      description: 'Empty for a key without a secret (it authenticates with its public keys only: :removeSecret).',
      properties: { secrets: { type: 'array', minItems: 0, maxItems: 2, items: ref('schemas/KeySecret') } },
    },
    RotateSecretInput: {
      type: 'object',
      additionalProperties: false,
      description: 'Optional (an empty body or {} gives 24 hours). At most one of the two fields.',
      properties: {
        previousSecretTtl: {
          type: 'string', pattern: '^\\d{1,7}s$', examples: ['86400s', '0s'],
          description: 'How long the previous secret keeps working, in seconds ("0s": it stops now). Default "86400s"; at most "2592000s" (30 days).',
        },
        previousSecretExpireTime: {
          type: 'string', format: 'date-time',
          description: 'When the previous secret stops working, RFC 3339 with a time zone; at most 30 days ahead.',
        },
      },
    },
    RotateSecretResponse: {
      type: 'object', additionalProperties: false, required: ['accessKey', 'secret', 'secrets'],
      properties: {
        accessKey: ref('schemas/AccessKey'),
        secret: { type: 'string', minLength: 1, description: 'The new Key Secret. It is shown only once.' },
        secrets: { type: 'array', minItems: 1, maxItems: 2, items: ref('schemas/KeySecret') },
      },
    },
    RevokePreviousSecretResponse: {
      type: 'object', additionalProperties: false, required: ['accessKey', 'secrets'],
      properties: {
        accessKey: ref('schemas/AccessKey'),
        secrets: { type: 'array', minItems: 1, maxItems: 1, items: ref('schemas/KeySecret') },
      },
    },
  };
}

/** The document with the rotation operations added (served at /v1/openapi.json). */
export function withRotationV1<T extends object>(doc: T): T {
  const d = doc as unknown as Doc;
  const key = '/v1/projects/{projectId}/accessKeys/{accessKeyId}';
  const params = [ref('parameters/projectId'), ref('parameters/accessKeyId')];
  d.paths[`${key}/secrets`] = {
    parameters: params,
    get: {
      operationId: 'listAccessKeySecrets', tags: ['Access Key'], summary: 'List the secrets of a key', ...EXTENSION,
      description: 'Keymint extension. The current secret and, during a rotation, the previous one: times only, never a secret.',
      responses: responses({ description: 'OK', content: json(ref('schemas/ListKeySecretsResponse')) }, KEY_ERRORS),
    },
  };
  d.paths[`${key}:rotateSecret`] = {
    parameters: params,
    post: {
      operationId: 'rotateAccessKeySecret', tags: ['Access Key'], summary: 'Rotate the secret of a key', ...EXTENSION,
      description:
        'Keymint extension (a custom method). Gives the key a new secret, returned once, and keeps its Key ID. The previous ' +
        'secret keeps working until previousSecretTtl / previousSecretExpireTime (default 24 hours) or until ' +
        ':revokePreviousSecret, so clients can switch without downtime. A key holds at most two secrets: while the ' +
        'previous one still works, another rotation is refused (412). A key without a secret (:removeSecret) gets one again ' +
        '(there is no previous secret to keep).',
      requestBody: { required: false, content: json(ref('schemas/RotateSecretInput')) },
      responses: responses({ description: 'OK', content: json(ref('schemas/RotateSecretResponse')) }, [...KEY_ERRORS, '412', '413', '415']),
    },
  };
  d.paths[`${key}:revokePreviousSecret`] = {
    parameters: params,
    post: {
      operationId: 'revokeAccessKeyPreviousSecret', tags: ['Access Key'], summary: 'Revoke the previous secret of a key', ...EXTENSION,
      description:
        'Keymint extension (a custom method). The previous secret stops working now, on every instance within a second. 412 when there is none. ' +
        'With revokeTokens, every token the key was issued until now is revoked as well (GET /oauth2/revocations): for a secret that may have leaked.',
      requestBody: {
        required: false,
        content: json({
          type: 'object', additionalProperties: false,
          properties: { revokeTokens: { type: 'boolean', default: false, description: "Also revoke the key's tokens issued until now." } },
        }),
      },
      responses: responses({ description: 'OK', content: json(ref('schemas/RevokePreviousSecretResponse')) }, [...KEY_ERRORS, '412', '413', '415']),
    },
  };
  Object.assign(d.components.schemas, rotationSchemas());
  return doc;
}

type Security = Record<string, string[]>[];

/** The console's rotation calls (docs/CONSOLE-API.md) added to the console API's document. */
export function withRotationConsole<T extends object>(doc: T, security: { read: Security; write: Security }): T {
  const d = doc as unknown as Doc;
  const all = rotationSchemas();
  const errors = ['400', '401', '403', '404', '429', '503'];
  const op = (id: string, summary: string, description: string, ok: string, write: boolean, body?: object) => ({
    operationId: id, summary, description, ...EXTENSION,
    security: write ? security.write : security.read,
    ...(body ? { requestBody: { required: false, content: json(body) } } : {}),
    responses: responses({ description: 'OK', content: json(ref(`schemas/${ok}`)) }, write ? [...errors, '412', '413', '415'] : errors),
  });
  const base = '/api/projects/{projectId}/credentials/{credentialId}';
  const parameters = [ref('parameters/projectId'), ref('parameters/credentialId')];
  d.paths[`${base}/secrets`] = { parameters, get: op('listCredentialSecrets', 'List the secrets of a REST Basic or HMAC credential', 'Any role, or a key of the project. Times only, never a secret.', 'ListKeySecretsResponse', false) };
  d.paths[`${base}/rotateSecret`] = {
    parameters,
    post: op('rotateCredentialSecret', 'Rotate the secret of a REST Basic or HMAC credential',
      'Administrators only. A new secret, shown once; the previous one works until the chosen time (default 24 h). 412 for a legacy credential, or while a previous secret still works.',
      'ConsoleRotateSecretResponse', true, ref('schemas/RotateSecretInput')),
  };
  d.paths[`${base}/revokePreviousSecret`] = {
    parameters,
    post: op('revokeCredentialPreviousSecret', 'Revoke the previous secret', 'Administrators only. 412 when there is none. revokeTokens: the key\'s tokens issued until now are revoked too.',
      'ConsoleRevokePreviousSecretResponse', true, { type: 'object', additionalProperties: false, properties: { revokeTokens: { type: 'boolean' } } }),
  };
  Object.assign(d.components.schemas, {
    KeySecret: all.KeySecret,
    ListKeySecretsResponse: all.ListKeySecretsResponse,
    RotateSecretInput: all.RotateSecretInput,
    ConsoleRotateSecretResponse: {
      type: 'object', additionalProperties: false, required: ['apiSecret', 'notice', 'secrets'],
      properties: {
        apiSecret: { type: 'string', minLength: 1, description: 'The new secret, shown this once.' },
        notice: { type: 'string' },
        secrets: { type: 'array', minItems: 1, maxItems: 2, items: ref('schemas/KeySecret') },
      },
    },
    ConsoleRevokePreviousSecretResponse: {
      type: 'object', additionalProperties: false, required: ['secrets'],
      properties: { secrets: { type: 'array', minItems: 1, maxItems: 1, items: ref('schemas/KeySecret') } },
    },
  });
  return doc;
}
