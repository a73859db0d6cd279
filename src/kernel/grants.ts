// What an access key may do (issue 13), as every layer sees it. A key either keeps the
// Sinch model (no policy: tokens for the deployment's API and every API of its account, and
// management of its own project's keys) or has explicit grants: per API, the scopes it may
// ask for; the grant with `apiId` null is Keymint's own management API.
export const MANAGEMENT_SCOPES = Object.freeze({
  read: 'accesskeys.read',
  write: 'accesskeys.write',
} as const);

export const MANAGEMENT_SCOPE_LIST: readonly string[] = Object.freeze([MANAGEMENT_SCOPES.read, MANAGEMENT_SCOPES.write]);

export interface KeyGrant {
  /** The API (apis.id); null: the management API. */
  apiId: string | null;
  scopes: readonly string[];
  /** The API a token request without `resource` is for. */
  isDefault: boolean;
}

export interface KeyPolicy {
  grants: readonly KeyGrant[];
  /** Claims copied into the key's tokens; null when none. */
  customClaims: Readonly<Record<string, unknown>> | null;
}

/** The management scopes a key holds by its grants: every one under the Sinch model (no policy). */
export function managementScopesOf(policy: KeyPolicy | null): ReadonlySet<string> {
  if (!policy) return new Set(MANAGEMENT_SCOPE_LIST);
  return new Set(policy.grants.find((g) => g.apiId === null)?.scopes ?? []);
}

/** Claims a key's custom claims may not set: the ones Keymint itself puts in a token (RFC 9068 and ours). */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'scope', 'client_id', 'project_id', 'account_id', 'cnf', 'auth_time', 'acr', 'amr', 'azp', 'typ',
]);

export const CUSTOM_CLAIMS_MAX_BYTES = 1024;
