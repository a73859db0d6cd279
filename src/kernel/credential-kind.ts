// The three kinds of API credential, all rows of access_keys (migrations/0005): REST
// Basic (the v1 API's access keys), REST HMAC and legacy username + password.
export type CredentialKind = 'basic' | 'hmac' | 'legacy';
