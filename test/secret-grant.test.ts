// Keymint's own grant for a Key Secret (src/oauth/secret-grant.ts): which requests it reads
// and which it leaves to oidc-provider (secret-grant-request.ts), and its JWS signer
// (jws.ts), whose tokens any library must verify. The answers themselves are held to
// oidc-provider's by test/secret-grant-parity.test.ts.
import { describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, decodeProtectedHeader } from 'jose';
import { readSecretGrant, mayReadSecretGrant, isResourceIndicator } from '../src/oauth/secret-grant-request.js';
import { compactSigner } from '../src/oauth/jws.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '29' };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const ID = '0190f5e2-1c2b-7d4e-8f00-0123456789ab';
const read = (body: string, headers: Record<string, string> = {}) => readSecretGrant({ ...FORM, ...headers }, Buffer.from(body));

describe('the requests the secret grant reads', () => {
  it('reads HTTP Basic and client_secret_post, with scope, resource and audience', () => {
    expect(read('grant_type=client_credentials', { authorization: basic(ID, 's3cret') })).toEqual({ id: ID, secret: 's3cret' });
    expect(read(`grant_type=client_credentials&client_id=${ID}&client_secret=s3cret&scope=a%20b&resource=https%3A%2F%2Fapi.example`)).toEqual({
      id: ID,
      secret: 's3cret',
      scope: 'a b',
      resource: 'https://api.example',
    });
    // RFC 6749 §2.3.1: Basic's parts are form-encoded first.
    expect(read('grant_type=client_credentials', { authorization: basic('a%3Ab', 'x%2By+z') })).toEqual({ id: 'a:b', secret: 'x+y z' });
    // An empty parameter is an absent one, as oidc-provider reads it.
    expect(read('grant_type=client_credentials&scope=', { authorization: basic(ID, 's') })).toEqual({ id: ID, secret: 's' });
  });

  it.each([
    ['another grant', 'grant_type=password', basic(ID, 's')],
    ['a duplicated parameter', 'grant_type=client_credentials&scope=a&scope=b', basic(ID, 's')],
    ['an unknown parameter', 'grant_type=client_credentials&foo=1', basic(ID, 's')],
    ['a client assertion', `grant_type=client_credentials&client_assertion=x.y.z&client_assertion_type=urn%3Aietf`, undefined],
    ['two mechanisms', `grant_type=client_credentials&client_secret=s`, basic(ID, 's')],
    ['another client_id beside Basic', `grant_type=client_credentials&client_id=other`, basic(ID, 's')],
    ['Basic without a colon', 'grant_type=client_credentials', `Basic ${Buffer.from('nocolon').toString('base64')}`],
    ['Basic in bad base64', 'grant_type=client_credentials', 'Basic %%%'],
    ['Basic with two spaces', 'grant_type=client_credentials', `Basic  ${Buffer.from(`${ID}:s`).toString('base64')}`],
    ['Basic badly %-encoded', 'grant_type=client_credentials', basic(ID, '%E0%A4%A')],
    ['a secret with a control character', 'grant_type=client_credentials', basic(ID, 'a\tb')],
    ['a secret outside ASCII', 'grant_type=client_credentials', basic(ID, 'pässword')],
    ['an empty secret', 'grant_type=client_credentials', basic(ID, '')],
    ['no credentials', 'grant_type=client_credentials', undefined],
    ['a scope with two spaces', 'grant_type=client_credentials&scope=a%20%20b', basic(ID, 's')],
    ['a scope with a quote', 'grant_type=client_credentials&scope=a%22b', basic(ID, 's')],
    ['an empty audience', 'grant_type=client_credentials&audience=', basic(ID, 's')],
  ])('leaves %s to oidc-provider', (_case, body, authorization) => {
    expect(read(body, authorization === undefined ? {} : { authorization })).toBeUndefined();
  });

  it('reads nothing with a DPoP proof, another content type or no Content-Length', () => {
    expect(mayReadSecretGrant(FORM)).toBe(true);
    expect(mayReadSecretGrant({ ...FORM, 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' })).toBe(true);
    expect(mayReadSecretGrant({ ...FORM, dpop: 'x.y.z' })).toBe(false);
    expect(mayReadSecretGrant({ ...FORM, 'content-type': 'application/json' })).toBe(false);
    expect(mayReadSecretGrant({ ...FORM, 'content-type': 'application/x-www-form-urlencoded; charset=latin1' })).toBe(false);
    expect(mayReadSecretGrant({ 'content-type': FORM['content-type'], 'transfer-encoding': 'chunked' })).toBe(false);
  });

  it('takes only absolute URIs without a fragment as resource indicators (RFC 8707 §2)', () => {
    expect(isResourceIndicator('https://api.example/v1')).toBe(true);
    expect(isResourceIndicator('urn:example:api')).toBe(true);
    expect(isResourceIndicator('api.example')).toBe(false);
    expect(isResourceIndicator('https://api.example/#x')).toBe(false);
  });
});

describe('the JWS signer', () => {
  it.each(['ES256', 'EdDSA', 'PS256', 'RS256'] as const)('signs %s tokens that jose verifies, under { alg, typ, kid }', async (alg) => {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'k1', alg };
    const payload = { sub: ID, aud: 'https://api.example', iss: 'http://issuer', exp: Math.floor(Date.now() / 1000) + 60, note: 'é' };
    const token = compactSigner(alg, jwk)(payload);
    expect(decodeProtectedHeader(token)).toEqual({ alg, typ: 'at+jwt', kid: 'k1' });
    const verified = await jwtVerify(token, await importJWK(await exportJWK(publicKey), alg), { typ: 'at+jwt', audience: 'https://api.example' });
    expect(verified.payload).toEqual(payload);
    // A changed payload does not verify.
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'other' })).toString('base64url')}.${s}`;
    await expect(jwtVerify(forged, await importJWK(await exportJWK(publicKey), alg))).rejects.toThrow();
  });
});
