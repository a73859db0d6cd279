// Makes a new signing key pair: public JWK for the JWKS, private JWK sealed for storage.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { SigningAlg } from '../config.js';
import type { SealedBox } from '../crypto/sealed-box.js';

export interface NewKeyMaterial {
  kid: string;
  alg: SigningAlg;
  publicJwk: JWK;
  privateSealed: string;
}

export async function generateSigningKey(alg: SigningAlg, box: SealedBox): Promise<NewKeyMaterial> {
  const options = alg === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : { modulusLength: 2048, extractable: true };
  const { publicKey, privateKey } = await generateKeyPair(alg, options);
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  const publicJwk: JWK = { ...pub, kid, alg, use: 'sig' };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  return { kid, alg, publicJwk, privateSealed: box.seal(JSON.stringify(privateJwk), `signing-key:${kid}`) };
}

export const openPrivateJwk = (box: SealedBox, kid: string, sealed: string): JWK =>
  JSON.parse(box.open(sealed, `signing-key:${kid}`)) as JWK;
