// `keymint keys public-keys list|add|remove` and `keymint keys token-settings get|set`: a key's
// public keys (private_key_jwt) and token settings (DPoP, jwks_uri), issue 14, through the
// v1 API's service (same rules; audited with "keymint CLI" as the actor, like the other key
// commands). The JWK or JWK Set to add is checked before any database work.
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { OPERATOR } from '../access-keys/service.js';
import { PublicKeysService, type PublicKey, type TokenSettings } from '../access-keys/public-keys-service.js';
import { checkJwksUri, publicKeysOf } from '../access-keys/public-keys-routes.js';
import { ApiError } from '../kernel/api-error.js';
import type { CliContext, DatabaseHandle } from './context.js';
import { CliError } from './errors.js';
import * as parse from './options.js';
import { fields, printer, table } from './output.js';

const service = (d: DatabaseHandle) => new PublicKeysService({ db: d.db, feed: d.feed });

function jwksUri(value: string): string {
  try {
    return checkJwksUri(value.trim());
  } catch (err) {
    throw new InvalidArgumentError(`--jwks-uri: ${(err as ApiError).message}`);
  }
}

/** The JWK or JWK Set in the file ("-": stdin), checked by the v1 rules. */
async function keysFrom(ctx: CliContext, file: string) {
  const text = file === '-' ? await ctx.stdin() : await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`--file ${file} cannot be read (${err.code ?? err.message}).`, 2);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`--file ${file} is not JSON: give one public JWK ({"kty": ...}) or a JWK Set ({"keys": [...]}).`, 2);
  }
  const set = parsed !== null && typeof parsed === 'object' && 'keys' in parsed;
  return (await publicKeysOf(set ? { jwks: parsed } : { jwk: parsed }))!;
}

const keyRows = (keys: PublicKey[]) =>
  table(keys, [['kid', 'KID'], ['alg', 'ALG'], ['publicKeyId', 'PUBLIC KEY ID (THUMBPRINT)'], ['createTime', 'ADDED']]);

const settingsFields = (s: TokenSettings) => fields([['DPoP required', s.dpopRequired], ['jwks_uri', s.jwksUri]]);

export function registerPublicKeys(keys: Command, ctx: CliContext, project: (c: Command) => Command): void {
  const publicKeys = keys.command('public-keys').description("a key's public keys: it then gets tokens with private_key_jwt client assertions");

  project(publicKeys.command('list').description("list a key's public keys, oldest first"))
    .argument('<keyId>', 'Key ID', parse.id('the Key ID'))
    .option('--json', 'print JSON: {"publicKeys"} as the v1 API answers')
    .action((keyId: string, opts: { project: string; json?: boolean }) =>
      ctx.withDatabase(async (d) => {
        const listed = await service(d).list(OPERATOR, opts.project, keyId);
        printer(ctx.io, opts.json).print(listed, () =>
          listed.publicKeys.length ? keyRows(listed.publicKeys) : `Access key ${keyId} has no public keys: \`keymint keys public-keys add ${keyId} --project ${opts.project} --file key.json\` adds one.`,
        );
      }),
    );

  project(publicKeys.command('add').description('add a public JWK, or every key of a JWK Set (all or none)'))
    .argument('<keyId>', 'Key ID', parse.id('the Key ID'))
    .requiredOption('--file <path>', 'the JWK or JWK Set as JSON ("-": stdin); RS256, PS256, ES256 or EdDSA public keys only')
    .option('--json', 'print JSON: {"publicKeys": [the keys added]}')
    .action(async (keyId: string, opts: { project: string; file: string; json?: boolean }) => {
      const input = await keysFrom(ctx, opts.file);
      await ctx.withDatabase(async (d) => {
        const added = await service(d).add(OPERATOR, opts.project, keyId, input);
        printer(ctx.io, opts.json).print(added, () => `${keyRows(added.publicKeys)}\n\nAccess key ${keyId} may now get tokens with client assertions signed by ${added.publicKeys.length === 1 ? 'this key' : 'these keys'} (private_key_jwt).`);
      });
    });

  project(publicKeys.command('remove').description('remove a public key: assertions signed with it are refused on every instance within a second'))
    .argument('<keyId>', 'Key ID', parse.id('the Key ID'))
    .argument('<publicKeyId>', 'the public key ID (its RFC 7638 thumbprint, as the list shows it)', (v: string) => {
      if (!/^[A-Za-z0-9_-]{43}$/.test(v.trim())) throw new InvalidArgumentError('the public key ID must be the thumbprint the list shows (43 characters).');
      return v.trim();
    })
    .option('--json', 'print JSON: {}')
    .action((keyId: string, publicKeyId: string, opts: { project: string; json?: boolean }) =>
      ctx.withDatabase(async (d) => {
        await service(d).remove(OPERATOR, opts.project, keyId, publicKeyId);
        printer(ctx.io, opts.json).print({}, () => `Public key ${publicKeyId} is removed from access key ${keyId}.`);
      }),
    );

  const settings = keys.command('token-settings').description("a key's token settings: DPoP required, jwks_uri");

  project(settings.command('get').description("show a key's token settings"))
    .argument('<keyId>', 'Key ID', parse.id('the Key ID'))
    .option('--json', 'print JSON: {"dpopRequired","jwksUri"} as the v1 API answers')
    .action((keyId: string, opts: { project: string; json?: boolean }) =>
      ctx.withDatabase(async (d) => {
        const got = await service(d).getSettings(OPERATOR, opts.project, keyId);
        printer(ctx.io, opts.json).print(got, () => settingsFields(got));
      }),
    );

  project(settings.command('set').description('change the settings given, keep the others; in force on every instance within a second'))
    .argument('<keyId>', 'Key ID', parse.id('the Key ID'))
    .option('--dpop-required', 'refuse token requests without a DPoP proof (RFC 9449)')
    .option('--no-dpop-required', 'accept token requests without a DPoP proof again')
    .option('--jwks-uri <url>', 'take the public keys from this https URL (not while the key holds public keys)', jwksUri)
    .option('--no-jwks-uri', 'clear the jwks_uri')
    .option('--json', 'print JSON: the settings')
    .action((keyId: string, opts: { project: string; dpopRequired?: boolean; jwksUri?: string | false; json?: boolean }) => {
      if (opts.dpopRequired === undefined && opts.jwksUri === undefined) {
        throw new CliError('Give --dpop-required or --no-dpop-required, and/or --jwks-uri URL or --no-jwks-uri.', 2);
      }
      const change = { dpopRequired: opts.dpopRequired, jwksUri: opts.jwksUri === false ? null : opts.jwksUri };
      return ctx.withDatabase(async (d) => {
        const saved = await service(d).updateSettings(OPERATOR, opts.project, keyId, change);
        printer(ctx.io, opts.json).print(saved, () => `${settingsFields(saved)}\n\nIn force on every instance within a second.`);
      });
    });
}
