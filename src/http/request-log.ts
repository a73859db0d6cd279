// One log line per request: method, path (no query string), status and duration.
// Headers and bodies are never logged: they carry secrets and tokens.
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      log.debug({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
