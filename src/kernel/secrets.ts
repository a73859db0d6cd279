// Key Secrets: 256 random bits from the CSPRNG in base62 (safe in Basic auth and form
// encoding: no + % : /), a recognizable prefix and a CRC32 checksum so that secret
// scanners can find leaked ones without false positives. How they are stored: auth/secret-hash.ts.
import { crc32 } from 'node:zlib';
import { randomInt } from 'node:crypto';

export const SECRET_PREFIX = 'kmsk_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 43; // 43 × log2(62) ≈ 256 bits
const CHECKSUM_LENGTH = 6; // base62 of a 32-bit CRC
const SECRET_PATTERN = new RegExp(`^${SECRET_PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);

function base62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

const checksum = (body: string) => base62(crc32(SECRET_PREFIX + body) >>> 0, CHECKSUM_LENGTH);

export function generateSecret(): string {
  let body = '';
  for (let i = 0; i < BODY_LENGTH; i++) body += ALPHABET[randomInt(62)];
  return SECRET_PREFIX + body + checksum(body);
}

/** True when the value has the shape and checksum of a Keymint secret (says nothing of validity). */
export function isWellFormedSecret(value: string): boolean {
  if (!SECRET_PATTERN.test(value)) return false;
  const body = value.slice(SECRET_PREFIX.length, SECRET_PREFIX.length + BODY_LENGTH);
  return checksum(body) === value.slice(-CHECKSUM_LENGTH);
}
