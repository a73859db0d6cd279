// A REST Basic credential's public keys (private_key_jwt) and token settings (DPoP,
// jwks_uri) in the console API's document: the v1 extension's schemas
// (access-keys/openapi-public-keys.ts), addressed by credential ID.
import { json, ref } from '../access-keys/openapi-schemas.js';
import { publicKeySchemas } from '../access-keys/openapi-public-keys.js';

type Doc = { paths: Record<string, object>; components: { schemas: Record<string, object> } };
type Security = Record<string, string[]>[];

// 412 also for reads: the credential is not a REST Basic one.
const ERRORS = ['400', '401', '403', '404', '412', '429', '503'];
const WRITE_ERRORS = [...ERRORS, '409', '413', '415'];
const WHO_READS = 'Any role of the account, or a key of the project (accesskeys.read).';
const WHO_WRITES = 'Administrators, or a key of the project (accesskeys.write). Audited; in force on every instance within a second.';
const NOT_BASIC = '412 for an HMAC or legacy credential: private_key_jwt and DPoP are for REST Basic credentials, which get tokens at /oauth2/token.';

const responses = (ok: string | object, errors: string[]) => ({
  '200': { description: 'OK', content: json(typeof ok === 'string' ? ref(`schemas/${ok}`) : ok) },
  ...Object.fromEntries([...new Set(errors)].sort().map((s) => [s, ref(`responses/${s}`)])),
});

/** The console's public-key and token-settings calls (docs/CONSOLE-API.md) added to its document. */
export function withPublicKeysConsole<T extends object>(doc: T, security: { read: Security; write: Security }): T {
  const d = doc as unknown as Doc;
  const op = (operationId: string, summary: string, description: string, ok: string | object, write: boolean, body?: string) => ({
    operationId, summary, description: `${description} ${write ? WHO_WRITES : WHO_READS} ${NOT_BASIC}`, 'x-keymint-extension': true,
    security: write ? security.write : security.read,
    ...(body ? { requestBody: { required: true, content: json(ref(`schemas/${body}`)) } } : {}),
    responses: responses(ok, write ? WRITE_ERRORS : ERRORS),
  });
  const base = '/api/projects/{projectId}/credentials/{credentialId}';
  const parameters = [ref('parameters/projectId'), ref('parameters/credentialId')];
  d.paths[`${base}/publicKeys`] = {
    parameters,
    get: op('listCredentialPublicKeys', "List a credential's public keys", 'Oldest first (docs/PRIVATE-KEY-JWT.md).', 'PublicKeyList', false),
    post: op('addCredentialPublicKeys', 'Add public keys',
      'One public JWK (jwk) or a set (jwks), all or none; answers with those added. At most 5 per key (412); the same key or kid twice: 409; refused while the key has a jwksUri (412).',
      'PublicKeyList', true, 'AddPublicKeysInput'),
  };
  d.paths[`${base}/publicKeys/{publicKeyId}`] = {
    parameters: [...parameters, { name: 'publicKeyId', in: 'path', required: true, description: 'The publicKeyId (RFC 7638 thumbprint).', schema: { type: 'string' } }],
    delete: op('removeCredentialPublicKey', 'Remove a public key', 'Client assertions signed with it are refused from then on. Answers an empty object.', { type: 'object', additionalProperties: false, maxProperties: 0 }, true),
  };
  d.paths[`${base}/tokenSettings`] = {
    parameters,
    get: op('getCredentialTokenSettings', "A credential's token settings", 'Whether its token requests must carry a DPoP proof, and its jwksUri.', 'TokenSettings', false),
    patch: op('updateCredentialTokenSettings', "Change a credential's token settings",
      'dpopRequired and/or jwksUri (null clears it); the settings not sent are kept. A jwksUri while the key holds public keys: 412.',
      'TokenSettings', true, 'TokenSettingsInput'),
  };
  d.paths[`${base}/removeSecret`] = {
    parameters,
    post: {
      ...op('removeCredentialSecret', "Remove a credential's secret",
        'Its secret (and a previous one still working) stop working now, on every instance within a second; it then gets tokens with client assertions ' +
          '(private_key_jwt) only. 412 when it has no public key or jwksUri, or no secret. revokeTokens: its tokens issued until now are revoked too. ' +
          'Audited credential.secret_remove. Rotate secret gives it a secret again.',
        { type: 'object', additionalProperties: false, required: ['authenticationMethods'], properties: { authenticationMethods: { type: 'array', items: { const: 'private_key_jwt' }, minItems: 1, maxItems: 1 } } },
        true),
      requestBody: { required: false, content: json({ type: 'object', additionalProperties: false, properties: { revokeTokens: { type: 'boolean', default: false } } }) },
    },
  };
  // The create of a REST Basic key may bring public keys or a jwksUri, and no secret (issue 14, as on v1).
  const create = d.components.schemas.CreateCredentialInput as { oneOf: Array<{ properties: Record<string, object> }> };
  Object.assign(create.oneOf[0].properties, {
    jwk: { ...ref('schemas/AddPublicKeysInput/properties/jwk'), description: 'REST Basic only: a public key the key authenticates with (private_key_jwt).' },
    jwks: { ...ref('schemas/AddPublicKeysInput/properties/jwks'), description: 'REST Basic only: public keys (a JWK Set), instead of jwk.' },
    jwksUri: { type: 'string', format: 'uri', pattern: '^https://', maxLength: 2048, description: 'REST Basic only: where the client publishes its public keys, instead of jwk/jwks.' },
    generateSecret: { type: 'boolean', default: true, description: 'REST Basic only: false makes the key without a secret (it then needs jwk, jwks or jwksUri); the answer has no apiSecret.' },
  });
  (d.components.schemas.CreateCredentialResponse as { oneOf: object[] }).oneOf.push({
    type: 'object', required: ['credential', 'apiKey'], additionalProperties: false, description: 'A REST Basic key made without a secret (generateSecret false).',
    properties: { credential: ref('schemas/Credential'), apiKey: { type: 'string', format: 'uuid', description: 'The API key (Key ID: iss and sub of its client assertions).' } },
  });
  const all = publicKeySchemas();
  for (const name of ['PublicKey', 'PublicKeyList', 'AddPublicKeysInput', 'TokenSettings', 'TokenSettingsInput']) d.components.schemas[name] = all[name];
  return doc;
}
