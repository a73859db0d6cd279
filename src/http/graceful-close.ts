// Closing the HTTP server within a bound: stop accepting, let requests in flight finish
// with `Connection: close` on their answers (so keep-alive clients go elsewhere), close
// every keep-alive connection as soon as it is idle, and after `graceMs` cut whatever is
// still open. A request that arrives on an open connection while closing is still served.
import type { Server, ServerResponse } from 'node:http';

export interface GracefulServer {
  /** True once close() was called. */
  readonly closing: boolean;
  close(graceMs: number): Promise<void>;
}

export function gracefulServer(server: Server): GracefulServer {
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  const last = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  // Before any other 'request' listener: every response is known from its first moment.
  server.prependListener('request', (_req, res: ServerResponse) => {
    if (closing) return last(res);
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  return {
    get closing() {
      return closing;
    },
    close(graceMs) {
      closing = true;
      for (const res of inFlight) last(res);
      return new Promise<void>((resolve) => {
        const sweep = setInterval(() => server.closeIdleConnections(), 100);
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
