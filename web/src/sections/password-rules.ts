// The sign-in password rules as the console states them next to each password field; the
// API checks them (src/accounts/user-input.ts) and its message names the rule broken.
export const PASSWORD_RULES = 'At least 8 characters (12 for an Administrator), at most 72 bytes, not a common password. A long passphrase is best.';
