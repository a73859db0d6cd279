// The one canonical form of every identifier that is looked up, used alike by the code that
// stores it and the code that finds it: a Key ID is a lower-case UUID; a legacy username is
// ASCII ([A-Za-z0-9._@-], so JavaScript's and Postgres's lower() agree on it) and compared
// lower-cased. A presented value that does not have the pattern is never looked up.
import { z } from 'zod';
import { isUuid } from './ids.js';

const USERNAME = /^[A-Za-z0-9._@-]{3,50}$/;

export function isValidLegacyUsername(value: string): boolean {
  // A UUID would be read as an API key at /oauth2/token: never a username.
  return USERNAME.test(value) && !isUuid(value);
}

/** ASCII lower-case: the only letters a username may hold. */
const asciiLower = (value: string) => value.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

export type PresentedId = { id: string; username?: undefined } | { id?: undefined; username: string };

/** What a client presents as its ID, canonical: a Key ID, a legacy username, or undefined (neither: no lookup). */
export function canonicalPresentedId(value: string): PresentedId | undefined {
  if (isUuid(value)) return { id: value.toLowerCase() };
  if (isValidLegacyUsername(value)) return { username: asciiLower(value) };
  return undefined;
}

export const MAX_EMAIL_LENGTH = 254;
// zod's e-mail pattern is ASCII: lower-casing it here and lower() in SQL agree.
const EMAIL = z.email();

/** A sign-in e-mail, trimmed and lower-cased (the users.email column holds this form); undefined when it is no e-mail address. */
export function canonicalEmail(value: string): string | undefined {
  const email = value.trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.safeParse(email).success) return undefined;
  return email;
}
