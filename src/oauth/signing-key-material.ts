// Makes a new signing key pair: public JWK for the JWKS, private JWK sealed for storage.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { ConfigError, type SigningAlg } from '../config.js';
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

export function openPrivateJwk(box: SealedBox, kid: string, sealed: string): JWK {
  let plaintext: string;
  try {
    plaintext = box.open(sealed, `signing-key:${kid}`);
  } catch (cause) {
    // Almost always an instance started with another master key than the one that made the key.
    throw new ConfigError(
      `Signing key ${kid} cannot be decrypted: KEYMINT_MASTER_KEY is not the master key it was sealed with. ` +
        'Every instance on this database must use the same KEYMINT_MASTER_KEY.',
      { cause },
    );
  }
  return JSON.parse(plaintext) as JWK;
}
