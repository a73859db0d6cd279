// Finds the master key: KEYMINT_MASTER_KEY, or for the embedded default a key file in
// DATA_DIR created on first start. With DATABASE_URL the operator must provide one.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, type Config } from '../config.js';

export const generateMasterKey = () => randomBytes(32).toString('base64url');

const HOW_TO_MAKE_ONE =
  'Generate one with `npx keymint master-key` (or `node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))"`), ' +
  'keep it in your secret store, and set KEYMINT_MASTER_KEY to it on every instance.';

export async function resolveMasterKey(config: Config, log?: Logger): Promise<Buffer> {
  if (config.masterKey) return Buffer.from(config.masterKey, 'base64url');
  if (config.databaseUrl) {
    throw new ConfigError(`KEYMINT_MASTER_KEY is required when DATABASE_URL is set. ${HOW_TO_MAKE_ONE}`);
  }
  const file = join(resolve(config.dataDir), 'master.key');
  const existing = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing !== undefined) {
    const key = Buffer.from(existing.trim(), 'base64url');
    if (key.length !== 32) throw new ConfigError(`${file} does not hold a 32-byte base64url master key.`);
    return key;
  }
  await mkdir(resolve(config.dataDir), { recursive: true });
  const value = generateMasterKey();
  await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  log?.warn({ file }, 'created a new master key for the embedded database; back it up with DATA_DIR, it encrypts the signing keys');
  return Buffer.from(value, 'base64url');
}
