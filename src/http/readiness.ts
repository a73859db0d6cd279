// GET /readyz: 200 only when the database answered a real statement within
// READINESS_TIMEOUT_MS (a hung, locked or unreachable database is 503, in bounded time);
// a read-only database still serves tokens, so it is ready and says it is read-only.
import type { RequestHandler } from 'express';
import { probeDatabase } from '../db/health-queries.js';
import type { Db } from '../db/pool.js';

export const READINESS_TIMEOUT_MS = 1_500;

export function readiness(db: Db, isStopping: () => boolean = () => false): RequestHandler {
  return async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (isStopping()) {
      res.status(503).json({ status: 'unavailable', reason: 'shutting down' });
      return;
    }
    try {
      const { readOnly } = await probeDatabase(db, READINESS_TIMEOUT_MS);
      res.json(readOnly ? { status: 'ready', database: 'read-only' } : { status: 'ready' });
    } catch {
      res.setHeader('Retry-After', '5');
      res.status(503).json({ status: 'unavailable', reason: 'the database did not answer' });
    }
  };
}
