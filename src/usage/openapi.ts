// The usage API in the OpenAPI documents: the v1 extension (added to the Access Keys API's
// document where it is served, app.ts) and the console's calls (dashboard/openapi.ts). The
// schemas are closed, so the tests' response validator catches any field not listed here.
import { json, ref } from '../access-keys/openapi-schemas.js';
import { MAX_BUCKETS } from './service.js';

type Doc = { paths: Record<string, object>; components: { schemas: Record<string, object> } };

const count = { type: 'integer', minimum: 0 };
const COUNTS = {
  tokens: { ...count, description: 'Access tokens issued.' },
  wrongSecret: { ...count, description: 'Refused: wrong secret.' },
  expired: { ...count, description: 'Refused: the key had expired.' },
  rateLimited: { ...count, description: 'Refused: too many failed attempts (429).' },
  quota: { ...count, description: "Refused: the key's token quota was used up (429)." },
};
const LIMIT = { type: 'integer', minimum: 1, maximum: 1_000_000_000 };
const closed = (properties: Record<string, object>, required = Object.keys(properties)) => ({
  type: 'object', additionalProperties: false, required, properties,
});

export function usageSchemas(): Record<string, object> {
  return {
    UsageCounts: closed(COUNTS),
    UsageBucket: closed({ start: { type: 'string', format: 'date-time', description: 'Start of the bucket (UTC).' }, ...COUNTS }),
    KeyUsage: closed(
      {
        accessKeyId: { type: 'string', format: 'uuid', description: 'v1: the key.' },
        credentialId: { type: 'string', format: 'uuid', description: 'Console: the key, as the credential list names it.' },
        label: { type: 'string', description: "The key's name." },
        deleted: { const: true, description: 'The key was deleted; its usage still counts.' },
        totals: ref('schemas/UsageCounts'),
        tokens: { type: 'array', items: count, description: 'Tokens per bucket, in the order of buckets.' },
      },
      ['totals', 'tokens'],
    ),
    UsageReport: closed({
      granularity: { enum: ['minute', 'hour', 'day'] },
      from: { type: 'string', format: 'date-time', description: 'Start of the first bucket.' },
      to: { type: 'string', format: 'date-time', description: 'End of the last bucket (exclusive).' },
      totals: ref('schemas/UsageCounts'),
      buckets: { type: 'array', items: ref('schemas/UsageBucket'), description: 'Every bucket of the range, oldest first, zero-filled.' },
      keys: { type: 'array', items: ref('schemas/KeyUsage'), description: 'Keys with usage in the range, most tokens first.' },
    }),
    UsageSettings: closed({
      unusedKeyDays: { type: 'integer', minimum: 1, maximum: 3650, description: 'The console marks keys without a token for this many days as unused.' },
    }),
    Quota: closed({
      tokensPerHour: { oneOf: [LIMIT, { type: 'null' }], description: 'Tokens per UTC hour; null: no limit of its own.' },
      tokensPerDay: { oneOf: [LIMIT, { type: 'null' }], description: 'Tokens per UTC day; null: no limit of its own.' },
    }),
  };
}

const query = (name: string, schema: object, description: string) => ({ name, in: 'query', required: false, schema, description });
export const RANGE_PARAMETERS = [
  query('granularity', { enum: ['minute', 'hour', 'day'], default: 'hour' }, 'Bucket size. Minutes are kept 48 h, hours 90 days, days 2 years (by default).'),
  query('from', { type: 'string', format: 'date-time' }, 'Start (aligned down to a bucket). Default: to minus 1 h (minute), 24 h (hour) or 30 days (day).'),
  query('to', { type: 'string', format: 'date-time' }, `End (aligned up to a bucket). Default: now. At most ${MAX_BUCKETS} buckets.`),
];

const DESCRIPTION =
  'Counts are written in batches (USAGE_FLUSH_MS, 5 s by default) by every instance, so the last seconds may be missing.';

/** The v1 document with the Keymint extension GET .../accessKeys/{accessKeyId}/usage. */
export function withUsageV1<T extends object>(doc: T): T {
  const d = doc as unknown as Doc;
  const errors = ['400', '401', '403', '404', '429', '503'];
  d.paths['/v1/projects/{projectId}/accessKeys/{accessKeyId}/usage'] = {
    parameters: [ref('parameters/projectId'), ref('parameters/accessKeyId')],
    get: {
      operationId: 'getAccessKeyUsage',
      tags: ['Access Key'],
      summary: "A key's usage (Keymint extension)",
      description: `A Keymint extension of the Access Keys API: tokens issued to the key and its failed token requests by reason, per bucket. ${DESCRIPTION}`,
      'x-keymint-extension': true,
      parameters: RANGE_PARAMETERS,
      responses: {
        '200': { description: 'OK', content: json(ref('schemas/UsageReport')) },
        ...Object.fromEntries(errors.map((s) => [s, ref(`responses/${s}`)])),
      },
    },
  };
  Object.assign(d.components.schemas, usageSchemas());
  return doc;
}

type Security = Record<string, string[]>[];

/** The console document with the usage and quota calls. */
export function withUsageConsole<T extends object>(doc: T, security: { read: Security; write: Security }): T {
  const d = doc as unknown as Doc;
  const errors = ['400', '401', '403', '404', '429', '503'];
  const op = (id: string, summary: string, description: string, ok: string, extra: { parameters?: object[]; body?: string; write?: boolean; noKeys?: boolean } = {}) => ({
    operationId: id,
    summary,
    description,
    security: (extra.write ? security.write : security.read).filter((s) => !extra.noKeys || 'sessionCookie' in s),
    ...(extra.parameters ? { parameters: extra.parameters } : {}),
    ...(extra.body ? { requestBody: { required: true, content: json(ref(`schemas/${extra.body}`)) } } : {}),
    responses: {
      '200': { description: 'OK', content: json(ref(`schemas/${ok}`)) },
      ...Object.fromEntries([...errors, ...(extra.body ? ['413', '415'] : [])].sort().map((s) => [s, ref(`responses/${s}`)])),
    },
  });
  const project = [ref('parameters/projectId')];
  const key = [ref('parameters/projectId'), ref('parameters/credentialId')];
  const ADMIN = 'Administrators (or an access key of the project) only; other roles get 403.';
  d.paths['/api/account/usage'] = {
    get: op('getAccountUsage', "The account's usage", `Every project's keys. Any role. ${DESCRIPTION}`, 'UsageReport', { parameters: RANGE_PARAMETERS }),
  };
  d.paths['/api/account/usage-settings'] = {
    get: op('getUsageSettings', "The account's usage settings", 'Signed-in users of any role; an access key gets 403.', 'UsageSettings', { noKeys: true }),
    put: op('setUsageSettings', "Change the account's usage settings", 'Signed-in Administrators only.', 'UsageSettings', { body: 'UsageSettings', write: true, noKeys: true }),
  };
  d.paths['/api/projects/{projectId}/usage'] = {
    parameters: project,
    get: op('getProjectUsage', "A project's usage", `Per bucket, and per key. Any role, or an access key of the project. ${DESCRIPTION}`, 'UsageReport', { parameters: RANGE_PARAMETERS }),
  };
  d.paths['/api/projects/{projectId}/credentials/{credentialId}/usage'] = {
    parameters: key,
    get: op('getCredentialUsage', "A key's usage", `Any role, or an access key of the project. ${DESCRIPTION}`, 'UsageReport', { parameters: RANGE_PARAMETERS }),
  };
  d.paths['/api/projects/{projectId}/quota'] = {
    parameters: project,
    get: op('getProjectQuota', "The project's default token quota", 'For keys without a quota of their own.', 'Quota'),
    put: op('setProjectQuota', "Set the project's default token quota", `null: no limit. ${ADMIN}`, 'Quota', { body: 'Quota', write: true }),
  };
  d.paths['/api/projects/{projectId}/credentials/{credentialId}/quota'] = {
    parameters: key,
    get: op('getCredentialQuota', "A key's own token quota", "null: the project's default applies.", 'Quota'),
    put: op('setCredentialQuota', "Set a key's token quota", `Past it the token endpoint answers 429 with Retry-After. null: the project's default. ${ADMIN}`, 'Quota', { body: 'Quota', write: true }),
  };
  Object.assign(d.components.schemas, usageSchemas());
  return doc;
}
