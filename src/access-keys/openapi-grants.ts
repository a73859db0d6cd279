// A key's grants and custom claims in the served v1 document (issue 13): Keymint extension
// fields of AccessKey and of the create and update bodies (each description starts "Keymint
// extension."; JSON Schema keywords stay standard for strict validators), added by
// withGrantsV1(); the seed's document (openapi.ts) stays Sinch's.
import { ref } from './openapi-schemas.js';

interface Doc {
  paths: Record<string, Record<string, { description?: string; requestBody?: unknown }>>;
  components: { schemas: Record<string, { required?: string[]; properties: Record<string, object>; anyOf?: object[] }>; responses: Record<string, { description: string; headers?: object }> };
}

const GRANTS =
  'Keymint extension. What the key may get tokens for: per API (its identifier, the tokens\' aud), the scopes it may ask ' +
  'for. The management API is granted by its identifier, this server\'s issuer, with accesskeys.read (list and read keys) ' +
  'and accesskeys.write (create, change and delete them). The default grant names the API of a token request without ' +
  'resource (left out: the first grant). A key without grants (absent here) keeps the Sinch model: it may manage its ' +
  "project's keys and get tokens for every API of its account. On update, grants replaces all of the key's grants; null " +
  'returns the key to the Sinch model. Changes are in force on every instance within a second.';

const CLAIMS =
  'Keymint extension. A small JSON object (at most 1024 bytes) copied into every token of the key, e.g. {"tenant": "acme"}. ' +
  'It may not set a claim Keymint sets itself (iss, sub, aud, exp, iat, jti, scope, client_id, project_id, account_id, cnf, …). ' +
  'Never put a secret here: tokens are readable by whoever holds them. It needs explicit grants.';

function schemas(): Record<string, object> {
  return {
    Grant: {
      type: 'object',
      required: ['api', 'scopes'],
      additionalProperties: false,
      properties: {
        api: { type: 'string', minLength: 1, maxLength: 500, description: 'The API\'s identifier (an absolute URI), or this server\'s issuer for the management API.', examples: ['https://orders.example.com'] },
        scopes: { type: 'array', maxItems: 100, items: { type: 'string', pattern: '^[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,100}$' }, description: 'Scopes of that API the key may ask for.', examples: [['orders:read']] },
        default: { type: 'boolean', description: 'The API of a token request without resource.' },
      },
    },
  };
}

const grantsField = (nullable: boolean) => ({
  description: GRANTS,
  ...(nullable ? { anyOf: [{ type: 'array', maxItems: 50, items: ref('schemas/Grant') }, { type: 'null' }] } : { type: 'array', maxItems: 50, items: ref('schemas/Grant') }),
});
const claimsField = (nullable: boolean) => ({ description: CLAIMS, type: nullable ? ['object', 'null'] : 'object' });

/** The v1 document with the grants extension fields. */
export function withGrantsV1<T extends object>(doc: T): T {
  const d = doc as unknown as Doc;
  const s = d.components.schemas;
  Object.assign(s, schemas());
  Object.assign(s.AccessKey.properties, { grants: grantsField(false), customClaims: claimsField(false) });
  Object.assign(s.CreateAccessKeyInput.properties, { grants: grantsField(true), customClaims: claimsField(true) });
  // An update may change the grants alone.
  Object.assign(s.AccessKeyInput.properties, { grants: grantsField(true), customClaims: claimsField(true) });
  delete s.AccessKeyInput.required;
  s.AccessKeyInput.anyOf = [{ required: ['displayName'] }, { required: ['grants'] }, { required: ['customClaims'] }];
  d.components.responses['403'].headers = {
    'WWW-Authenticate': { description: 'With insufficient_scope: the management scope the operation needs.', schema: { type: 'string' } },
  };
  d.components.responses['403'].description +=
    ' Or the key lacks the management scope the operation needs (accesskeys.read to list and read, accesskeys.write to change): ' +
    'WWW-Authenticate then says Bearer error="insufficient_scope" and names the scope (RFC 6750).';
  return doc;
}
