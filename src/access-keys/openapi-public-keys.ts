// The OpenAPI paths and schemas of a key's public keys (private_key_jwt) and token
// settings (DPoP): Keymint extensions of the Access Keys API (x-keymint-extension), added
// to the served v1 document by withPublicKeysV1().
import { json, ref } from './openapi-schemas.js';
import { CLIENT_ASSERTION_ALGS, MAX_JWKS_BYTES, MAX_PUBLIC_KEYS } from './public-key-input.js';

interface Doc {
  paths: Record<string, object>;
  components: { schemas: Record<string, object>; parameters: Record<string, object> };
}

const KEY_ERRORS = ['400', '401', '403', '404', '429', '503'];
const WRITE_ERRORS = ['409', '413', '415'];
const responses = (ok: object, errors: string[]) => ({
  '200': ok,
  ...Object.fromEntries([...errors].sort().map((s) => [s, ref(`responses/${s}`)])),
});

const PRIVATE_KEY_JWT =
  'With a public key, the key authenticates at POST /oauth2/token with a client assertion instead of its secret ' +
  '(private_key_jwt, RFC 7523): client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer and ' +
  'client_assertion, a JWT signed with the private key whose iss and sub are the Key ID, aud the issuer or the token ' +
  'endpoint URL, exp at most 5 minutes ahead, and a jti used only once. The secret keeps working beside it.';

const jwkSchema = {
  type: 'object',
  description: `A public JSON Web Key: kty RSA (alg RS256 or PS256, 2048 to 8192 bits), EC (crv P-256, ES256) or OKP (crv Ed25519, EdDSA). Private members (d, p, q, …) and symmetric keys are refused.`,
  required: ['kty'],
  properties: { kty: { type: 'string', enum: ['RSA', 'EC', 'OKP'] }, alg: { type: 'string', enum: [...CLIENT_ASSERTION_ALGS] }, kid: { type: 'string' } },
};

const DPOP_REQUIRED = {
  type: 'boolean',
  description: 'true: POST /oauth2/token refuses a request of this key without a DPoP proof (RFC 9449), so every token it gets is DPoP-bound (token_type DPoP, cnf.jkt).',
};
const JWKS_URI = {
  anyOf: [{ type: 'string', format: 'uri', pattern: '^https://', maxLength: 2048 }, { type: 'null' }],
  description:
    'Where the client publishes its public keys (a JWK Set over https), instead of keys added with publicKeys; null: none. ' +
    'Fetched by Keymint with a 2.5 s timeout, at most 8 KiB, never from a loopback, private or other special-use address, ' +
    'and cached for at least a minute (longer with Cache-Control max-age). A key has publicKeys or a jwksUri, not both (412).',
};

/** Also in the console API's document (src/dashboard/openapi-public-keys.ts). */
export function publicKeySchemas(): Record<string, object> {
  return {
    PublicKey: {
      type: 'object',
      required: ['publicKeyId', 'kid', 'alg', 'jwk', 'createTime'],
      additionalProperties: false,
      properties: {
        publicKeyId: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$', description: 'The RFC 7638 SHA-256 thumbprint of the key.' },
        kid: { type: 'string', description: 'The kid of the JWK: as uploaded, else the thumbprint.' },
        alg: { type: 'string', enum: [...CLIENT_ASSERTION_ALGS] },
        jwk: {
          type: 'object',
          description: 'The stored JWK: its public members only, with alg, use and kid.',
          required: ['kty', 'alg', 'use', 'kid'],
          properties: { kty: { type: 'string' }, alg: { type: 'string' }, use: { const: 'sig' }, kid: { type: 'string' } },
          additionalProperties: { type: 'string' },
        },
        createTime: { type: 'string', format: 'date-time' },
      },
    },
    PublicKeyList: {
      type: 'object',
      required: ['publicKeys'],
      additionalProperties: false,
      properties: { publicKeys: { type: 'array', maxItems: MAX_PUBLIC_KEYS, items: ref('schemas/PublicKey') } },
    },
    AddPublicKeysInput: {
      type: 'object',
      additionalProperties: false,
      description: `Exactly one of jwk and jwks. A key holds at most ${MAX_PUBLIC_KEYS} public keys; a set is at most ${MAX_JWKS_BYTES} bytes.`,
      properties: {
        jwk: jwkSchema,
        jwks: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', minItems: 1, maxItems: MAX_PUBLIC_KEYS, items: jwkSchema } } },
      },
    },
    TokenSettings: {
      type: 'object',
      required: ['dpopRequired', 'jwksUri'],
      additionalProperties: false,
      properties: { dpopRequired: DPOP_REQUIRED, jwksUri: JWKS_URI },
    },
    TokenSettingsInput: {
      type: 'object',
      minProperties: 1,
      additionalProperties: false,
      description: 'The settings to change; the others are kept.',
      properties: { dpopRequired: DPOP_REQUIRED, jwksUri: JWKS_URI },
    },
  };
}

/** The v1 document with the public-key and token-settings operations. */
export function withPublicKeysV1<T extends object>(doc: T): T {
  const d = doc as unknown as Doc;
  const key = '/v1/projects/{projectId}/accessKeys/{accessKeyId}';
  const params = [ref('parameters/projectId'), ref('parameters/accessKeyId')];
  const op = (operationId: string, summary: string, description: string, ok: object, errors: string[], body?: string) => ({
    operationId,
    tags: ['Access Key'],
    summary: `${summary} (Keymint extension)`,
    description,
    'x-keymint-extension': true,
    ...(body ? { requestBody: { required: true, content: json(ref(`schemas/${body}`)) } } : {}),
    responses: responses(ok, errors),
  });
  d.paths[`${key}/publicKeys`] = {
    parameters: params,
    get: op('listPublicKeys', "List a key's public keys", `The public keys of the key, oldest first. ${PRIVATE_KEY_JWT}`,
      { description: 'OK', content: json(ref('schemas/PublicKeyList')) }, KEY_ERRORS),
    post: op('addPublicKeys', 'Add public keys', `Adds one public key (jwk) or several (jwks), all or none; answers with those added. ${PRIVATE_KEY_JWT} In force on every instance within a second.`,
      { description: 'OK: the keys added.', content: json(ref('schemas/PublicKeyList')) }, [...KEY_ERRORS, ...WRITE_ERRORS, '412'], 'AddPublicKeysInput'),
  };
  d.paths[`${key}/publicKeys/{publicKeyId}`] = {
    parameters: [...params, { name: 'publicKeyId', in: 'path', required: true, description: 'The publicKeyId (RFC 7638 thumbprint).', schema: { type: 'string' } }],
    delete: op('removePublicKey', 'Remove a public key', 'Removes the public key: assertions signed with it are refused on every instance within a second. 412 for the last public key of a key without a secret.',
      { description: 'OK: an empty JSON object.', content: json({ type: 'object', additionalProperties: false, maxProperties: 0 }) }, [...KEY_ERRORS, '412']),
  };
  d.paths[`${key}/tokenSettings`] = {
    parameters: params,
    get: op('getTokenSettings', "A key's token settings", 'What the key requires of its token requests.',
      { description: 'OK', content: json(ref('schemas/TokenSettings')) }, KEY_ERRORS),
    patch: op('updateTokenSettings', "Change a key's token settings", 'Requires DPoP-bound tokens for the key or stops requiring them, sets or clears its jwksUri; in force on every instance within a second.',
      { description: 'OK', content: json(ref('schemas/TokenSettings')) }, [...KEY_ERRORS, ...WRITE_ERRORS, '412'], 'TokenSettingsInput'),
  };
  Object.assign(d.components.schemas, publicKeySchemas());
  return doc;
}
