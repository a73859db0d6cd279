// The random values of a dashboard session: the cookie token (only its SHA-256 is stored,
// so a copy of the sessions table signs nobody in) and the CSRF token, compared in
// constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes in base64url: 43 characters. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export const newToken = (): string => randomBytes(32).toString('base64url');

/** A cookie value that could be a token; anything else is not looked up at all. */
export const isTokenShaped = (value: string): boolean => TOKEN_SHAPE.test(value);

export const hashToken = (token: string): Buffer => createHash('sha256').update(token).digest();

/** Constant time for equal lengths; a length mismatch says nothing about the stored value's content. */
export function sameToken(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
