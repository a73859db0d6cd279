// Security headers and CORS, swept over every route of a running Keymint: each answer,
// success or error, must carry the API's helmet headers (the OWASP REST set; the console's
// pages carry more, src/http/security-headers.ts) and no Access-Control-* header, even to
// a request from a browser origin and to a CORS preflight.
export interface RouteFigure {
  route: string;
  status: number;
  missing: string[];
  cors: string[];
}

export const HELMET = [
  'content-security-policy',
  'cross-origin-resource-policy',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-frame-options',
];

interface Probe {
  route: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export async function sweepHeaders(url: string, projectId: string, basic: string, bearer: string): Promise<RouteFigure[]> {
  const list = `/v1/projects/${projectId}/accessKeys`;
  const wrong = `Basic ${Buffer.from('00000000-0000-4000-8000-000000000000:wrong').toString('base64')}`;
  const probes: Probe[] = [
    { route: 'POST /oauth2/token (good)', method: 'POST', path: '/oauth2/token', headers: { authorization: basic, ...FORM }, body: 'grant_type=client_credentials' },
    { route: 'POST /oauth2/token (bad)', method: 'POST', path: '/oauth2/token', headers: { authorization: wrong, ...FORM }, body: 'grant_type=client_credentials' },
    { route: 'OPTIONS /oauth2/token (preflight)', method: 'OPTIONS', path: '/oauth2/token', headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } },
    { route: 'POST /oauth2/introspect (good)', method: 'POST', path: '/oauth2/introspect', headers: { authorization: basic, ...FORM }, body: `token=${bearer}` },
    { route: 'POST /oauth2/introspect (bad)', method: 'POST', path: '/oauth2/introspect', headers: { authorization: wrong, ...FORM }, body: 'token=x' },
    { route: 'GET /.well-known/oauth-authorization-server', method: 'GET', path: '/.well-known/oauth-authorization-server' },
    { route: 'GET /.well-known/jwks.json', method: 'GET', path: '/.well-known/jwks.json' },
    { route: 'GET /v1/projects/{p}/accessKeys (Bearer)', method: 'GET', path: list, headers: { authorization: `Bearer ${bearer}` } },
    { route: 'GET /v1/projects/{p}/accessKeys (none)', method: 'GET', path: list },
    { route: 'OPTIONS /v1/projects/{p}/accessKeys (preflight)', method: 'OPTIONS', path: list, headers: { 'access-control-request-method': 'POST' } },
    { route: 'POST /v1/projects/{p}/accessKeys (bad JSON)', method: 'POST', path: list, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: '{' },
    { route: 'GET /v1/openapi.json', method: 'GET', path: '/v1/openapi.json' },
    { route: 'GET /healthz', method: 'GET', path: '/healthz' },
    { route: 'GET /readyz', method: 'GET', path: '/readyz' },
    { route: 'GET /metrics', method: 'GET', path: '/metrics' },
    { route: 'GET /no-such-route (404)', method: 'GET', path: '/no-such-route' },
    { route: 'GET /console/ (the web console)', method: 'GET', path: '/console/' },
    { route: 'POST /api/session (wrong password)', method: 'POST', path: '/api/session', headers: { 'content-type': 'application/json' }, body: '{"email":"nobody@example.com","password":"wrong password"}' },
    { route: 'GET /api/projects (not signed in)', method: 'GET', path: '/api/projects' },
  ];
  const figures: RouteFigure[] = [];
  for (const p of probes) {
    const res = await fetch(`${url}${p.path}`, { method: p.method, headers: { origin: 'https://evil.example', ...p.headers }, body: p.body });
    await res.arrayBuffer();
    const names = [...res.headers.keys()];
    figures.push({
      route: p.route,
      status: res.status,
      missing: HELMET.filter((h) => !res.headers.has(h)),
      cors: names.filter((h) => h.startsWith('access-control-')),
    });
  }
  return figures;
}

export const headerFailures = (routes: RouteFigure[]) =>
  routes.flatMap((r) => [
    ...(r.missing.length ? [`${r.route}: missing ${r.missing.join(', ')}`] : []),
    ...(r.cors.length ? [`${r.route}: sends ${r.cors.join(', ')}`] : []),
  ]);
