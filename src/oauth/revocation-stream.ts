// The revocation feed as Server-Sent Events (issue 14): GET /oauth2/revocations with
// Accept: text/event-stream gets the document as an event at once and again on every change,
// with the document's ETag as the event id (an EventSource sends it back as Last-Event-ID
// when it reconnects: a client that already has the current document then gets nothing until
// the next change). A comment line every `heartbeatMs` keeps proxies from closing an idle
// stream; a stream ends after `lifetimeMs` (the client reconnects, so connections spread
// over instances again), when the client reads too slowly, and at shutdown.
import type { Request, Response } from 'express';
import type { RevocationStore } from './revocation-store.js';

export interface RevocationStreamOptions {
  /** Default 15 s. */
  heartbeatMs?: number;
  /** Default 10 min. */
  lifetimeMs?: number;
}

const HEARTBEAT_MS = 15_000;
const LIFETIME_MS = 10 * 60_000;
// A client this far behind is not reading: it reconnects and gets the current document.
const MAX_BUFFERED_BYTES = 1 << 20;

/** The client asks for an event stream rather than the JSON document. */
export const wantsEventStream = (req: Request): boolean => req.accepts(['json', 'text/event-stream']) === 'text/event-stream';

export async function streamRevocations(req: Request, res: Response, store: RevocationStore, opts: RevocationStreamOptions = {}): Promise<void> {
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  const endAt = Date.now() + (opts.lifetimeMs ?? LIFETIME_MS);
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Accel-Buffering', 'no'); // nginx: pass each event on at once
  res.flushHeaders();
  res.write('retry: 1000\n\n');
  const gone = new Promise<void>((resolve) => res.once('close', () => resolve()));
  const header = req.headers['last-event-id'];
  let sent = typeof header === 'string' ? header : undefined;
  let first = true;
  while (!res.destroyed && !store.closed && Date.now() < endAt) {
    if (res.writableLength > MAX_BUFFERED_BYTES) return void res.destroy();
    if (store.etag !== sent) {
      sent = store.etag;
      // The document is one line of JSON: one data field.
      res.write(`id: ${sent}\nevent: revocations\ndata: ${store.body}\n\n`);
    } else if (!first) {
      res.write(': keep-alive\n\n');
    }
    first = false;
    await Promise.race([store.waitForChange(sent, Math.max(0, Math.min(heartbeatMs, endAt - Date.now()))), gone]);
  }
  if (!res.destroyed) res.end();
}
