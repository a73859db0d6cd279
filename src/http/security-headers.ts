// helmet, configured for a JSON API: the headers the OWASP REST Security Cheat Sheet asks
// of API responses (a Content-Security-Policy that allows nothing and no framing, HSTS,
// nosniff, X-Frame-Options) plus no-referrer and a same-origin Cross-Origin-Resource-
// Policy. helmet's headers that only act on HTML documents a browser renders (COOP,
// Origin-Agent-Cluster, DNS prefetch, IE's download and XSS filters, Flash's cross-domain
// policy) are left off JSON: they protect nothing there and cost every token response
// bytes and time. The console's pages get helmet's full set (consoleHelmet). One
// configuration for express and for the token endpoint's fast path.
import helmet from 'helmet';

export const apiHelmet = () =>
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    frameguard: { action: 'deny' },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
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
