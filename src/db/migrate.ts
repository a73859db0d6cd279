// Applies migrations/*.sql (forward only) with node-pg-migrate. Its advisory lock, in
// "wait" mode, makes two instances starting at once take turns instead of racing.
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';


function migrationsDir(): string {
  // Compiled code lives in dist/src/db, sources in src/db; migrations/ is at the top in both cases.
  const here = fileURLToPath(import.meta.url);
  const top = here.includes('/dist/') ? new URL('../../../migrations', import.meta.url) : new URL('../../migrations', import.meta.url);
  return fileURLToPath(top);
}

export async function migrate(databaseUrl: string, log?: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: migrationsDir(),
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    log: () => {},
    logger: { debug() {}, info() {}, warn: (m: string) => log?.warn(m), error: (m: string) => log?.error(m) },
  });
  const names = applied.map((m) => m.name);
  if (names.length) log?.info({ migrations: names }, 'database migrated');
  return names;
}
