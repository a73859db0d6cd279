// How a generated secret (a Key Secret, a REST Basic credential's secret) is stored: a
// SHA-256 digest with its scheme named in the value, `sha256$<base64url>`. The secret is
// 256 random bits from the CSPRNG: nothing to brute-force, so a slow hash would only add
// cost and a denial-of-service lever (bcrypt stays for what a person chose: password-hash.ts).
// No pepper, so no master key can be lost for it. Rows written before this are bcrypt
// (`$2b$...`): they verify once through the bounded bcrypt queue and are then rewritten to
// the digest (key-secrets.ts).
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

export const DIGEST_PREFIX = 'sha256$';

const digestText = (secret: string): string => hash('sha256', secret, 'base64url');

/** The stored form of a generated secret. */
export const hashSecret = (secret: string): string => DIGEST_PREFIX + digestText(secret);

export type StoredScheme = 'sha256' | 'bcrypt' | 'none';

export function storedScheme(stored: string | null | undefined): StoredScheme {
  if (!stored) return 'none';
  if (stored.startsWith(DIGEST_PREFIX)) return 'sha256';
  return /^\$2[aby]\$\d\d\$/.test(stored) ? 'bcrypt' : 'none';
}

// What an unknown key's secret is compared with: the same work, and nothing matches it.
const NOBODY = Buffer.from(randomBytes(32).toString('base64url'));

/**
 * True when `secret` digests to `stored` (a `sha256$` value). Constant-time: both sides are
 * 43 characters; a malformed stored value is compared with a digest nobody has.
 */
export function digestMatches(secret: string, stored: string | undefined): boolean {
  const given = Buffer.from(digestText(secret));
  const want = stored?.startsWith(DIGEST_PREFIX) ? Buffer.from(stored.slice(DIGEST_PREFIX.length)) : NOBODY;
  if (want.length !== given.length) return timingSafeEqual(given, NOBODY) && false;
  return timingSafeEqual(given, want);
}

/**
 * Which of a key's two secrets `secret` digests to: 0 (the current), 1 (the previous) or
 * -1 (neither). The digest is computed once and compared with both slots every time (an
 * empty slot with a digest nobody has), so the time says nothing of which matched, nor of
 * whether the key holds a previous secret at all.
 */
export function digestMatchesEither(secret: string, current: string | undefined, previous: string | undefined): 0 | 1 | -1 {
  const given = Buffer.from(digestText(secret));
  const slot = (stored: string | undefined) => {
    const want = stored?.startsWith(DIGEST_PREFIX) ? Buffer.from(stored.slice(DIGEST_PREFIX.length)) : NOBODY;
    return timingSafeEqual(given, want.length === given.length ? want : NOBODY) && want !== NOBODY && want.length === given.length;
  };
  const first = slot(current);
  const second = slot(previous);
  return first ? 0 : second ? 1 : -1;
}
