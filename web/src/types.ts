// The shapes of the console API (docs/CONSOLE-API.md), as the console reads them.
export type Role = 'administrator' | 'advanced' | 'basic';
export type Kind = 'basic' | 'hmac' | 'legacy';

export interface Account {
  accountId: string;
  name: string;
  verified: boolean;
  verificationRequested: boolean;
  verificationRequestTime: string | null;
}

export interface Session {
  /** mustChangePassword: after an Administrator's reset; the console then shows only Change password. */
  user: { userId: string; email: string; role: Role; mustChangePassword: boolean };
  account: Account;
  csrfToken: string;
}

export interface Project {
  projectId: string;
  name: string;
  createTime: string;
}

export interface Credential {
  credentialId: string;
  kind: Kind;
  label: string | null;
  /** Legacy credentials, for Administrators only. */
  username?: string;
  createTime: string;
  updateTime: string;
  expireTime?: string;
  lastUseTime?: string | null;
  /** REST Basic only (issue 14): client_secret_basic and client_secret_post with a secret, private_key_jwt with public keys or a jwks_uri. */
  authenticationMethods?: Array<'client_secret_basic' | 'client_secret_post' | 'private_key_jwt'>;
}

/** Whether the key has a secret (a REST Basic key may have public keys only). */
export const hasSecret = (c: Credential): boolean => c.authenticationMethods?.includes('client_secret_basic') ?? c.kind !== 'legacy';

export interface CredentialPage {
  credentials: Credential[];
  nextPageToken?: string | null;
}

export interface CreatedCredential {
  credential: Credential;
  apiKey?: string;
  apiSecret?: string;
  notice?: string;
}

export const ROLE_NAMES: Readonly<Record<Role, string>> = {
  administrator: 'Administrator',
  advanced: 'Advanced',
  basic: 'Basic',
};

export const KIND_NAMES: Readonly<Record<Kind, string>> = {
  basic: 'Basic Authentication',
  hmac: 'HMAC Authentication',
  legacy: 'Legacy API credentials',
};

export const KIND_SHORT: Readonly<Record<Kind, string>> = {
  basic: 'REST Basic',
  hmac: 'REST HMAC',
  legacy: 'Legacy',
};

export interface User {
  userId: string;
  email: string;
  role: Role;
  mustChangePassword: boolean;
  createTime: string;
  updateTime: string;
}

export interface AuditEvent {
  eventId: string;
  time: string;
  action: string;
  actor: { type: 'user' | 'access_key' | 'anonymous'; id: string | null; name: string | null };
  address: string | null;
  projectId: string | null;
  credential: { credentialId: string; kind: string | null; label: string | null } | null;
  details: Record<string, unknown>;
}

export interface AuditEventPage {
  auditEvents: AuditEvent[];
  nextPageToken?: string | null;
}

export interface PasswordReset {
  user: User;
  temporaryPassword: string;
  notice: string;
}
