// The schemas of the OpenAPI document (openapi.ts): the bodies the v1 API reads and
// writes. Every object is closed (additionalProperties: false), so a response with a field
// not listed here fails the tests' response validator.

export const json = (schema: object) => ({ 'application/json': { schema } });
export const ref = (pointer: string) => ({ $ref: `#/components/${pointer}` });

// Shared by the v1 and the console API documents.
/** The statuses of src/kernel/api-error.ts (ApiStatus), as the error handler writes them. */
export const ERROR_STATUSES = [
  'INVALID_ARGUMENT', 'UNAUTHENTICATED', 'PERMISSION_DENIED', 'NOT_FOUND', 'ALREADY_EXISTS', 'FAILED_PRECONDITION',
  'ABORTED', 'RESOURCE_EXHAUSTED', 'INTERNAL', 'UNAVAILABLE',
];

export const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } },
};

export const errorResponse = (description: string, headers?: Record<string, object>): object => ({
  description,
  ...(headers ? { headers } : {}),
  content: json(ref('schemas/Error')),
});

const time = (description: string) => ({ type: 'string', format: 'date-time', description });

const displayName = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  pattern: '\\S',
  description: 'Unique within the project. Leading and trailing white space is removed; 1 to 100 characters remain.',
  examples: ['My production Access Key'],
};

export function schemas(errorStatuses: readonly string[]): Record<string, object> {
  return {
    AccessKey: {
      type: 'object',
      required: ['accessKeyId', 'displayName', 'projectId', 'createTime', 'updateTime'],
      additionalProperties: false,
      properties: {
        accessKeyId: { type: 'string', format: 'uuid', description: 'Unique ID of the key; the Key ID.' },
        displayName: { type: 'string', description: 'Unique within the project.' },
        projectId: { type: 'string', format: 'uuid', description: 'The project the key belongs to.' },
        createTime: { type: 'string', format: 'date-time', description: 'When the key was created.' },
        updateTime: { type: 'string', format: 'date-time', description: 'When the key was last modified.' },
        expireTime: time(
          'When the key expires; absent when it never does. An expired key is still listed (so that it can be ' +
            'deleted) but gets no token, and neither it nor its tokens are accepted by this API.',
        ),
        lastUseTime: time(
          'When the key was last used: a token issued to it, or an API or introspection request authenticated by ' +
            'it or by its token. Absent until its first use. Recorded in batches, so it may lag real use by a few seconds.',
        ),
      },
    },
    AccessKeyInput: {
      type: 'object',
      required: ['displayName'],
      additionalProperties: false,
      properties: { displayName },
    },
    CreateAccessKeyInput: {
      type: 'object',
      required: ['displayName'],
      additionalProperties: false,
      properties: {
        displayName,
        expireTime: {
          description:
            'Optional. When the key stops working: an RFC 3339 timestamp with Z or an offset, in the future and at ' +
            'most 10 years ahead. Omitted or null: the key never expires. It cannot be changed later.',
          anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }],
          examples: ['2027-01-01T00:00:00Z'],
        },
      },
    },
    ListAccessKeysResponse: {
      type: 'object',
      required: ['accessKeys', 'nextPageToken'],
      additionalProperties: false,
      properties: {
        accessKeys: { type: 'array', items: ref('schemas/AccessKey') },
        nextPageToken: { type: 'string', description: 'Token of the next page; empty on the last page.' },
      },
    },
    CreateAccessKeyResponse: {
      type: 'object',
      required: ['accessKey', 'secret'],
      additionalProperties: false,
      properties: {
        accessKey: ref('schemas/AccessKey'),
        secret: {
          type: 'string',
          minLength: 1,
          description: 'The Key Secret. It is shown only once: it cannot be retrieved again later.',
        },
      },
    },
    Error: {
      type: 'object',
      required: ['error'],
      additionalProperties: false,
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message', 'status', 'details'],
          additionalProperties: false,
          properties: {
            code: { type: 'integer', description: 'The HTTP status code.' },
            message: { type: 'string', description: 'A human-readable explanation.' },
            status: { type: 'string', enum: [...errorStatuses], description: 'A google.rpc.Code name.' },
            details: { type: 'array', maxItems: 0, items: {}, description: 'Always empty (google.rpc.Status details).' },
          },
        },
      },
    },
  };
}
