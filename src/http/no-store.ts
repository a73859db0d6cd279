// Cache-Control: no-store (and Pragma: no-cache for HTTP/1.0 caches) on every answer of the
// management and console APIs: they carry new secrets, revealed API keys, CSRF tokens and
// session data, and a 401 or a list is no business of a shared cache either. The public
// documents (openapi.json, discovery, JWKS) set their own caching.
import type { RequestHandler } from 'express';

export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  next();
};
