// The sign-in password rules as the console states them next to each password field; the
// API checks them (src/accounts/user-input.ts) and its message names the rule broken.
export const PASSWORD_RULES = '8 to 128 characters. A long passphrase is best.';
