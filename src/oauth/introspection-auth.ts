// Client authentication at the introspection endpoint: an access key by
// client_secret_basic or client_secret_post (RFC 6749 §2.3.1), checked exactly like the
// token endpoint does (auth/key-secrets.ts), with the same invalid_client for an unknown,
// expired or wrong key and the same work for each.
import type { Request } from 'express';
import type { KeySecrets } from '../auth/key-secrets.js';
import type { AuthKey } from '../auth/key-cache.js';
import { OAuthError } from './introspection-errors.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface CallerAuthDeps {
  /** The one check of a Key ID and secret (auth/key-secrets.ts). */
  secrets: KeySecrets;
}

/** A form parameter given at most once (RFC 6749 §3.2), or undefined when absent or empty. */
export function formParam(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(value)) throw OAuthError.invalidRequest(`'${name}' parameter must not be provided more than once`);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// Client ID and secret are form-encoded before the Basic encoding (RFC 6749 §2.3.1).
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, '%20'));
  } catch {
    throw OAuthError.invalidRequest('client_id and client_secret in the authorization header are not properly encoded');
  }
}

function basicCredentials(header: string): [string, string] {
  const [scheme, token, extra] = header.trim().split(/ +/);
  if (scheme?.toLowerCase() !== 'basic' || !token || extra !== undefined || !BASE64.test(token)) {
    throw OAuthError.invalidRequest('invalid authorization header value format; use Basic client authentication');
  }
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw OAuthError.invalidRequest('invalid authorization header value format');
  return [formDecode(decoded.slice(0, colon)), formDecode(decoded.slice(colon + 1))];
}

function presentedCredentials(req: Request): [string, string] {
  const header = req.headers.authorization;
  const postId = formParam(req.body, 'client_id');
  const postSecret = formParam(req.body, 'client_secret');
  if (header !== undefined && postSecret !== undefined) {
    throw OAuthError.invalidRequest('client authentication must only be provided using one mechanism');
  }
  if (header !== undefined) {
    const [id, secret] = basicCredentials(header);
    if (postId !== undefined && postId !== id) throw OAuthError.invalidRequest('client_id mismatch');
    return [id, secret];
  }
  // No secret at all: refused before any lookup or bcrypt, so it tells nothing about the key.
  if (postId === undefined || postSecret === undefined) {
    throw OAuthError.invalidClient('client authentication is required: client_secret_basic or client_secret_post');
  }
  return [postId, postSecret];
}

/** The caller's access key, or invalid_client. */
export async function authenticateCaller(req: Request, deps: CallerAuthDeps): Promise<AuthKey> {
  const [id, secret] = presentedCredentials(req);
  const key = await deps.secrets.check(id, secret, { address: req.ip, isGone: () => req.socket.destroyed });
  if (!key) throw OAuthError.invalidClient();
  return key;
}
