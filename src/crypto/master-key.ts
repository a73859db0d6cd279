// Finds the master key: KEYMINT_MASTER_KEY; or KEYMINT_MASTER_KEY_FILE, a file created on
// first start when missing (a container's data volume); or for the embedded default a key
// file in DATA_DIR created on first start. With DATABASE_URL the operator must provide one.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, type Config } from '../config.js';

export const generateMasterKey = () => randomBytes(32).toString('base64url');

// Never "generate one" alone: a new key on an existing database cannot open its signing keys.
const WHICH_KEY =
  'Set it to the key the servers on this database use (another key cannot decrypt its signing keys), ' +
  'or point KEYMINT_MASTER_KEY_FILE at a file holding it. Only for a new database, make one with `keymint master-key`.';

async function readOrCreate(file: string, log: Logger | undefined, created: string): Promise<Buffer> {
  const existing = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new ConfigError(`Cannot read the master key file ${file}: ${err.code ?? err.message}.`);
  });
  if (existing !== undefined) {
    const key = Buffer.from(existing.trim(), 'base64url');
    if (key.length !== 32 || !/^[A-Za-z0-9_-]{43}$/.test(existing.trim())) throw new ConfigError(`${file} does not hold a 32-byte base64url master key.`);
    return key;
  }
  await mkdir(dirname(file), { recursive: true });
  const value = generateMasterKey();
  try {
    await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readOrCreate(file, log, created);
    throw err;
  }
  log?.warn({ file }, created);
  return Buffer.from(value, 'base64url');
}

export async function resolveMasterKey(config: Config, log?: Logger): Promise<Buffer> {
  if (config.masterKey) return Buffer.from(config.masterKey, 'base64url');
  if (config.masterKeyFile) {
    return readOrCreate(resolve(config.masterKeyFile), log, 'created a new master key file; keep it with the database backups, it encrypts the signing keys');
  }
  if (config.databaseUrl) throw new ConfigError(`KEYMINT_MASTER_KEY is required when DATABASE_URL is set. ${WHICH_KEY}`);
  return readOrCreate(join(resolve(config.dataDir), 'master.key'), log, 'created a new master key for the embedded database; back it up with DATA_DIR, it encrypts the signing keys');
}
