// `keymint signing-keys list|rotate`: the JWT signing keys (src/oauth/signing-keys.ts).
// The triggers of migration 0010 tell every instance of a change.
import type { Command } from 'commander';
import { ensureSigningKey, rotateSigningKey } from '../oauth/signing-keys.js';
import { listSigningKeys } from '../oauth/signing-key-queries.js';
import { keyStatuses } from '../oauth/signing-key-states.js';
import { opensWith, pruneUndecryptable } from '../oauth/signing-key-prune.js';
import type { CliContext } from './context.js';
import * as parse from './options.js';
import { printer, table } from './output.js';

export function registerSigningKeys(program: Command, ctx: CliContext): void {
  const signingKeys = program.command('signing-keys').description('JWT signing keys');

  signingKeys
    .command('list')
    .description('show signing keys, their state, and whether the master key opens them (when one is configured)')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      ctx.withDatabase(async ({ db, config }) => {
        // A diagnosis: no key check (a wrong key shows every key undecryptable), and no key made.
        const box = await ctx.sealedBoxIfAny();
        const rows = await listSigningKeys(db);
        const statuses = keyStatuses(rows, Date.now(), config.tokenTtlSeconds * 1000 + 300_000, config.signingAlg);
        const out = statuses.map((s) => ({
          kid: s.row.kid,
          alg: s.row.alg,
          state: s.state,
          decryptable: box ? opensWith(box, s.row) : null,
          createdAt: s.row.created_at.toISOString(),
          activatesAt: s.row.activates_at.toISOString(),
          unpublishAt: s.unpublishAt?.toISOString() ?? null,
        }));
        printer(ctx.io, opts.json).print(out, () =>
          out.length
            ? table(out, [['kid', 'KID'], ['alg', 'ALG'], ['state', 'STATE'], ['decryptable', 'DECRYPTABLE'], ['createdAt', 'CREATED'], ['activatesAt', 'SIGNS FROM'], ['unpublishAt', 'UNPUBLISHED AT']])
            : 'No signing keys yet: the server makes the first one when it starts (or `keymint signing-keys rotate`).',
        );
      }, { keyCheck: false }),
    );

  signingKeys
    .command('rotate')
    .description('add a new signing key: published now, signing after --activate-in seconds')
    .option('--activate-in <seconds>', 'seconds until the new key signs (default 300: the JWKS cache lifetime)', parse.seconds('--activate-in'), 300)
    .option('--json', 'print JSON')
    .action((opts: { activateIn: number; json?: boolean }) =>
      ctx.withDatabase(async ({ db, config }) => {
        const box = await ctx.sealedBox(db);
        // Rotating an empty ring (no server started yet) first makes the key to rotate from.
        await ensureSigningKey(db, box, config.signingAlg, ctx.log());
        const row = await rotateSigningKey(db, box, config.signingAlg, opts.activateIn);
        const out = { kid: row.kid, alg: row.alg, activatesAt: row.activates_at.toISOString() };
        printer(ctx.io, opts.json).print(out, () => `New signing key ${out.kid} (${out.alg}) is published now and signs from ${out.activatesAt}.`);
      }),
    );

  signingKeys
    .command('prune-undecryptable')
    .description('remove the signing keys that the master key does not open (written with another master key)')
    .option('--json', 'print JSON: {"removed":[kid,...]}')
    .action((opts: { json?: boolean }) =>
      ctx.withDatabase(async ({ db }) => {
        // Only after the master key check passed: a wrong master key never removes the good keys.
        const removed = await pruneUndecryptable(db, await ctx.sealedBox(db));
        printer(ctx.io, opts.json).print({ removed }, () =>
          removed.length ? `Removed ${removed.length} undecryptable signing key(s): ${removed.join(', ')}` : 'Every signing key opens with this master key; nothing to remove.',
        );
      }),
    );
}
