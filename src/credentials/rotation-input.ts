// The body of a rotation, as v1's :rotateSecret and the console take it: how long the
// previous secret keeps working, as a duration (google.protobuf.Duration's JSON form,
// "86400s"; "0s": it stops now) or as a time; neither: 24 hours. An empty body is allowed.
import type { Request } from 'express';
import { z } from 'zod';
import { bodyError, parseBody } from '../kernel/request-input.js';
import { expireTimeField } from '../kernel/expire-time.js';
import { DEFAULT_OVERLAP_MS, type Overlap } from './secret-rotation.js';

const ttl = z
  .string({ error: 'previousSecretTtl must be a string of seconds such as "86400s" ("0s": the previous secret stops now)' })
  .regex(/^\d{1,7}s$/, 'previousSecretTtl must be whole seconds with an s, such as "86400s" (24 hours) or "0s" (now)')
  .transform((s) => Number(s.slice(0, -1)) * 1000);

const rotateBody = z
  .object({ previousSecretTtl: ttl.optional(), previousSecretExpireTime: expireTimeField }, bodyError)
  .strict()
  .refine((b) => b.previousSecretTtl === undefined || b.previousSecretExpireTime == null, {
    message: 'Send previousSecretTtl or previousSecretExpireTime, not both.',
  });

const hasNoBody = (req: Request) => !req.is('application/json') && (req.headers['content-length'] ?? '0') === '0' && !req.headers['transfer-encoding'];

export function parseOverlap(req: Request): Overlap {
  if (hasNoBody(req)) return { overlapMs: DEFAULT_OVERLAP_MS };
  const body = parseBody(req, rotateBody, 'previousSecretTtl and previousSecretExpireTime are');
  if (body.previousSecretExpireTime) return { previousSecretExpireTime: body.previousSecretExpireTime };
  return { overlapMs: body.previousSecretTtl ?? DEFAULT_OVERLAP_MS };
}

const revokeBody = z
  .object({ revokeTokens: z.boolean({ error: 'revokeTokens must be true or false' }).optional() }, bodyError)
  .strict();

/**
 * :revokePreviousSecret: an empty body, or {"revokeTokens": true} to also revoke every token
 * the key was issued until now (the previous secret may have leaked: its tokens go too,
 * on every resource API that follows the revocation feed).
 */
export function parseRevokeOptions(req: Request): { revokeTokens: boolean } {
  if (hasNoBody(req)) return { revokeTokens: false };
  return { revokeTokens: parseBody(req, revokeBody, 'revokeTokens is').revokeTokens ?? false };
}

