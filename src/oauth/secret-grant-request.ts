// Reads a token request that Keymint's own grant serves (secret-grant.ts): grant_type
// client_credentials, the Key ID and Key Secret by HTTP Basic (client_secret_basic) or in
// the form (client_secret_post), and at most `scope`, `resource` and `audience`. Anything
// else (a DPoP proof, a client assertion, a duplicated or unknown parameter, an encoding
// oidc-provider would refuse or read differently) is not read here: undefined sends the
// request, unchanged, to oidc-provider, which answers it by its own rules. So this reader
// only ever accepts what oidc-provider would read the same way (lib/shared/client_auth.js,
// selective_body.js, params.js), and every refusal of a malformed request stays its own.
import { parse } from 'node:querystring';
import type { IncomingHttpHeaders } from 'node:http';

export interface SecretGrantRequest {
  id: string;
  secret: string;
  scope?: string;
  resource?: string;
  audience?: string;
}

const PARAMETERS = new Set(['grant_type', 'client_id', 'client_secret', 'scope', 'resource', 'audience']);
// What oidc-provider accepts in a client_id or secret: visible ASCII (noVSCHAR).
const VISIBLE = /^[\x20-\x7E]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// RFC 6749 §3.3: scope-tokens of NQCHAR, one space between them. Anything else is
// oidc-provider's to refuse ("scope contains invalid characters").
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;
const FORM = /^application\/x-www-form-urlencoded\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** Whether the headers allow this reader at all (checked before the body is read). */
export function mayReadSecretGrant(headers: IncomingHttpHeaders): boolean {
  if (headers.dpop !== undefined || headers['oauth-client-attestation'] !== undefined || headers['oauth-client-attestation-pop'] !== undefined) return false;
  if (headers['transfer-encoding'] !== undefined || headers['content-length'] === undefined) return false;
  return FORM.test(headers['content-type'] ?? '');
}

function fromBasic(header: string): { id: string; secret: string } | undefined {
  const parts = header.split(' ');
  if (parts.length !== 2 || parts[0].toLowerCase() !== 'basic' || !BASE64.test(parts[1]) || parts[1].length % 4 !== 0) return undefined;
  const decoded = Buffer.from(parts[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    const id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, '%20'));
    const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, '%20'));
    return { id, secret };
  } catch {
    return undefined;
  }
}

/** The request, when this reader serves it; undefined: oidc-provider's. */
export function readSecretGrant(headers: IncomingHttpHeaders, body: Buffer): SecretGrantRequest | undefined {
  const form = parse(body.toString('utf8'));
  const values: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(form)) {
    if (!PARAMETERS.has(name) || typeof value !== 'string') return undefined;
    // oidc-provider reads an empty parameter as an absent one (lib/helpers/params.js), but
    // an empty `audience` it reads from the raw body: that one stays its own.
    if (value === '' && name === 'audience') return undefined;
    values[name] = value === '' ? undefined : value;
  }
  if (values.grant_type !== 'client_credentials') return undefined;
  let id: string | undefined;
  let secret: string | undefined;
  if (headers.authorization !== undefined) {
    if (values.client_secret !== undefined) return undefined; // two mechanisms: its refusal
    const basic = fromBasic(headers.authorization);
    if (!basic) return undefined;
    if (values.client_id !== undefined && values.client_id !== basic.id) return undefined;
    ({ id, secret } = basic);
  } else {
    id = values.client_id;
    secret = values.client_secret;
  }
  if (!id || !secret || !VISIBLE.test(id) || !VISIBLE.test(secret)) return undefined;
  if (values.scope !== undefined && !SCOPE.test(values.scope)) return undefined;
  return { id, secret, scope: values.scope, resource: values.resource, audience: values.audience };
}

/** RFC 8707 §2: an absolute URI without a fragment (else oidc-provider's invalid_target). */
export function isResourceIndicator(value: string): boolean {
  const href = URL.parse(value)?.href;
  return href !== undefined && !href.includes('#');
}
