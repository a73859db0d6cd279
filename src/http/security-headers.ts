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

// The console's pages: scripts, styles and fetches from our own origin only. No
// 'unsafe-inline' anywhere: the bundle has no inline script or style attribute.
export const consoleHelmet = () =>
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
  });
