// Parsing what every JSON API route reads: a JSON body checked by a zod schema, a page
// size and a page token. Each refusal is a 400 (or 415) whose message says what to send.
import type { Request } from 'express';
import { z } from 'zod';
import { ApiError } from './api-error.js';
import { normalizeName } from './names.js';


/** A one-line name a person types (a key's displayName, a credential's label): its canonical form (names.ts), 1..max characters. */
export const nameField = (field: string, max = 100) =>
  z
    .string({ error: (i) => (i.input === undefined ? `${field} is required` : `${field} must be a string`) })
    .transform((s, ctx) => {
      const result = normalizeName(field, s, max);
      if ('name' in result) return result.name;
      ctx.addIssue({ code: 'custom', message: result.error });
      return z.NEVER;
    });

export const bodyError = { error: 'The request body must be a JSON object' };

function firstIssue(error: z.ZodError, accepted: string, explain?: (keys: string[]) => string | undefined): string {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    return explain?.(issue.keys) ?? `Unknown field(s) in the request body: ${issue.keys.join(', ')}. Only ${accepted} accepted.`;
  }
  return issue.message;
}

/** The body parsed by `schema`; `accepted` names the fields for the unknown-field message. */
export function parseBody<T extends z.ZodType>(
  req: Request,
  schema: T,
  accepted: string,
  explainUnknown?: (keys: string[]) => string | undefined,
): z.output<T> {
  if (!req.is('application/json')) throw ApiError.unsupportedMediaType('The request body must be JSON, sent with Content-Type: application/json.');
  const parsed = schema.safeParse(req.body);
  if (!parsed.success) throw ApiError.invalidArgument(firstIssue(parsed.error, accepted, explainUnknown));
  return parsed.data;
}

export function parsePageSize(raw: unknown, max = 1000, fallback = 100): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw ApiError.invalidArgument(`pageSize must be a whole number from 1 to ${max} (default ${fallback}).`);
  }
  return Number(raw);
}

export function parsePageToken(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || raw.length > 512) throw invalidPageToken();
  return raw;
}

export const invalidPageToken = () =>
  ApiError.invalidArgument('pageToken is not valid for this list. Use the nextPageToken of a previous response, unchanged.');
