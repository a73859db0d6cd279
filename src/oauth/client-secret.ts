// Checks a presented Key Secret against the stored bcrypt hash. An unknown key burns the
// same bcrypt work against a dummy hash, so that unknown key and wrong secret take the
// same time and cannot be told apart.
import bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';

export class SecretVerifier {
  readonly #dummyHash: string;

  private constructor(dummyHash: string) {
    this.#dummyHash = dummyHash;
  }

  static async create(cost: number): Promise<SecretVerifier> {
    return new SecretVerifier(await bcrypt.hash(randomBytes(32).toString('base64url'), cost));
  }

  /** bcrypt.compare is constant-time in the hash comparison. */
  async verify(secret: string, hash: string | undefined): Promise<boolean> {
    if (hash === undefined) {
      await bcrypt.compare(secret, this.#dummyHash);
      return false;
    }
    return bcrypt.compare(secret, hash);
  }
}
