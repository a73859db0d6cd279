// What a command runs with: its Io, the configuration, a database, the master key. Two
// kinds: local (the `keymint` process opens DATABASE_URL or the embedded data folder
// itself) and server (a running Keymint runs the command on its own pool for a client of
// its control socket, control-socket.ts). A local command on the embedded database first
// asks the running server, if there is one, to run it: the data folder serves one process.
import { AccessKeyRotation } from '../access-keys/rotation.js';
import { SecretRotation } from '../credentials/secret-rotation.js';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../config.js';
import type { ChangeFeed } from '../db/change-feed.js';
import { openDatabase } from '../db/open.js';
import type { Db } from '../db/pool.js';
import { resolveMasterKey } from '../crypto/master-key.js';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkMasterKey } from '../crypto/master-key-check.js';
import { deriveKey, SealedBox } from '../crypto/sealed-box.js';
import { PageTokenCodec } from '../kernel/page-token.js';
import { AccessKeysService } from '../access-keys/service.js';
import { createLogger } from '../log.js';
import type { Io } from './io.js';
import { askRunningServer, controlSocketPath } from './control-socket.js';

export interface DatabaseHandle {
  readonly db: Db;
  readonly feed: ChangeFeed;
  readonly config: Config;
  /** Migrations applied when this handle was opened. */
  readonly migrations: readonly string[];
}

export interface CliContext {
  readonly io: Io;
  /** 'server' when a running server runs the command for its control socket. */
  readonly where: 'local' | 'server';
  config(): Config;
  log(): Logger;
  stdin(): Promise<string>;
  /**
   * Runs fn on the database. When a master key is configured (or on disk), it is checked
   * first (a wrong key refuses before anything is written) unless keyCheck is false;
   * without one, commands that seal nothing still run.
   */
  withDatabase<T>(fn: (d: DatabaseHandle) => Promise<T>, options?: { keyCheck?: boolean }): Promise<T>;
  /**
   * Only the commands that seal or open secrets ask for it (signing keys), and get it
   * checked against the database's key-check value first: a wrong key writes nothing.
   */
  sealedBox(db: Db): Promise<SealedBox>;
  /** The master key's box when one is configured or already on disk; never creates one (read-only diagnoses). */
  sealedBoxIfAny(): Promise<SealedBox | undefined>;
}

/** The command ran in the server; its output has been printed. Carries its exit code. */
export class RanInServer extends Error {
  constructor(readonly exitCode: number) {
    super('ran in the server');
  }
}

/** The v1 service for operator commands; its page tokens never leave the process. */
export const operatorRotation = (d: DatabaseHandle) =>
  new AccessKeyRotation({ db: d.db, rotation: new SecretRotation({ db: d.db, feed: d.feed }) });

export const operatorAccessKeys = (d: DatabaseHandle) =>
  new AccessKeysService({ db: d.db, feed: d.feed, pageTokens: new PageTokenCodec(deriveKey(randomBytes(32), 'page-token')), bcryptCost: d.config.bcryptCost });

export function localContext(io: Io, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliContext {
  let config: Config | undefined;
  let log: Logger | undefined;
  let input: string | undefined;
  const ctx: CliContext = {
    io,
    where: 'local',
    config: () => (config ??= loadConfig(env)),
    // Commands print their own results; the log (stderr) says only what goes wrong, unless asked.
    log: () => (log ??= createLogger(env.LOG_LEVEL ? ctx.config().logLevel : 'warn', 2, ctx.config().logFormat)),
    async stdin() {
      return (input ??= await io.stdin());
    },
    async withDatabase(fn, options = {}) {
      const c = ctx.config();
      if (!c.databaseUrl) {
        const answer = await askRunningServer(controlSocketPath(c.dataDir), argv, input);
        if (answer) {
          if (answer.stdout) io.out(answer.stdout);
          if (answer.stderr) io.err(answer.stderr);
          throw new RanInServer(answer.code);
        }
      }
      const database = await openDatabase(c, ctx.log(), { listen: false });
      try {
        const box = options.keyCheck === false ? undefined : await ctx.sealedBoxIfAny();
        if (box) await checkMasterKey(database.db, box);
        return await fn({ db: database.db, feed: database.feed, config: c, migrations: database.migrations });
      } finally {
        await database.close();
      }
    },
    async sealedBox(db) {
      const box = new SealedBox(await resolveMasterKey(ctx.config(), ctx.log()));
      await checkMasterKey(db, box);
      return box;
    },
    async sealedBoxIfAny() {
      const c = ctx.config();
      const onDisk = c.masterKeyFile ?? (c.databaseUrl ? undefined : join(resolve(c.dataDir), 'master.key'));
      if (!c.masterKey && !(onDisk && existsSync(onDisk))) return undefined;
      return new SealedBox(await resolveMasterKey(c, ctx.log()));
    },
  };
  return ctx;
}

export interface ServerSide {
  db: Db;
  feed: ChangeFeed;
  config: Config;
  log: Logger;
  masterKey: Buffer;
}

export function serverContext(io: Io, server: ServerSide): CliContext {
  const handle: DatabaseHandle = { db: server.db, feed: server.feed, config: server.config, migrations: [] };
  return {
    io,
    where: 'server',
    config: () => server.config,
    log: () => server.log,
    stdin: () => io.stdin(),
    withDatabase: (fn) => fn(handle),
    // The server checked its key at start-up.
    sealedBox: async () => new SealedBox(server.masterKey),
    sealedBoxIfAny: async () => new SealedBox(server.masterKey),
  };
}
