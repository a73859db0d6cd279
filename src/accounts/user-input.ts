// The rules for what a person types: a sign-in email and a sign-in password. Both throw
// INVALID_ARGUMENT with a message that states the rule.
import { z } from 'zod';
import { ApiError } from '../kernel/api-error.js';
import { isRole, ROLES, type Role } from '../kernel/roles.js';

export const MAX_EMAIL_LENGTH = 254;
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

const emailSchema = z.email();

/** Trimmed and lower-cased: emails compare case-insensitively, and the column holds this form. */
export function parseEmail(value: string): string {
  const email = value.trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH) {
    throw ApiError.invalidArgument(`The email address must be at most ${MAX_EMAIL_LENGTH} characters.`);
  }
  if (!emailSchema.safeParse(email).success) {
    throw ApiError.invalidArgument('That is not a valid email address (expected name@example.com).');
  }
  return email;
}

/** Counts characters, not UTF-16 units, so the rule reads the same for every alphabet. */
export function checkPassword(password: string): string {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw ApiError.invalidArgument(
      `The password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long; this one has ${length}.`,
    );
  }
  return password;
}

export function parseRole(value: string): Role {
  const role = value.trim().toLowerCase();
  if (!isRole(role)) throw ApiError.invalidArgument(`The role must be one of ${ROLES.join(', ')}; got "${value}".`);
  return role;
}
