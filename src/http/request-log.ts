// One log line per request: method, path (no query string), status and duration.
// Headers and bodies are never logged: they carry secrets and tokens.
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { SECRET_PREFIX } from '../access-keys/secrets.js';

// A client that puts a credential where an ID belongs (a Key Secret or an access token in
// the path) must not get it written to the log; the query string is never logged at all.
const CREDENTIAL = new RegExp(`${SECRET_PREFIX}[0-9A-Za-z]*|eyJ[\\w-]*\\.[\\w-]*\\.[\\w-]*`, 'g');

/** The request path as it may be logged: credentials in it replaced. */
export const loggablePath = (req: Request): string => req.path.replace(CREDENTIAL, '[redacted]');

export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      log.debug({ method: req.method, path: loggablePath(req), status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
