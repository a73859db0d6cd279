// The access log: one line per request at info (warn for refused
// authentication, permission and rate limits, at most REFUSAL_LINES_PER_SECOND of them and
// a summary of the rest: log-budget.ts; error for 5xx), with a request ID that is
// the caller's X-Request-Id when it is a safe value and a new UUID otherwise, returned in
// X-Request-Id. It wraps node:http's handler, so the token endpoint's fast path is logged
// too. Logged: method, path (no query string, credentials in it replaced), status, time,
// and for a refused Basic authentication the Key ID when it is one; never a header value
// or a body, which carry secrets and tokens.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { SECRET_PREFIX } from '../kernel/secrets.js';
import { LogBudget } from './log-budget.js';

// A client that puts a credential where an ID belongs (a Key Secret or an access token in
// the path) must not get it written to the log; the query string is never logged at all.
const CREDENTIAL = new RegExp(`${SECRET_PREFIX}[0-9A-Za-z]*|eyJ[\\w-]*\\.[\\w-]*\\.[\\w-]*`, 'g');

/** A request path (or URL: the query is cut) as it may be logged: credentials in it replaced. */
export const loggableUrl = (url: string): string => url.split('?', 1)[0].replace(CREDENTIAL, '[redacted]').slice(0, 512);

/** The express request's path as it may be logged. */
export const loggablePath = (req: Request): string => loggableUrl(req.originalUrl ?? req.url);

/** An X-Request-Id we accept: bounded, and of characters that are safe in any log or header. */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const REQUEST_ID_HEADER = 'x-request-id';

function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Key ID of a Basic Authorization header, only when it has the shape of one (never a secret). */
function basicKeyId(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (!auth || !/^basic /i.test(auth)) return undefined;
  const user = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8').split(':', 1)[0];
  let decoded = user;
  try {
    decoded = decodeURIComponent(user);
  } catch {
    return undefined;
  }
  return UUID.test(decoded) ? decoded.toLowerCase() : undefined;
}

const EVENTS: Record<number, string> = { 401: 'authentication_failed', 403: 'permission_denied', 429: 'rate_limited' };

type Level = 'info' | 'warn' | 'error';
const levelOf = (status: number): Level => (status >= 500 ? 'error' : EVENTS[status] ? 'warn' : 'info');

/**
 * Wraps a node:http request handler with the access log. Its own few lines rather than
 * pino-http: the request ID is set on every answer, but the line is built only when its
 * level is enabled, so at LOG_LEVEL=warn an answered request costs no logging at all (no
 * child logger, no serializers); the token endpoint's warm path is that cheap.
 */
export function withRequestLog<Res extends ServerResponse>(log: Logger, handler: (req: IncomingMessage, res: Res) => void, budget = new LogBudget(log)) {
  return (req: IncomingMessage, res: Res): void => {
    const started = Date.now();
    const reqId = requestId(req, res);
    // Read now: express rewrites req.url for a mounted router.
    const method = req.method;
    const url = req.url ?? '/';
    res.once('close', () => {
      const status = res.statusCode;
      const level = levelOf(status);
      if (!log.isLevelEnabled(level)) return;
      const line: Record<string, unknown> = { reqId, req: { method, path: loggableUrl(url) }, res: { status }, ms: Date.now() - started };
      if (!res.writableFinished) line.aborted = true; // the client went away before the answer was sent
      const event = EVENTS[status];
      // Refusals beyond the budget of lines per second are counted in a summary line (log-budget.ts).
      if (event && !budget.take(status)) return;
      if (event) {
        const retryAfter = res.getHeader('retry-after');
        Object.assign(line, { event, keyId: basicKeyId(req), retryAfter: retryAfter === undefined ? undefined : Number(retryAfter) });
      }
      log[level](line, 'request');
    });
    handler(req, res);
  };
}
