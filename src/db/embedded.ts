// The embedded default: PGlite (WASM Postgres) kept in DATA_DIR and served on a loopback
// socket, so the same pg code path serves it and a real Postgres.
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DataDirBusyError } from './data-dir-busy.js';

export { DataDirBusyError };

export interface EmbeddedPostgres {
  readonly url: string;
  stop(): Promise<void>;
}


function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// PGlite has no multi-process locking of its own: a second process on the same folder
// would corrupt it. A pid file in DATA_DIR keeps it to one process at a time.
async function takeLock(lockPath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => rm(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (pid && isAlive(pid)) {
        throw new DataDirBusyError(
          `The embedded database in ${resolve(lockPath, '..')} is in use by process ${pid}. ` +
            'Stop that Keymint server first, or set DATABASE_URL to use a Postgres server.',
        );
      }
      await rm(lockPath, { force: true }); // stale lock of a process that is gone
    }
  }
  throw new DataDirBusyError(`Could not lock ${lockPath}.`);
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const root = resolve(dataDir);
  await mkdir(join(root, 'pg'), { recursive: true });
  const unlock = await takeLock(join(root, 'keymint.lock'));
  try {
    const db = await PGlite.create({ dataDir: join(root, 'pg') });
    // PGlite is a single session, and interleaving the extended-protocol messages of
    // several clients is not safe: Keymint keeps one client active at a time (the
    // embedded pool has size 1). The socket allows a few, so that a connection being
    // closed does not refuse the one that replaces it.
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
    await server.start();
    const port = (server as unknown as { port: number }).port;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
      async stop() {
        await server.stop();
        await db.close();
        await unlock();
      },
    };
  } catch (err) {
    await unlock();
    throw err;
  }
}
