// The console API calls for a REST Basic key's public keys (private_key_jwt) and token
// settings (DPoP, jwks_uri), issue 14 (docs/CONSOLE-API.md).
import { request } from './api';

export interface PublicKey {
  /** The RFC 7638 SHA-256 thumbprint. */
  publicKeyId: string;
  kid: string;
  alg: string;
  createTime: string;
}
export interface TokenSettings {
  dpopRequired: boolean;
  jwksUri: string | null;
}

const enc = encodeURIComponent;
const keyPath = (projectId: string, credentialId: string) => `/api/projects/${enc(projectId)}/credentials/${enc(credentialId)}`;

export const listPublicKeys = async (projectId: string, credentialId: string) =>
  (await request<{ publicKeys: PublicKey[] }>('GET', `${keyPath(projectId, credentialId)}/publicKeys`)).publicKeys;
/** body: {jwk} or {jwks}, as pasted. */
export const addPublicKeys = async (projectId: string, credentialId: string, body: { jwk: unknown } | { jwks: unknown }) =>
  (await request<{ publicKeys: PublicKey[] }>('POST', `${keyPath(projectId, credentialId)}/publicKeys`, body)).publicKeys;
export const removePublicKey = (projectId: string, credentialId: string, publicKeyId: string) =>
  request<Record<string, never>>('DELETE', `${keyPath(projectId, credentialId)}/publicKeys/${enc(publicKeyId)}`);
export const getTokenSettings = (projectId: string, credentialId: string) => request<TokenSettings>('GET', `${keyPath(projectId, credentialId)}/tokenSettings`);
export const updateTokenSettings = (projectId: string, credentialId: string, change: Partial<TokenSettings>) =>
  request<TokenSettings>('PATCH', `${keyPath(projectId, credentialId)}/tokenSettings`, change);
export const removeSecret = (projectId: string, credentialId: string, revokeTokens: boolean) =>
  request<{ authenticationMethods: Array<'private_key_jwt'> }>('POST', `${keyPath(projectId, credentialId)}/removeSecret`, { revokeTokens });
