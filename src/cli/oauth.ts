// `keymint token` and `keymint introspect`: an OAuth2 client of a running Keymint (like
// `hydra perform client-credentials`), over HTTP. The Key Secret comes from stdin or
// KEYMINT_KEY_SECRET, never from an argument (which other users can see in ps).
import { Option, type Command } from 'commander';
import { CliError } from './errors.js';
import type { CliContext } from './context.js';
import * as parse from './options.js';
import { fields, printer } from './output.js';

// The paths of src/oauth (provider.ts, introspection.ts), not imported: they load oidc-provider.
const TOKEN_PATH = '/oauth2/token';
const INTROSPECTION_PATH = '/oauth2/introspect';

interface ClientOptions {
  url?: string;
  keyId: string;
  secretStdin?: boolean;
  json?: boolean;
}

const serverUrl = (opts: ClientOptions, env: NodeJS.ProcessEnv) => opts.url ?? parse.httpUrl('KEYMINT_URL')(env.KEYMINT_URL || env.ISSUER || 'http://localhost:3000');

async function keySecret(ctx: CliContext, opts: ClientOptions, env: NodeJS.ProcessEnv): Promise<string> {
  const secret = opts.secretStdin ? await ctx.stdin() : env.KEYMINT_KEY_SECRET;
  if (!secret) throw new CliError('Give the Key Secret on stdin with --secret-stdin, or in KEYMINT_KEY_SECRET.');
  return secret;
}

// RFC 6749 §2.3.1: client_id and client_secret are form-urlencoded before Basic encoding.
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function post(url: string, authorization: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  } catch (err) {
    throw new CliError(`No Keymint answers at ${new URL(url).origin} (${(err as { cause?: { code?: string } }).cause?.code ?? 'unreachable'}): start it, or give its address with --url.`);
  }
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CliError(`${url} answered ${res.status} without JSON: is --url a Keymint server?`);
  }
  if (!res.ok) {
    const why = [body.error, body.error_description].filter(Boolean).join(': ');
    throw new CliError(`The server refused (${res.status}): ${why || text.slice(0, 200)}`);
  }
  return body;
}

const clientOptions = (c: Command) =>
  c
    .requiredOption('--key-id <id>', 'Key ID (client_id)', parse.id('--key-id'))
    .option('--secret-stdin', 'read the Key Secret from stdin (otherwise KEYMINT_KEY_SECRET)')
    .addOption(new Option('--url <url>', 'the Keymint server (default: KEYMINT_URL, ISSUER, or http://localhost:3000)').argParser(parse.httpUrl('--url')))
    .option('--json', 'print the whole JSON response');

export function registerOAuth(program: Command, ctx: CliContext, env: NodeJS.ProcessEnv = process.env): void {
  clientOptions(program.command('token').description('get an access token for a key (client_credentials grant); prints the token alone'))
    .option('--scope <scopes>', 'space-separated scopes to ask for')
    .option('--resource <uri>', 'the audience to ask for (RFC 8707)')
    .action(async (opts: ClientOptions & { scope?: string; resource?: string }) => {
      const base = serverUrl(opts, env);
      const secret = await keySecret(ctx, opts, env);
      const form: Record<string, string> = { grant_type: 'client_credentials' };
      if (opts.scope) form.scope = opts.scope;
      if (opts.resource) form.resource = opts.resource;
      const body = await post(`${base}${TOKEN_PATH}`, basic(opts.keyId, secret), form);
      printer(ctx.io, opts.json).print(body, () => String(body.access_token));
    });

  clientOptions(program.command('introspect').description('ask the server whether a token is active, and what it says (RFC 7662), as a key of its project'))
    .argument('<token>', 'the access token')
    .action(async (token: string, opts: ClientOptions) => {
      const base = serverUrl(opts, env);
      const secret = await keySecret(ctx, opts, env);
      const body = await post(`${base}${INTROSPECTION_PATH}`, basic(opts.keyId, secret), { token });
      const time = (v: unknown) => (typeof v === 'number' ? new Date(v * 1000).toISOString() : undefined);
      printer(ctx.io, opts.json).print(body, () =>
        body.active
          ? fields([
              ['Active', true],
              ['Client ID', body.client_id as string],
              ['Project ID', body.project_id as string],
              ['Scope', (body.scope as string) || undefined],
              ['Audience', Array.isArray(body.aud) ? body.aud.join(' ') : (body.aud as string)],
              ['Issued', time(body.iat)],
              ['Expires', time(body.exp)],
            ])
          : fields([['Active', false]]) + '\n(expired, revoked, of another project, or not a token of this server)',
      );
    });
}
