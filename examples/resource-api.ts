// A minimal resource API protected by Keymint access tokens: the smallest complete use
// of keymint/verify (here imported by relative path so it runs from this repository).
//
// Run it next to a Keymint server:
//   npm run build && node dist/examples/resource-api.js
//   curl -H "Authorization: Bearer $TOKEN" http://localhost:4000/hello
// Environment: KEYMINT_ISSUER (default http://localhost:3000), AUDIENCE (default: the
// issuer), PORT (default 4000).
import express from 'express';
import { createVerifier, requireAccessToken } from '../src/verify/index.js';

const issuer = process.env.KEYMINT_ISSUER ?? 'http://localhost:3000';
const audience = process.env.AUDIENCE ?? issuer;
const port = Number(process.env.PORT ?? 4000);

const verifier = createVerifier({ issuer, audience });
const app = express();

app.get('/hello', requireAccessToken(verifier, { realm: 'resource-api' }), (_req, res) => {
  const token = res.locals.accessToken!;
  res.json({ message: `Hello, ${token.clientId}!`, clientId: token.clientId, projectId: token.projectId });
});

app.listen(port, () => {
  console.log(`resource API on http://localhost:${port}/hello, trusting ${issuer} for audience ${audience}`);
});
