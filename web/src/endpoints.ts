// One function per console API call used by the pages.
import { request, setCsrfToken } from './api';
import type { Account, AuditEventPage, CreatedCredential, Credential, CredentialPage, Kind, PasswordReset, Project, Role, Session, User } from './types';

const enc = encodeURIComponent;
const credentialsOf = (projectId: string) => `/api/projects/${enc(projectId)}/credentials`;

async function remember(session: Promise<Session>): Promise<Session> {
  const s = await session;
  setCsrfToken(s.csrfToken);
  return s;
}

export const signIn = (email: string, password: string) => remember(request<Session>('POST', '/api/session', { email, password }));
export const getSession = () => remember(request<Session>('GET', '/api/session'));
export async function signOut(): Promise<void> {
  await request<void>('DELETE', '/api/session');
  setCsrfToken('');
}

export const changePassword = (currentPassword: string, newPassword: string) =>
  remember(request<Session>('POST', '/api/session/password', { currentPassword, newPassword }));

export const getAccount = () => request<Account>('GET', '/api/account');
export const requestVerification = () => request<Account>('POST', '/api/account/verification-request', {});

export const listProjects = async () => (await request<{ projects: Project[] }>('GET', '/api/projects')).projects;

export const createProject = (name: string) => request<Project>('POST', '/api/projects', { name });
export const renameProject = (projectId: string, name: string) => request<Project>('PATCH', `/api/projects/${enc(projectId)}`, { name });
export const deleteProject = (projectId: string, withCredentials: boolean) =>
  request<{ deletedCredentials: number }>('DELETE', `/api/projects/${enc(projectId)}${withCredentials ? '?withCredentials=true' : ''}`);

export function listCredentials(projectId: string, opts: { kind?: Kind; pageToken?: string; pageSize?: number } = {}) {
  const query = new URLSearchParams({ pageSize: String(opts.pageSize ?? 100) });
  if (opts.kind) query.set('kind', opts.kind);
  if (opts.pageToken) query.set('pageToken', opts.pageToken);
  return request<CredentialPage>('GET', `${credentialsOf(projectId)}?${query}`);
}

export type NewCredential = ({ kind: 'basic' | 'hmac'; label: string } | { kind: 'legacy'; username: string; password: string }) & {
  expireTime?: string;
  grants?: Array<{ api: string; scopes: string[] }>;
  /** REST Basic (issue 14): false with jwk or jwks makes a key with public keys only. */
  generateSecret?: false;
  jwk?: unknown;
  jwks?: unknown;
};

export const createCredential = (projectId: string, body: NewCredential) =>
  request<CreatedCredential>('POST', credentialsOf(projectId), body);

export const updateCredential = (projectId: string, credentialId: string, patch: { label: string } | { password: string } | { expireTime: string | null }) =>
  request<Credential>('PATCH', `${credentialsOf(projectId)}/${enc(credentialId)}`, patch);

export const revealCredential = (projectId: string, credentialId: string) =>
  request<{ apiKey?: string; username?: string }>('POST', `${credentialsOf(projectId)}/${enc(credentialId)}/reveal`, {});

export interface KeySecret { state: 'CURRENT' | 'PREVIOUS'; createTime: string; expireTime?: string; lastUseTime?: string }

export const listCredentialSecrets = async (projectId: string, credentialId: string) =>
  (await request<{ secrets: KeySecret[] }>('GET', `${credentialsOf(projectId)}/${enc(credentialId)}/secrets`)).secrets;

export const rotateCredentialSecret = (projectId: string, credentialId: string, previousSecretTtl: string) =>
  request<{ apiSecret: string; notice: string; secrets: KeySecret[] }>('POST', `${credentialsOf(projectId)}/${enc(credentialId)}/rotateSecret`, { previousSecretTtl });

export const revokePreviousSecret = (projectId: string, credentialId: string) =>
  request<{ secrets: KeySecret[] }>('POST', `${credentialsOf(projectId)}/${enc(credentialId)}/revokePreviousSecret`, {});

export const deleteCredentials = (projectId: string, credentialIds: string[]) =>
  request<{ deleted: number }>('POST', `${credentialsOf(projectId)}/delete`, { credentialIds });

export const listUsers = async () => (await request<{ users: User[] }>('GET', '/api/account/users')).users;
export const addUser = (body: { email: string; password: string; role: Role }) => request<User>('POST', '/api/account/users', body);
export const changeUserRole = (userId: string, role: Role) => request<User>('PATCH', `/api/account/users/${enc(userId)}`, { role });
export const resetUserPassword = (userId: string) => request<PasswordReset>('POST', `/api/account/users/${enc(userId)}/password-reset`, {});
export const removeUser = (userId: string) => request<void>('DELETE', `/api/account/users/${enc(userId)}`);

export function listAuditEvents(opts: { pageToken?: string; pageSize?: number } = {}) {
  const query = new URLSearchParams({ pageSize: String(opts.pageSize ?? 50) });
  if (opts.pageToken) query.set('pageToken', opts.pageToken);
  return request<AuditEventPage>('GET', `/api/account/audit-events?${query}`);
}
