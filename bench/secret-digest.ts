// How the benchmark stores a Key Secret when it seeds rows by SQL: the same value the server
// stores for a generated secret, computed by Postgres so that a million rows cost seconds.
// Two schemes: `digest` (the fast digest of issue 12, the current format) and `bcrypt` (the
// format before it: one bcrypt hash made here and shared by every seeded row, since a
// million bcrypt hashes would take hours). Which one a server accepts is found by asking it
// (run.ts probes with a token request), not assumed.
import bcrypt from 'bcrypt';

export type SecretScheme = 'digest' | 'bcrypt';

/**
 * SQL for the stored digest of the text expression `secret`: 'sha256$' followed by the
 * base64url (unpadded) SHA-256 of its UTF-8 bytes, the format src/auth stores.
 */
export const digestSql = (secret: string) =>
  `'sha256$' || rtrim(translate(encode(sha256(convert_to(${secret}, 'UTF8')), 'base64'), '+/', '-_'), '=')`;

/** A bcrypt hash of `secret` for the `bcrypt` scheme, at the server's cost. */
export const bcryptOf = (secret: string, cost: number) => bcrypt.hash(secret, cost);
