#!/usr/bin/env node
// The `keymint` command for operators: migrate, bootstrap an account, manage accounts,
// users and projects (src/accounts/commands.ts), manage signing keys, make a master key.
// Works on DATABASE_URL or on the embedded DATA_DIR (when no server holds it).
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, type Config } from './config.js';
import { createLogger } from './log.js';
import { openDatabase, type Database } from './db/open.js';
import { generateMasterKey, resolveMasterKey } from './crypto/master-key.js';
import { deriveKey, SealedBox } from './crypto/sealed-box.js';
import { AccessKeysService } from './access-keys/service.js';
import { PageTokenCodec } from './kernel/page-token.js';
import { bootstrapAccount } from './access-keys/bootstrap.js';
import { registerAccountCommands } from './accounts/commands.js';
import { ensureSigningKey, rotateSigningKey } from './oauth/signing-keys.js';
import { listSigningKeys } from './oauth/signing-key-queries.js';
import { keyStatuses } from './oauth/signing-key-states.js';
import { opensWith } from './oauth/signing-key-prune.js';
import { registerPruneCommand } from './oauth/signing-key-commands.js';
import { checkMasterKey } from './crypto/master-key-check.js';

const log = createLogger(process.env.LOG_LEVEL ?? 'warn', 2);

function validName(label: string, max: number) {
  return (value: string) => {
    const v = value.trim();
    if (!v || [...v].length > max) throw new InvalidArgumentError(`${label} must be 1 to ${max} characters.`);
    return v;
  };
}

async function withDatabase<T>(fn: (d: Database, config: Config, masterKey: Buffer) => Promise<T>, options: { keyCheck?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const masterKey = await resolveMasterKey(config, log);
  const database = await openDatabase(config, log, { listen: false });
  try {
    // A command with the wrong master key refuses before it writes anything.
    if (options.keyCheck !== false) await checkMasterKey(database.db, new SealedBox(masterKey));
    return await fn(database, config, masterKey);
  } finally {
    await database.close();
  }
}

const program = new Command('keymint').description('Keymint token server administration').showHelpAfterError();

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(() => withDatabase(async () => console.log('database is up to date')));

program
  .command('bootstrap')
  .description('create a verified account, a project and its first access key; prints the secret once')
  .requiredOption('--account <name>', 'account name', validName('--account', 200))
  .requiredOption('--project <name>', 'project name', validName('--project', 200))
  .requiredOption('--key <displayName>', 'display name of the first access key', validName('--key', 100))
  .option('--json', 'print JSON: {"accountId","projectId","accessKey":{...},"secret"}')
  .action((opts: { account: string; project: string; key: string; json?: boolean }) =>
    withDatabase(async ({ db, feed }, config, masterKey) => {
      const accessKeys = new AccessKeysService({ db, feed, pageTokens: new PageTokenCodec(deriveKey(masterKey, 'page-token')), bcryptCost: config.bcryptCost });
      const result = await bootstrapAccount(db, accessKeys, opts);
      if (opts.json) {
        console.log(JSON.stringify(result));
        return;
      }
      console.log(`Account ID:  ${result.accountId}\nProject ID:  ${result.projectId}\nKey ID:      ${result.accessKey.accessKeyId}\nKey Secret:  ${result.secret}`);
      console.log('\nThe Key Secret is shown only this once. Store it now; a lost secret means a new key.');
    }),
  );

registerAccountCommands(program, (fn) => withDatabase(({ db }, config) => fn(db, config)));

const signingKeys = program.command('signing-keys').description('JWT signing keys');

signingKeys
  .command('list')
  .description('show signing keys and their state')
  .option('--json', 'print JSON')
  .action((opts: { json?: boolean }) =>
    withDatabase(async ({ db }, config, masterKey) => {
      const box = new SealedBox(masterKey);
      const rows = await listSigningKeys(db);
      const statuses = keyStatuses(rows, Date.now(), config.tokenTtlSeconds * 1000 + 300_000, config.signingAlg);
      const out = statuses.map((s) => ({
        kid: s.row.kid,
        alg: s.row.alg,
        state: s.state,
        decryptable: opensWith(box, s.row),
        createdAt: s.row.created_at.toISOString(),
        activatesAt: s.row.activates_at.toISOString(),
        unpublishAt: s.unpublishAt?.toISOString() ?? null,
      }));
      if (opts.json) return console.log(JSON.stringify(out));
      console.table(out);
    }, { keyCheck: false }), // a diagnosis: with a wrong key it shows every key undecryptable
  );

registerPruneCommand(signingKeys, (fn) => withDatabase(({ db }, _config, masterKey) => fn(db, new SealedBox(masterKey))));

signingKeys
  .command('rotate')
  .description('add a new signing key: published now, signing after --activate-in seconds')
  .option('--activate-in <seconds>', 'seconds until the new key signs (default 300: the JWKS cache lifetime)', (v) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError('--activate-in must be a whole number of seconds.');
    return Number(v);
  }, 300)
  .option('--json', 'print JSON')
  .action((opts: { activateIn: number; json?: boolean }) =>
    withDatabase(async (d, config, masterKey) => {
      const box = new SealedBox(masterKey);
      // Rotating an empty ring (no server started yet) first makes the key to rotate from.
      await ensureSigningKey(d.db, box, config.signingAlg, log);
      const row = await rotateSigningKey(d.db, box, config.signingAlg, opts.activateIn);
      const out = { kid: row.kid, alg: row.alg, activatesAt: row.activates_at.toISOString() };
      if (opts.json) return console.log(JSON.stringify(out));
      console.log(`New signing key ${out.kid} (${out.alg}) is published now and signs from ${out.activatesAt}.`);
    }),
  );

program
  .command('master-key')
  .description('print a new random master key for KEYMINT_MASTER_KEY')
  .action(() => console.log(generateMasterKey()));

try {
  await program.parseAsync();
} catch (err) {
  console.error(`keymint: ${(err as Error).message}`);
  process.exitCode = 1;
}
