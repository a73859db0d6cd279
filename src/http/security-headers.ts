// helmet, configured for a JSON API: every response carries helmet's headers, with a
// Content-Security-Policy that allows nothing (no page of ours loads anything), which is
// also shorter than helmet's page-oriented default. One configuration for express and for
// the token endpoint's fast path.
import helmet from 'helmet';

export const apiHelmet = () =>
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    frameguard: { action: 'deny' },
  });
