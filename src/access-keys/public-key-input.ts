// What a public key uploaded for private_key_jwt must be: a JWK of one of the signature
// algorithms Keymint accepts for client assertions (RS256, PS256, ES256, EdDSA), public
// members only. Private key material, symmetric keys, other key types, curves and
// algorithms, and RSA keys under 2048 bits are refused with a message naming the problem.
// The stored JWK is rebuilt from its public members (nothing else the client sent is
// kept), with alg, use: sig and a kid (the RFC 7638 thumbprint unless one was given).
import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import { ApiError } from '../kernel/api-error.js';

export const CLIENT_ASSERTION_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type ClientAssertionAlg = (typeof CLIENT_ASSERTION_ALGS)[number];

/** The most public keys an access key may hold, and the largest JWK set accepted, serialized. */
export const MAX_PUBLIC_KEYS = 5;
export const MAX_JWKS_BYTES = 8 * 1024;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const B64URL = /^[A-Za-z0-9_-]+$/;

export interface PublicKeyInput {
  publicKeyId: string;
  alg: ClientAssertionAlg;
  jwk: Record<string, string>;
}

const bad = (where: string, message: string) => ApiError.invalidArgument(`${where}: ${message}`);

function member(jwk: Record<string, unknown>, name: string, where: string): string {
  const value = jwk[name];
  if (typeof value !== 'string' || !value || !B64URL.test(value)) throw bad(where, `"${name}" must be a base64url string.`);
  return value;
}

function publicMembers(jwk: Record<string, unknown>, where: string): { alg: ClientAssertionAlg; members: Record<string, string> } {
  const kty = jwk.kty;
  const alg = jwk.alg;
  if (alg !== undefined && !CLIENT_ASSERTION_ALGS.includes(alg as ClientAssertionAlg)) {
    throw bad(where, `alg ${JSON.stringify(alg)} is not accepted; use one of ${CLIENT_ASSERTION_ALGS.join(', ')}.`);
  }
  if (kty === 'RSA') {
    if (alg === undefined) throw bad(where, 'an RSA key must name its alg, RS256 or PS256.');
    if (alg !== 'RS256' && alg !== 'PS256') throw bad(where, `alg ${alg} does not fit an RSA key; use RS256 or PS256.`);
    const n = member(jwk, 'n', where);
    const bits = Buffer.from(n, 'base64url').length * 8;
    if (bits < 2048 || bits > 8192) throw bad(where, `an RSA key must have 2048 to 8192 bits, not ${bits}.`);
    return { alg, members: { kty, n, e: member(jwk, 'e', where) } };
  }
  if (kty === 'EC') {
    if (jwk.crv !== 'P-256') throw bad(where, `curve ${JSON.stringify(jwk.crv)} is not accepted; an EC key must be P-256 (ES256).`);
    if ((alg ?? 'ES256') !== 'ES256') throw bad(where, `alg ${String(alg)} does not fit a P-256 key; use ES256.`);
    return { alg: 'ES256', members: { kty, crv: 'P-256', x: member(jwk, 'x', where), y: member(jwk, 'y', where) } };
  }
  if (kty === 'OKP') {
    if (jwk.crv !== 'Ed25519') throw bad(where, `curve ${JSON.stringify(jwk.crv)} is not accepted; an OKP key must be Ed25519 (EdDSA).`);
    if ((alg ?? 'EdDSA') !== 'EdDSA') throw bad(where, `alg ${String(alg)} does not fit an Ed25519 key; use EdDSA.`);
    return { alg: 'EdDSA', members: { kty, crv: 'Ed25519', x: member(jwk, 'x', where) } };
  }
  throw bad(where, `key type ${JSON.stringify(kty)} is not accepted; use RSA, EC (P-256) or OKP (Ed25519).`);
}

/** One uploaded JWK, checked and rebuilt; `where` names it in messages (e.g. "jwks.keys[1]"). */
export async function checkPublicJwk(raw: unknown, where = 'jwk'): Promise<PublicKeyInput> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(where, 'must be a JSON Web Key (an object).');
  const jwk = raw as Record<string, unknown>;
  if (jwk.kty === 'oct') throw bad(where, 'symmetric keys (kty "oct") are refused: upload the public key of a key pair whose private key stays with the client.');
  const secret = PRIVATE_MEMBERS.filter((name) => jwk[name] !== undefined);
  if (secret.length) {
    throw bad(where, `this is private key material (it has ${secret.map((s) => `"${s}"`).join(', ')}): upload the public key only, and keep the private key with the client. Treat the uploaded private key as exposed.`);
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') throw bad(where, '"use" must be "sig" when present.');
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.length === 1 && jwk.key_ops[0] === 'verify')) {
    throw bad(where, '"key_ops" must be ["verify"] when present.');
  }
  if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(jwk.kid))) {
    throw bad(where, '"kid" must be 1 to 128 printable ASCII characters without spaces.');
  }
  const { alg, members } = publicMembers(jwk, where);
  try {
    await importJWK(members as JWK, alg);
  } catch {
    throw bad(where, `not a valid ${alg} public key.`);
  }
  const publicKeyId = await calculateJwkThumbprint(members as JWK, 'sha256');
  return { publicKeyId, alg, jwk: { ...members, alg, use: 'sig', kid: (jwk.kid as string | undefined) ?? publicKeyId } };
}

/** The keys of an uploaded set (`{ keys: [...] }`), at most MAX_PUBLIC_KEYS and MAX_JWKS_BYTES. */
export async function checkPublicJwks(raw: unknown): Promise<PublicKeyInput[]> {
  const keys = (raw as { keys?: unknown } | null)?.keys;
  if (typeof raw !== 'object' || raw === null || !Array.isArray(keys) || keys.length === 0) {
    throw ApiError.invalidArgument('jwks must be a JSON Web Key Set: an object with a non-empty "keys" array.');
  }
  if (keys.length > MAX_PUBLIC_KEYS) throw ApiError.invalidArgument(`jwks has ${keys.length} keys; an access key holds at most ${MAX_PUBLIC_KEYS}.`);
  const size = Buffer.byteLength(JSON.stringify(raw));
  if (size > MAX_JWKS_BYTES) throw ApiError.invalidArgument(`jwks is ${size} bytes; at most ${MAX_JWKS_BYTES} are accepted.`);
  const out: PublicKeyInput[] = [];
  for (const [i, key] of keys.entries()) out.push(await checkPublicJwk(key, `jwks.keys[${i}]`));
  return out;
}
