// The rules for what a person types: a sign-in email and a sign-in password. Both throw
// INVALID_ARGUMENT with a message that states the rule.
import { ApiError } from '../kernel/api-error.js';
import { canonicalEmail, MAX_EMAIL_LENGTH } from '../kernel/identifiers.js';
import { isRole, ROLES, type Role } from '../kernel/roles.js';
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from '../kernel/common-passwords.js';

export { MAX_EMAIL_LENGTH };
export const MIN_PASSWORD_LENGTH = 8;
/** An Administrator can delete every credential of the account: a longer floor. */
export const MIN_ADMINISTRATOR_PASSWORD_LENGTH = 12;
/** bcrypt reads the first 72 bytes and silently ignores the rest: longer is refused, not truncated. */
export const MAX_PASSWORD_BYTES = 72;

/** Trimmed and lower-cased (kernel/identifiers.ts): emails compare case-insensitively, and the column holds this form. */
export function parseEmail(value: string): string {
  if (value.trim().length > MAX_EMAIL_LENGTH) {
    throw ApiError.invalidArgument(`The email address must be at most ${MAX_EMAIL_LENGTH} characters.`);
  }
  const email = canonicalEmail(value);
  if (email === undefined) throw ApiError.invalidArgument('That is not a valid email address (expected name@example.com).');
  return email;
}

/**
 * A console user's password for `role`: at least 8 characters (12 for an Administrator),
 * at most 72 bytes in UTF-8, and not a common password. Counts characters, not UTF-16
 * units, so the floor reads the same for every alphabet.
 */
export function checkPassword(password: string, role: Role): string {
  const length = [...password].length;
  const floor = role === 'administrator' ? MIN_ADMINISTRATOR_PASSWORD_LENGTH : MIN_PASSWORD_LENGTH;
  if (length < floor) {
    const who = role === 'administrator' ? "An Administrator's password" : 'The password';
    throw ApiError.invalidArgument(`${who} must be at least ${floor} characters long; this one has ${length}.`);
  }
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes > MAX_PASSWORD_BYTES) {
    throw ApiError.invalidArgument(
      `The password must be at most ${MAX_PASSWORD_BYTES} bytes in UTF-8 (bcrypt ignores anything past that); this one has ${bytes}. ` +
        'Characters outside ASCII take 2 to 4 bytes each.',
    );
  }
  if (isCommonPassword(password)) throw ApiError.invalidArgument(COMMON_PASSWORD_MESSAGE);
  return password;
}

export function parseRole(value: string): Role {
  const role = value.trim().toLowerCase();
  if (!isRole(role)) throw ApiError.invalidArgument(`The role must be one of ${ROLES.join(', ')}; got "${value}".`);
  return role;
}
