// Raw requests to the token endpoint and the management API, for tests that need the
// whole response (status, headers, exact body) rather than just a token.
import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import type { Bootstrapped } from './server.js';

export const FORM = 'application/x-www-form-urlencoded';

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

export const basicHeader = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

export async function raw(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export interface TokenRequest {
  /** Sent as client_secret_basic. */
  basic?: [id: string, secret: string];
  /** The form body; a string is sent as is. */
  body?: string | Record<string, string>;
  headers?: Record<string, string>;
}

export function postToken(baseUrl: string, { basic, body = { grant_type: 'client_credentials' }, headers = {} }: TokenRequest = {}) {
  return raw(`${baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': FORM, ...(basic && { authorization: basicHeader(...basic) }), ...headers },
    body: typeof body === 'string' ? body : new URLSearchParams(body),
  });
}

/** A 200 token response: the raw response plus the decoded token. */
export async function issue(baseUrl: string, req: TokenRequest = {}) {
  const res = await postToken(baseUrl, req);
  if (res.status !== 200 || typeof res.json?.access_token !== 'string') throw new Error(`token request failed: ${res.status} ${res.text}`);
  const token = res.json.access_token;
  const header: ProtectedHeaderParameters = decodeProtectedHeader(token);
  const claims: JWTPayload = decodeJwt(token);
  return { res, token, header, claims };
}

export const asBasic = (b: Bootstrapped): [string, string] => [b.accessKey.accessKeyId, b.secret];

export async function jwksKids(baseUrl: string): Promise<string[]> {
  const res = await raw(`${baseUrl}/.well-known/jwks.json`);
  return ((res.json?.keys ?? []) as Array<{ kid: string }>).map((k) => k.kid);
}

/** GET the key list of a project with the given Authorization header. */
export function listKeys(baseUrl: string, projectId: string, authorization: string) {
  return raw(`${baseUrl}/v1/projects/${projectId}/accessKeys`, { headers: { authorization } });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 3000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A wrong secret one character away from `secret` (its last one changed: never to itself). */
export const otherLastChar = (secret: string): string => `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`;
