// Token endpoint refusals as RFC 6749 §5.2 and RFC 9110 §15.5.2 want them, where
// oidc-provider answers otherwise:
// - no client authentication at all is `invalid_client` (401, with a Basic challenge naming
//   the methods), not 400 `invalid_request`;
// - every 401 carries WWW-Authenticate: oidc-provider adds it only when the client used the
//   Authorization header, so a wrong secret sent with client_secret_post got a bare 401.
// A koa middleware around oidc-provider's own error handler (provider.use).
import type { Middleware } from 'koa';

const NO_CLIENT_AUTH = 'no client authentication mechanism provided';

export function tokenErrorConformance(issuer: string): Middleware {
  const challenge = (error?: string, description?: string) =>
    `Basic realm="${issuer}"${error ? `, error="${error}"` : ''}${description ? `, error_description="${description}"` : ''}`;
  return async (ctx, next) => {
    await next();
    if (ctx.status < 400) return;
    const body = ctx.body as { error?: string; error_description?: string } | undefined;
    if (ctx.status === 400 && body?.error === 'invalid_request' && body.error_description === NO_CLIENT_AUTH) {
      ctx.status = 401;
      ctx.body = {
        error: 'invalid_client',
        error_description: 'client authentication is required: send the Key ID and Key Secret with HTTP Basic, or as client_id and client_secret in the form body',
      };
      ctx.set('WWW-Authenticate', challenge());
    } else if (ctx.status === 401 && !ctx.response.get('WWW-Authenticate')) {
      ctx.set('WWW-Authenticate', challenge(body?.error, body?.error_description));
    }
  };
}
