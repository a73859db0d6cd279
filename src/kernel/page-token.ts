// Opaque, tamper-evident page tokens: the keyset position and the project it belongs
// to, MACed with a key derived from the master key. A forged, altered or foreign token
// is refused rather than silently restarting the list.
import { createHmac, timingSafeEqual } from 'node:crypto';

interface Position {
  projectId: string;
  afterId: string;
}

export class PageTokenCodec {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  // The MAC as canonical base64url text, compared as text: decoding the given MAC first
  // would accept other spellings of it (Buffer ignores stray characters, padding and the
  // unused low bits of the last character), so an altered token could still pass.
  #mac(payload: string): string {
    return createHmac('sha256', this.#key).update(payload).digest().subarray(0, 16).toString('base64url');
  }

  encode(position: Position): string {
    const payload = Buffer.from(JSON.stringify([position.projectId, position.afterId])).toString('base64url');
    return `${payload}.${this.#mac(payload)}`;
  }

  /** The position, or undefined when the token was not made by us for this project. */
  decode(token: string, projectId: string): Position | undefined {
    const [payload, mac, extra] = token.split('.');
    if (!payload || !mac || extra !== undefined) return undefined;
    const given = Buffer.from(mac);
    const expected = Buffer.from(this.#mac(payload));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const [p, afterId] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [string, string];
      return p === projectId && typeof afterId === 'string' ? { projectId: p, afterId } : undefined;
    } catch {
      return undefined;
    }
  }
}
