// Where GET /metrics is served, and to whom. The metrics tell an attacker which keys fail,
// how busy the server is and what it runs, so they are not public:
// - METRICS_PORT: on a listener of their own (METRICS_HOST, loopback by default) and not on
//   the main port at all;
// - METRICS_TOKEN: on the main port to `Authorization: Bearer <METRICS_TOKEN>` only
//   (compared in constant time);
// - neither: on the main port to loopback peers only, and never to a proxied request (one
//   carrying X-Forwarded-For or Forwarded), so a reverse proxy on the same host does not
//   publish them.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';

export const METRICS_PATH = '/metrics';

const digest = (value: string) => createHash('sha256').update(value).digest();
const isLoopback = (address: string | undefined) => !!address && /^(127\.|::1$|::ffff:127\.)/.test(address);

type MetricsConfig = Pick<Config, 'metricsPort' | 'metricsToken'>;

/** Whether a request on the main port may read the metrics: 'ok', or the status to answer. */
function mainPortAccess(config: MetricsConfig, req: IncomingMessage): 'ok' | 401 | 404 {
  if (config.metricsPort !== undefined) return 404;
  if (config.metricsToken !== undefined) {
    const match = /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? '');
    return match && timingSafeEqual(digest(match[1]), digest(config.metricsToken)) ? 'ok' : 401;
  }
  const proxied = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  return !proxied && isLoopback(req.socket.remoteAddress) ? 'ok' : 404;
}

async function send(registry: Registry, res: ServerResponse): Promise<void> {
  const text = await registry.metrics();
  res.setHeader('Content-Type', registry.contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

/** GET /metrics on the main app, guarded as the header says. */
export function metricsRoute(config: MetricsConfig, registry: Registry): RequestHandler {
  return async (req, res, next) => {
    const access = mainPortAccess(config, req);
    if (access === 404) return next(); // the app's own 404, as for any unknown path
    if (access === 401) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      res.status(401).json({ error: { code: 401, message: 'The metrics need Authorization: Bearer <METRICS_TOKEN>.', status: 'UNAUTHENTICATED', details: [] } });
      return;
    }
    await send(registry, res);
  };
}

/** The METRICS_PORT listener: GET /metrics and nothing else. Resolves with its URL. */
export async function startMetricsListener(config: Pick<Config, 'metricsPort' | 'metricsHost'>, registry: Registry): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === METRICS_PATH) {
      send(registry, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
      return;
    }
    res.statusCode = 404;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(`Not found: this listener serves GET ${METRICS_PATH} only.\n`);
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metricsPort, config.metricsHost, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.metricsHost.includes(':') ? `[${config.metricsHost}]` : config.metricsHost;
  return { server, url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}` };
}
