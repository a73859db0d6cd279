// What an Administrator types for a credential: a label (REST Basic and HMAC), a legacy
// username and password, an optional expiry (any kind, at creation, as on the v1 API).
// Each rule is stated in the message that refuses it.
import { z } from 'zod';
import { isUuid } from '../kernel/ids.js';
import { isValidLegacyUsername } from '../kernel/identifiers.js';
import { bodyError, nameField } from '../kernel/request-input.js';
import { expireTimeField } from '../kernel/expire-time.js';
import { customClaimsField, grantField } from '../apis/grant-input.js';
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from '../kernel/common-passwords.js';

export const LEGACY_PASSWORD_RULE =
  'The password must be 6 to 50 alphanumeric characters (A-Z, a-z, 0-9), including at least one upper-case and one lower-case letter.';
export const LEGACY_USERNAME_RULE =
  'The username must be 3 to 50 characters: letters, digits, dot, underscore, hyphen or @ (and not a UUID).';

export function isValidLegacyPassword(value: string): boolean {
  return /^[A-Za-z0-9]{6,50}$/.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value);
}

// The username's pattern is the kernel's (kernel/identifiers.ts), so that the check at
// sign-in and the rule at creation are one.
export { isValidLegacyUsername };

const text = (field: string) =>
  z.string({ error: (i) => (i.input === undefined ? `${field} is required` : `${field} must be a string`) });

export const legacyPassword = text('password')
  .refine(isValidLegacyPassword, LEGACY_PASSWORD_RULE)
  .refine((v) => !isCommonPassword(v), COMMON_PASSWORD_MESSAGE);
const legacyUsername = text('username').refine(isValidLegacyUsername, LEGACY_USERNAME_RULE);
const label = nameField('label');

const kindError = { error: 'kind must be one of basic, hmac or legacy' };
// Issue 13: the key's grants (apis/grant-input.ts); left out or null, the Sinch model.
const grants = grantField.nullable().optional();

export const grantsBody = z
  .object({ grants: grantField.nullable().optional(), customClaims: customClaimsField.optional() }, bodyError)
  .strict()
  .refine((b) => b.grants !== undefined, 'grants is required: a list of {api, scopes, default?}, or null for the Sinch model (this project\'s keys, every API of the account)');

const generateSecret = z.boolean({ error: 'generateSecret must be true or false.' }).optional();
const jwksUri = z.string({ error: 'jwksUri must be an https URL.' }).optional();

// An object first, so an array or a string hears that rather than a word about kind.
export const createCredentialBody = z.record(z.string(), z.unknown(), bodyError).pipe(z.discriminatedUnion(
  'kind',
  [
    // REST Basic may bring public keys (jwk, jwks) or a jwksUri, and ask for no secret (issue 14, as on v1).
    z.object({ kind: z.literal('basic'), label, expireTime: expireTimeField, grants, jwk: z.unknown().optional(), jwks: z.unknown().optional(), jwksUri, generateSecret }, bodyError).strict(),
    z.object({ kind: z.literal('hmac'), label, expireTime: expireTimeField, grants }, bodyError).strict(),
    z.object({ kind: z.literal('legacy'), username: legacyUsername, password: legacyPassword, expireTime: expireTimeField, grants }, bodyError).strict(),
  ],
  kindError,
));

export type CreateCredentialInput = z.output<typeof createCredentialBody>;

export const updateCredentialBody = z
  .object({ label: label.optional(), password: legacyPassword.optional(), expireTime: expireTimeField }, bodyError)
  .strict()
  .refine((b) => [b.label, b.password, b.expireTime].filter((v) => v !== undefined).length === 1, {
    message:
      'Send {"label": "..."} to rename a REST Basic or HMAC credential, {"password": "..."} to change a legacy password, ' +
      'or {"expireTime": "..." | null} to change when a credential expires; one of the three.',
  });

export const deleteCredentialsBody = z
  .object(
    {
      credentialIds: z
        .array(z.string({ error: 'credentialIds must be strings' }).refine(isUuid, 'each of credentialIds must be a credentialId (a UUID) from the list'), {
          error: 'credentialIds is required: a list of 1 to 100 credentialIds',
        })
        .min(1, 'credentialIds must name at least one credential')
        .max(100, 'credentialIds may name at most 100 credentials per request'),
    },
    bodyError,
  )
  .strict();
