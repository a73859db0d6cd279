// The embedded default: PGlite (WASM Postgres) kept in DATA_DIR and served on a Unix
// socket inside it, so the same pg code path serves it and a real Postgres. Private to
// this process's user: the folder and every file in it are 0700/0600 (PGlite accepts any
// user and password, so the socket's folder is what keeps other local users out; no TCP
// port is opened). One process at a time, by an OS lock (data-dir-lock.ts).
import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DataDirBusyError } from './data-dir-busy.js';
import { lockDataDir } from './data-dir-lock.js';

export { DataDirBusyError };

export interface EmbeddedPostgres {
  readonly url: string;
  /** The folder holding the socket (`.s.PGSQL.5432`). */
  readonly socketDir: string;
  stop(): Promise<void>;
}

// sun_path holds 108 bytes; a deep DATA_DIR gets its socket in a private temp folder instead.
const MAX_SOCKET_PATH = 100;
const SOCKET_NAME = '.s.PGSQL.5432';

/** Takes group and world access off the folder and everything in it (earlier versions left files 0644). */
async function makePrivate(path: string): Promise<void> {
  const entries = await readdir(path, { withFileTypes: true });
  await chmod(path, 0o700);
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await makePrivate(child);
    else if (entry.isFile()) await chmod(child, 0o600);
  }
}

async function socketFolder(root: string): Promise<{ dir: string; temporary: boolean }> {
  const dir = join(root, 'run');
  if (join(dir, SOCKET_NAME).length <= MAX_SOCKET_PATH) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return { dir, temporary: false };
  }
  return { dir: mkdtempSync(join(tmpdir(), 'keymint-')), temporary: true };
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const root = resolve(dataDir);
  // Files PGlite creates from now on are the user's alone.
  process.umask(0o077);
  await mkdir(join(root, 'pg'), { recursive: true, mode: 0o700 });
  const unlock = await lockDataDir(join(root, 'keymint.lock'), root);
  let socket: { dir: string; temporary: boolean } | undefined;
  try {
    await makePrivate(root);
    socket = await socketFolder(root);
    const path = join(socket.dir, SOCKET_NAME);
    await rm(path, { force: true }); // left by a process that died: we hold the lock
    const db = await PGlite.create({ dataDir: join(root, 'pg') });
    // PGlite's file system layer sets 0666 on files it creates, umask or not; the folders
    // (0700) keep them private in any case, and their modes are put right here and at stop.
    await makePrivate(root);
    // PGlite is a single session, and interleaving the extended-protocol messages of
    // several clients is not safe: Keymint keeps one client active at a time (the
    // embedded pool has size 1). The socket allows a few, so that a connection being
    // closed does not refuse the one that replaces it.
    const server = new PGLiteSocketServer({ db, path, maxConnections: 4 });
    await server.start();
    await chmod(path, 0o600);
    const { dir, temporary } = socket;
    return {
      url: `postgres://postgres@/postgres?host=${encodeURIComponent(dir)}`,
      socketDir: dir,
      async stop() {
        await server.stop();
        await db.close();
        await rm(temporary ? dir : path, { recursive: true, force: true });
        await makePrivate(root).catch(() => {});
        await unlock();
      },
    };
  } catch (err) {
    if (socket?.temporary) await rm(socket.dir, { recursive: true, force: true });
    await unlock();
    throw err;
  }
}
