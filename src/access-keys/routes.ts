// HTTP shape of the Access Keys Management API v1 (seed 003): parse and validate input,
// call the service, shape the output. Rules live in service.ts. A key's expireTime is
// set at creation only; PATCH changes the displayName and nothing else.
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { Actor, AccessKeysService } from './service.js';
import { isUuid } from './ids.js';

// C0 and C1 controls (NUL included) and the line and paragraph separators: not printable
// on one line, and Postgres refuses NUL in text.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
// A lone UTF-16 surrogate is no character: Postgres would silently store U+FFFD instead.
const LONE_SURROGATE = /\p{Cs}/u;

const displayName = z
  .string({ error: (i) => (i.input === undefined ? 'displayName is required' : 'displayName must be a string') })
  .trim()
  .refine((s) => [...s].length >= 1, 'displayName must not be empty')
  .refine((s) => [...s].length <= 100, 'displayName must be at most 100 characters')
  .refine((s) => !CONTROL.test(s), 'displayName must not contain control characters or line breaks')
  .refine((s) => !LONE_SURROGATE.test(s), 'displayName must be valid Unicode text (it has an unpaired surrogate)');

const EXAMPLE_TIME = 'such as 2027-01-01T00:00:00Z';
// RFC 3339 with seconds and a Z or ±hh:mm offset; zod checks the calendar (no 30 February).
const WITH_OFFSET = z.iso.datetime({ offset: true });
const WITHOUT_OFFSET = z.iso.datetime({ local: true });
const expireTime = z
  .string({ error: `expireTime must be a string: an RFC 3339 timestamp ${EXAMPLE_TIME}` })
  .superRefine((s, ctx) => {
    if (WITH_OFFSET.safeParse(s).success) return;
    const local = WITHOUT_OFFSET.safeParse(s).success;
    ctx.addIssue({
      code: 'custom',
      message: local
        ? `expireTime must state its time zone: end it with Z (UTC) or an offset such as +02:00`
        : `expireTime must be an RFC 3339 timestamp with a time zone, ${EXAMPLE_TIME}`,
    });
  })
  .transform((s) => new Date(s))
  .nullable()
  .optional();

const bodyError = { error: 'The request body must be a JSON object' };
const createBody = z.object({ displayName, expireTime }, bodyError).strict();
const updateBody = z.object({ displayName }, bodyError).strict();

function firstIssue(error: z.ZodError, accepted: string): string {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    if (issue.keys.includes('expireTime')) return 'expireTime can only be set when a key is created; only displayName can be changed.';
    return `Unknown field(s) in the request body: ${issue.keys.join(', ')}. Only ${accepted} accepted.`;
  }
  return issue.message;
}

function parseBody<T extends z.ZodType>(req: Request, schema: T, accepted: string): z.output<T> {
  if (!req.is('application/json')) throw ApiError.unsupportedMediaType('The request body must be JSON, sent with Content-Type: application/json.');
  const parsed = schema.safeParse(req.body);
  if (!parsed.success) throw ApiError.invalidArgument(firstIssue(parsed.error, accepted));
  return parsed.data;
}

function parsePageSize(raw: unknown): number {
  if (raw === undefined) return 100;
  if (typeof raw !== 'string' || !/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000) {
    throw ApiError.invalidArgument('pageSize must be a whole number from 1 to 1000 (default 100).');
  }
  return Number(raw);
}

function parsePageToken(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || raw.length > 512) throw ApiError.invalidArgument('pageToken is not valid for this list. Use the nextPageToken of a previous response, unchanged.');
  return raw;
}

function keyId(req: Request): string {
  const id = req.params.accessKeyId as string;
  if (!isUuid(id)) throw ApiError.invalidArgument('accessKeyId must be a UUID (the accessKeyId of a key, as the list shows it).');
  return id.toLowerCase();
}

// Project IDs are UUIDs and, like key IDs, case-insensitive; anything else is left as is
// and is then no project of the caller's (403 in the service).
function projectIdOf(req: Request): string {
  const id = req.params.projectId as string;
  return isUuid(id) ? id.toLowerCase() : id;
}

const actorOf = (res: express.Response) => res.locals.actor as Actor;

export function accessKeysRouter(service: AccessKeysService): Router {
  const router = Router({ mergeParams: true });
  const base = '/projects/:projectId/accessKeys';

  router.get(base, async (req, res) => {
    const pageSize = parsePageSize(req.query.pageSize);
    const pageToken = parsePageToken(req.query.pageToken);
    res.json(await service.list(actorOf(res), projectIdOf(req), pageSize, pageToken));
  });

  router.post(base, async (req, res) => {
    const body = parseBody(req, createBody, 'displayName and expireTime are');
    res.json(await service.create(actorOf(res), projectIdOf(req), body.displayName, body.expireTime ?? null));
  });

  router.get(`${base}/:accessKeyId`, async (req, res) => {
    res.json(await service.get(actorOf(res), projectIdOf(req), keyId(req)));
  });

  router.patch(`${base}/:accessKeyId`, async (req, res) => {
    const id = keyId(req);
    const body = parseBody(req, updateBody, 'displayName is');
    res.json(await service.update(actorOf(res), projectIdOf(req), id, body.displayName));
  });

  router.delete(`${base}/:accessKeyId`, async (req, res) => {
    await service.delete(actorOf(res), projectIdOf(req), keyId(req));
    res.status(200).end();
  });

  return router;
}
