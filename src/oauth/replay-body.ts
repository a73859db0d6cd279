// Makes a request body that was already read readable again, for oidc-provider. It reads
// a body itself (lib/shared/selective_body.js): with req.iterator() while req.readable is
// true, else from req.body with a console warning. The token endpoint reads an HMAC-signed
// request's body first to check its MD5 (hmac-token.ts), then replays the
// same bytes through this one request's iterator.
import type { IncomingMessage } from 'node:http';

export function replayBody(req: IncomingMessage, body: Buffer): void {
  Object.defineProperty(req, 'readable', { value: true, configurable: true, writable: true });
  async function* bytes() {
    if (body.length) yield body;
  }
  req.iterator = (() => bytes()) as IncomingMessage['iterator'];
}
