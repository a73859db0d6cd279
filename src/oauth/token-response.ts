// The server's ServerResponse class (node:http's `ServerResponse` option). On the token
// endpoint's fast path, what the express stack would add to a response is added here,
// once, just before the head is written: the security headers, and the removal of the
// CORS headers oidc-provider always sets (Keymint keeps CORS closed: services call the
// token endpoint from servers, never from a browser page). Doing it at writeHead rather
// than with a per-request setHeader wrapper keeps the hot path free of closures, and
// oidc-provider's CORS layer, which lists the headers already set, has fewer to list.
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';

export class KeymintResponse<Req extends IncomingMessage = IncomingMessage> extends ServerResponse<Req> {
  /** Headers to add before the head is written; set by the token fast path only. */
  finalHeaders: ReadonlyArray<readonly [string, string]> | undefined;
  /** process.hrtime.bigint() when the token request arrived. */
  startedAt = 0n;

  override writeHead(statusCode: number, ...rest: [string?, (OutgoingHttpHeaders | unknown[])?] | [(OutgoingHttpHeaders | unknown[])?]): this {
    const headers = this.finalHeaders;
    if (headers) {
      this.finalHeaders = undefined;
      for (const [name, value] of headers) this.setHeader(name, value);
      // oidc-provider's CORS layer sets exactly these two on a POST (lib/shared/cors.js).
      this.removeHeader('access-control-allow-origin');
      this.removeHeader('access-control-expose-headers');
    }
    return (super.writeHead as (code: number, ...args: unknown[]) => this)(statusCode, ...rest);
  }
}
