// Keys with public keys only (issue 14) in the served v1 document: Keymint extension fields
// of the create body and response (jwk, jwks, jwksUri, generateSecret; publicKeys), of
// AccessKey (authenticationMethods) and the custom method :removeSecret, added by
// withSecretlessV1() after withPublicKeysV1(), withGrantsV1() and withRotationV1().
import { json, ref } from './openapi-schemas.js';
import { MAX_PUBLIC_KEYS } from './public-key-input.js';

interface Schema {
  required?: string[];
  properties: Record<string, object>;
}
interface Doc {
  paths: Record<string, object>;
  components: { schemas: Record<string, Schema & Record<string, unknown>>; responses: Record<string, { description: string }> };
}

const KEY_ERRORS = ['400', '401', '403', '404', '412', '413', '415', '429', '503'];
const EXTENSION = { 'x-keymint-extension': true };

const METHODS =
  'Keymint extension. How the key authenticates at POST /oauth2/token (the values of token_endpoint_auth_methods_supported): ' +
  'client_secret_basic and client_secret_post with its Key Secret, private_key_jwt with a client assertion signed by one of its ' +
  'public keys (or those at its jwksUri). Absent when the key has its secret only, as every key made without the extension fields.';

const createFields = (jwk: object) => ({
  jwk: { ...jwk, description: 'Keymint extension. One public key to hold from the start (as POST …/publicKeys {jwk}).' },
  jwks: {
    type: 'object', required: ['keys'],
    properties: { keys: { type: 'array', minItems: 1, maxItems: MAX_PUBLIC_KEYS, items: jwk } },
    description: `Keymint extension. Public keys to hold from the start, as a JWK Set (at most ${MAX_PUBLIC_KEYS}; the rules of POST …/publicKeys).`,
  },
  jwksUri: {
    type: 'string', format: 'uri', pattern: '^https://', maxLength: 2048,
    description: 'Keymint extension. Where the client publishes its public keys (as PATCH …/tokenSettings {jwksUri}); not with jwk or jwks.',
  },
  generateSecret: {
    type: 'boolean', default: true,
    description:
      'Keymint extension. false: the key gets no secret and authenticates with client assertions only (private_key_jwt); it needs ' +
      'jwk, jwks or jwksUri. The response then has no secret.',
  },
});

/** The v1 document with keys without a secret. */
export function withSecretlessV1<T extends object>(doc: T): T {
  const d = doc as unknown as Doc;
  const s = d.components.schemas;
  const jwk = (s.AddPublicKeysInput.properties as Record<string, object>).jwk;
  s.AccessKey.properties.authenticationMethods = {
    type: 'array', minItems: 1, uniqueItems: true, description: METHODS,
    items: { enum: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] },
  };
  Object.assign(s.CreateAccessKeyInput.properties, createFields(jwk));
  s.CreateAccessKeyResponse.required = ['accessKey'];
  Object.assign(s.CreateAccessKeyResponse.properties, {
    secret: {
      type: 'string', minLength: 1,
      description: 'The Key Secret. It is shown only once: it cannot be retrieved again later. Absent when generateSecret was false (Keymint extension).',
    },
    publicKeys: { type: 'array', maxItems: MAX_PUBLIC_KEYS, items: ref('schemas/PublicKey'), description: 'Keymint extension. The public keys added with jwk or jwks.' },
  });
  d.components.responses['412'].description +=
    ' Or (a key without a secret) the change would leave the key with no way to authenticate: its last public key, its jwksUri.';
  s.RemoveSecretResponse = {
    type: 'object', additionalProperties: false, required: ['accessKey', 'secrets'],
    properties: { accessKey: ref('schemas/AccessKey'), secrets: { type: 'array', maxItems: 0, items: ref('schemas/KeySecret') } },
  };
  d.paths['/v1/projects/{projectId}/accessKeys/{accessKeyId}:removeSecret'] = {
    parameters: [ref('parameters/projectId'), ref('parameters/accessKeyId')],
    post: {
      operationId: 'removeAccessKeySecret', tags: ['Access Key'], summary: 'Remove the secret of a key', ...EXTENSION,
      description:
        'Keymint extension (a custom method). The key\'s secret, and a previous secret still working, stop working now, on every ' +
        'instance within a second: a secret sent for the key is then refused like a wrong one. The key keeps its Key ID and ' +
        'authenticates with client assertions only (private_key_jwt). 412 when the key has no public key and no jwksUri (it would ' +
        'have no way to authenticate), or no secret. With revokeTokens, every token the key was issued until now is revoked as well.',
      requestBody: {
        required: false,
        content: json({
          type: 'object', additionalProperties: false,
          properties: { revokeTokens: { type: 'boolean', default: false, description: "Also revoke the key's tokens issued until now." } },
        }),
      },
      responses: {
        '200': { description: 'OK', content: json(ref('schemas/RemoveSecretResponse')) },
        ...Object.fromEntries(KEY_ERRORS.map((status) => [status, ref(`responses/${status}`)])),
      },
    },
  };
  return doc;
}
