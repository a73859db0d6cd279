// Records request latency per route template (never the raw path, which holds IDs).
import type { RequestHandler } from 'express';
import type { Metrics } from './registry.js';

export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : req.path.startsWith('/oauth2/') || req.path.startsWith('/.well-known/') ? req.path : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
