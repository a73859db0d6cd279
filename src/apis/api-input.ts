// What a client sends to create or change an API (the console API): zod shapes whose
// refusals name the field at fault.
import { z } from 'zod';
import { nameField } from '../kernel/request-input.js';

const identifier = z
  .string({ error: (i) => (i.input === undefined ? 'identifier is required' : 'identifier must be a string') })
  .trim()
  .max(500, 'identifier must be at most 500 characters')
  .refine((v) => URL.canParse(v) && /^[a-z][a-z0-9+.-]*:/i.test(v), 'identifier must be an absolute URI, such as https://orders.example.com (it is the aud of the tokens for this API)')
  .refine((v) => !v.includes('#'), 'identifier must not contain a fragment (#)');

const scope = z
  .object(
    {
      name: z.string({ error: 'scopes[].name is required' }).regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, 'scopes[].name must be 1 to 100 characters, without spaces, quotes or backslashes (RFC 6749 §3.3)'),
      description: z.string({ error: 'scopes[].description must be a string' }).max(200, 'scopes[].description must be at most 200 characters').default(''),
    },
    { error: 'each scope must be an object {name, description}' },
  )
  .strict();

const scopes = z
  .array(scope, { error: 'scopes must be an array of {name, description}' })
  .max(100, 'an API defines at most 100 scopes')
  .refine((list) => new Set(list.map((s) => s.name)).size === list.length, 'scopes must not name the same scope twice');

const tokenTtlSeconds = z
  .number({ error: 'tokenTtlSeconds must be a whole number of seconds (60 to 86400), or null for the server default' })
  .int('tokenTtlSeconds must be a whole number')
  .min(60, 'tokenTtlSeconds must be at least 60')
  .max(86400, 'tokenTtlSeconds must be at most 86400 (a day)')
  .nullable();

export const createApiBody = z
  .object({ identifier, displayName: nameField('displayName'), scopes: scopes.default([]), tokenTtlSeconds: tokenTtlSeconds.default(null) }, { error: 'The request body must be a JSON object' })
  .strict();

export const updateApiBody = z
  .object(
    { identifier: identifier.optional(), displayName: nameField('displayName').optional(), scopes: scopes.optional(), tokenTtlSeconds: tokenTtlSeconds.optional() },
    { error: 'The request body must be a JSON object' },
  )
  .strict();

export type CreateApiBody = z.output<typeof createApiBody>;
export type UpdateApiBody = z.output<typeof updateApiBody>;
