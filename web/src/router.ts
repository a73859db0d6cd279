// Routes of the console, in the History API: /console/ (Access keys), /console/api-settings
// (the first project's API Settings), /console/projects/{projectId}/api-settings, and the
// Administrators' /console/users and /console/audit-log, and everyone's /console/password
// (Change password). The server answers every one of them with index.html.
export type Route =
  | { name: 'access-keys' }
  | { name: 'api-settings'; projectId?: string }
  | { name: 'users' }
  | { name: 'apis' }
  | { name: 'audit-log' }
  | { name: 'password' }
  | { name: 'usage'; projectId: string }
  | { name: 'not-found' };

export const BASE = '/console/';

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname.replace(/^\/console$/, '');
  if (path === '' || path === 'access-keys') return { name: 'access-keys' };
  if (path === 'api-settings') return { name: 'api-settings' };
  if (path === 'users' || path === 'audit-log' || path === 'password' || path === 'apis') return { name: path };
  const usage = /^projects\/([^/]+)\/usage$/.exec(path);
  if (usage) return { name: 'usage', projectId: decodeURIComponent(usage[1]) };
  const match = /^projects\/([^/]+)\/api-settings$/.exec(path);
  if (match) return { name: 'api-settings', projectId: decodeURIComponent(match[1]) };
  return { name: 'not-found' };
}

export function hrefFor(route: Route): string {
  if (route.name === 'usage') return `${BASE}projects/${encodeURIComponent(route.projectId)}/usage`;
  if (route.name === 'api-settings') {
    return route.projectId ? `${BASE}projects/${encodeURIComponent(route.projectId)}/api-settings` : `${BASE}api-settings`;
  }
  if (route.name === 'users' || route.name === 'audit-log' || route.name === 'password' || route.name === 'apis') return `${BASE}${route.name}`;
  return BASE;
}

let listener: (route: Route) => void = () => {};

export function navigate(href: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  listener(parseRoute(location.pathname));
}

/** Follows in-page links to console routes without reloading; calls onRoute for each route. */
export function startRouter(onRoute: (route: Route) => void): void {
  listener = onRoute;
  window.addEventListener('popstate', () => listener(parseRoute(location.pathname)));
  document.addEventListener('click', (event) => {
    const link = (event.target as Element).closest?.('a[href]');
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const url = new URL((link as HTMLAnchorElement).href);
    if (url.origin !== location.origin || !url.pathname.startsWith(BASE) || link.hasAttribute('download')) return;
    if (url.hash && url.pathname === location.pathname) return; // the skip link
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  listener(parseRoute(location.pathname));
}
