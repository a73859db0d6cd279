// An HMAC key's secret must come back to check a signature, so it is sealed (AES-256-GCM
// under the master key), never stored in the clear. The key's id is the associated data:
// a sealed secret copied onto another key's row does not open.
import type { SealedBox } from '../crypto/sealed-box.js';

const aad = (keyId: string) => `hmac-secret:${keyId}`;

export const sealHmacSecret = (box: SealedBox, keyId: string, secret: string): string => box.seal(secret, aad(keyId));

export const openHmacSecret = (box: SealedBox, keyId: string, sealed: string): string => box.open(sealed, aad(keyId));
