// A key's expiry, as the v1 API and the console API both take it: an RFC 3339 timestamp
// with a time zone (or null: never), at creation only, in the future and at most
// MAX_KEY_LIFETIME_YEARS ahead. Each refusal says what to send.
import { z } from 'zod';
import { ApiError } from './api-error.js';

export const MAX_KEY_LIFETIME_YEARS = 10;

const EXAMPLE_TIME = 'such as 2027-01-01T00:00:00Z';
// RFC 3339 with seconds and a Z or ±hh:mm offset; zod checks the calendar (no 30 February).
const WITH_OFFSET = z.iso.datetime({ offset: true });
const WITHOUT_OFFSET = z.iso.datetime({ local: true });

export const expireTimeField = z
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

export function checkExpireTime(expireTime: Date, now = new Date()): void {
  if (expireTime.getTime() <= now.getTime()) {
    throw ApiError.invalidArgument(`expireTime must be in the future; ${expireTime.toISOString()} has already passed.`);
  }
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_KEY_LIFETIME_YEARS);
  if (expireTime > latest) {
    throw ApiError.invalidArgument(`expireTime must be at most ${MAX_KEY_LIFETIME_YEARS} years from now (no later than ${latest.toISOString()}).`);
  }
}
