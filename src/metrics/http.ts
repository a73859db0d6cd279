// Records request latency per route template (never the raw path, which holds IDs). The
// template is found from the path the request arrived with (route-template.ts), so a
// refused request and an answered one count under the same route.
import type { Express, RequestHandler } from 'express';
import type { Metrics } from './registry.js';
import { RouteTemplates } from './route-template.js';

export function httpMetrics(metrics: Metrics, app: () => Express): RequestHandler {
  const templates = new RouteTemplates(app);
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    const path = req.path;
    res.on('finish', () => {
      end({ method: req.method, route: templates.of(path), status: String(res.statusCode) });
    });
    next();
  };
}
