// The console API calls for APIs and a key's grants (issue 13).
import { request } from './api';

export interface ApiScope {
  name: string;
  description: string;
}
export interface Api {
  apiId: string;
  identifier: string;
  displayName: string;
  scopes: ApiScope[];
  tokenTtlSeconds: number | null;
}
export interface ApiList {
  apis: Api[];
  managementApi: { identifier: string; scopes: string[] };
}
export interface Grant {
  api: string;
  scopes: string[];
  default?: boolean;
}
/** grants null: the Sinch model. */
export interface KeyGrants {
  grants: Grant[] | null;
}

const enc = encodeURIComponent;
const grantsOf = (projectId: string, credentialId: string) => `/api/projects/${enc(projectId)}/credentials/${enc(credentialId)}/grants`;

export const listApis = () => request<ApiList>('GET', '/api/apis');
/** What the API dialog sends: a lifetime that is not a number is sent as typed, for the API to name what is wrong. */
type ApiBody = { identifier: string; displayName: string; scopes: Array<{ name: string; description?: string }>; tokenTtlSeconds?: number | string | null };
export const createApi = (body: ApiBody) =>
  request<Api>('POST', '/api/apis', body);
export const updateApi = (apiId: string, body: Partial<ApiBody>) =>
  request<Api>('PATCH', `/api/apis/${enc(apiId)}`, body);
export const deleteApi = (apiId: string) => request<Record<string, never>>('DELETE', `/api/apis/${enc(apiId)}`);
export const getGrants = (projectId: string, credentialId: string) => request<KeyGrants>('GET', grantsOf(projectId, credentialId));
export const setGrants = (projectId: string, credentialId: string, grants: Grant[] | null) =>
  request<KeyGrants>('PUT', grantsOf(projectId, credentialId), { grants });
