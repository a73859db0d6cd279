// The route template of a request (`/v1/projects/:projectId/accessKeys`), found from the
// request's own path against every route the express app has, so that the label is the
// same whatever the outcome: a request refused by a middleware before its route ran (401,
// 403, 429) counts under the route it was going to, like the request that succeeded.
import type { Express } from 'express';
import { match } from 'path-to-regexp';

interface Layer {
  rawPath?: unknown;
  slash?: boolean;
  route?: { path: unknown };
  handle?: { stack?: Layer[] };
}

type Matcher = (path: string) => unknown;

const join = (prefix: string, path: string) => (prefix + (path === '/' ? '' : path) || '/');

/** Every string route template of a router, mounted routers included, in registration order. */
export function collectTemplates(stack: Layer[], prefix = ''): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route && typeof layer.route.path === 'string') out.push(join(prefix, layer.route.path));
    else if (layer.handle?.stack && (layer.slash || typeof layer.rawPath === 'string')) {
      out.push(...collectTemplates(layer.handle.stack, layer.slash ? prefix : join(prefix, layer.rawPath as string)));
    }
  }
  return out;
}

/** Paths handled outside express routes (oidc-provider, the console's files) by their prefix. */
const PREFIXES: Array<[string, (path: string) => string]> = [
  ['/oauth2/', (p) => p],
  ['/.well-known/', (p) => p],
  ['/console', () => '/console/*'],
];

export class RouteTemplates {
  #matchers: Array<[string, Matcher]> | undefined;
  constructor(private readonly app: () => Express) {}

  /** The template of a path (no query string), or 'unmatched'. */
  of(path: string): string {
    this.#matchers ??= collectTemplates((this.app().router as unknown as { stack: Layer[] }).stack)
      .filter((t, i, all) => all.indexOf(t) === i)
      .map((t) => [t, match(t, { decode: false })]);
    for (const [template, matches] of this.#matchers) if (matches(path)) return template;
    for (const [prefix, label] of PREFIXES) if (path.startsWith(prefix)) return label(path).slice(0, 64);
    return 'unmatched';
  }
}
