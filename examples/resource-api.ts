// A minimal resource API protected by Keymint access tokens: the smallest complete use
// of keymint/verify (here imported by relative path so it runs from this repository).
//
// Run it next to a Keymint server:
//   npm run build && node dist/examples/resource-api.js
//   curl -H "Authorization: Bearer $TOKEN" http://localhost:4000/hello
//   curl -H "Authorization: Bearer $TOKEN" http://localhost:4000/orders   (needs orders:read)
// Define the API in Keymint (console: APIs, or POST /api/apis) with AUDIENCE as its
// identifier and a scope orders:read, grant a key orders:read on it, and fetch its token with
//   resource=$AUDIENCE&scope=orders:read
// A token for another API is refused (401 invalid_token); one without orders:read gets 403
// insufficient_scope on /orders.
// A DPoP-bound token (docs/PRIVATE-KEY-JWT.md) is accepted only as
// `Authorization: DPoP $TOKEN` with a `DPoP: <proof>` header whose htu is PUBLIC_ORIGIN/hello;
// sent as Bearer it is refused (a copied token is useless without the client's key).
// Environment: KEYMINT_ISSUER (default http://localhost:3000), AUDIENCE (default: the
// issuer), PORT (default 4000), PUBLIC_ORIGIN (the origin clients call, default
// http://localhost:PORT).
import express from 'express';
import { createVerifier, hasScopes, requireAccessToken, requireScopes } from '../src/verify/index.js';

const issuer = process.env.KEYMINT_ISSUER ?? 'http://localhost:3000';
const audience = process.env.AUDIENCE ?? issuer;
const port = Number(process.env.PORT ?? 4000);

const verifier = createVerifier({ issuer, audience });
const app = express();

const publicOrigin = process.env.PUBLIC_ORIGIN ?? `http://localhost:${port}`;

const authenticated = requireAccessToken(verifier, { realm: 'resource-api', publicOrigin });

app.get('/hello', authenticated, (_req, res) => {
  const token = res.locals.accessToken!;
  res.json({ message: `Hello, ${token.clientId}!`, clientId: token.clientId, projectId: token.projectId, dpopBound: token.jkt !== undefined });
});

// A route that needs a scope: 403 insufficient_scope (scope="orders:read" in the challenge) without it.
app.get('/orders', authenticated, requireScopes('orders:read'), (_req, res) => {
  const token = res.locals.accessToken!;
  // The function form, for what a handler decides itself.
  res.json({ orders: [], accountId: token.accountId, mayWrite: hasScopes(token, 'orders:write') });
});

app.listen(port, () => {
  console.log(`resource API on http://localhost:${port}/hello, trusting ${issuer} for audience ${audience}`);
});
