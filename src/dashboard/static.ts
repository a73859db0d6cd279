// Serves the web console (web/, bundled by Vite into dist/console/) at /console/ under its
// own Content-Security-Policy, and sends `/` there. Hashed assets are cached for a year;
// index.html is revalidated on every load so a deploy takes effect at once. Every other
// path without a file extension is a route of the console and gets index.html too.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import { consoleHelmet } from '../http/security-headers.js';

// From src/dashboard/ (tests run the TypeScript) and from dist/src/dashboard/ (npm start).
const CANDIDATES = ['../../dist/console/', '../../console/'];

export function findConsoleDir(): string | undefined {
  return CANDIDATES.map((rel) => fileURLToPath(new URL(rel, import.meta.url))).find((dir) => existsSync(join(dir, 'index.html')));
}

const YEAR = 365 * 24 * 3600;

export function consoleRouter(dir = findConsoleDir()): Router {
  const router = express.Router();
  router.get('/', (_req, res) => res.redirect(302, '/console/'));

  const pages = express.Router();
  pages.use(consoleHelmet());
  if (dir) {
    pages.use(
      express.static(dir, {
        index: 'index.html',
        setHeaders(res, path) {
          const hashed = path.startsWith(join(dir, 'assets'));
          res.setHeader('Cache-Control', hashed ? `public, max-age=${YEAR}, immutable` : 'no-cache');
        },
      }),
    );
    // The console's routes (/console/projects/…/api-settings) are pages of index.html.
    pages.use((req, res, next) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path.startsWith('/assets/') || /\.\w+$/.test(req.path)) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(join(dir, 'index.html'));
    });
  } else {
    pages.get('/', (_req, res) => {
      res.status(503).type('text/plain').send('The console is not built. Run `npm run build` and restart Keymint.\n');
    });
  }
  router.use('/console', pages);
  return router;
}
