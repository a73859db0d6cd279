// The baseline of the warm-token comparison, run as its own child process: a bare
// oidc-provider (the version Keymint uses) with one static in-memory client whose secret
// is plaintext, signing ES256 JWT access tokens for the client_credentials grant. No
// database, no bcrypt, no express: what "the speed of signing a JWT" costs here.
// Environment: PORT, CLIENT_ID, CLIENT_SECRET.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function signingJwk() {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' };
}

async function main() {
  const port = Number(required('PORT'));
  const issuer = `http://127.0.0.1:${port}`;
  const audience = issuer;
  const configuration: Configuration = {
    clients: [
      {
        client_id: required('CLIENT_ID'),
        client_secret: required('CLIENT_SECRET'),
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [await signingJwk()] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    routes: { token: '/oauth2/token' },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        getResourceServerInfo: () => ({
          audience,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
          scope: '',
        }),
      },
    },
  };
  const provider = new Provider(issuer, configuration);
  const server = provider.listen(port, '127.0.0.1');
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await main();
