// A private Postgres 15 cluster that a test may break: initdb'ed into a temp folder owned
// by the `postgres` OS user, on a free port, its socket in the folder. The test can stop
// it (-m immediate), start it again, freeze it (SIGSTOP on the postmaster and every
// backend), make it read-only, and give it a tablespace on a tiny tmpfs to fill. close()
// kills what is left by PID and unmounts, and an exit hook does the same if the test
// process ends without it: the shared server on 5432 is never touched.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './server.js';
import type { TestDatabase } from './database.js';

const BIN = '/usr/lib/postgresql/15/bin';

export interface PgCluster {
  readonly port: number;
  readonly dir: string;
  /** A connection URL for `database` on this cluster (TCP, user postgres, trust). */
  url(database?: string): string;
  /** A fresh database on this cluster, in the shape the test helpers take. */
  createDatabase(): Promise<TestDatabase>;
  start(): Promise<void>;
  stopImmediate(): Promise<void>;
  freeze(): void;
  thaw(): void;
  /** default_transaction_read_only for every session, as on a hot standby. */
  setReadOnly(readOnly: boolean): Promise<void>;
  /** A tablespace `small` on a tmpfs of `sizeMb`; fill() leaves no byte free on it. */
  smallTablespace(sizeMb?: number): Promise<{ path: string; fill(): void; free(): void }>;
  /** The postmaster and backend PIDs (for the test's own checks). */
  pids(): number[];
  close(): Promise<void>;
}

// Asynchronous: the in-process servers of a test keep running while Postgres starts or stops.
const asPostgres = (args: string[], options: { allowFail?: boolean } = {}) =>
  new Promise<void>((resolve, reject) => {
    execFile('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && !options.allowFail) reject(new Error(`${args.join(' ')} failed: ${stderr || stdout || err.message}`));
      else resolve();
    });
  });

function postmasterPid(data: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

const signal = (pids: number[], sig: NodeJS.Signals) => {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
};

export async function startPgCluster(): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'keymint-pg-'));
  const data = join(dir, 'data');
  const mounts: string[] = [];
  chownSync(dir, uidOf('postgres'), gidOf('postgres'));
  const port = await freePort();
  await asPostgres([`${BIN}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  // fsync off: the machine itself never crashes in these tests, and `pg_ctl stop -m immediate`
  // loses nothing the OS already has. synchronous_commit stays on: an acknowledged COMMIT
  // must survive the immediate stop, which is what the ledgers check.
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, 'fsync = off',
      'full_page_writes = off', 'shared_buffers = 16MB', 'max_connections = 60', "log_min_messages = 'fatal'", ''].join('\n'),
  );
  chownSync(join(data, 'postgresql.auto.conf'), uidOf('postgres'), gidOf('postgres'));

  let closed = false;
  const pids = () => {
    const pm = postmasterPid(data);
    return pm ? [pm, ...childrenOf(pm)] : [];
  };
  const cleanup = () => {
    signal(pids(), 'SIGCONT');
    signal(pids(), 'SIGKILL');
    for (const m of mounts.splice(0)) spawnSync('umount', ['-l', m]);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', () => {
    if (!closed) cleanup();
  });

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> => {
    const c = new pg.Client({ connectionString: url(database), connectionTimeoutMillis: 5_000 });
    c.on('error', () => {});
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => {});
    }
  };
  const start = async () => {
    await asPostgres([`${BIN}/pg_ctl`, '-D', data, '-w', '-t', '60', '-l', join(dir, 'server.log'), 'start']);
  };
  await start();

  let databases = 0;
  return {
    port,
    dir,
    url,
    async createDatabase() {
      const name = `keymint_fault_${++databases}`;
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      return {
        name,
        url: url(name),
        drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
      };
    },
    start,
    async stopImmediate() {
      signal(pids(), 'SIGCONT');
      await asPostgres([`${BIN}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop'], { allowFail: true });
    },
    freeze: () => signal(pids(), 'SIGSTOP'),
    thaw: () => signal(pids(), 'SIGCONT'),
    async setReadOnly(readOnly) {
      await admin(async (c) => {
        await c.query(`ALTER SYSTEM SET default_transaction_read_only = ${readOnly ? 'on' : 'off'}`);
        await c.query('SELECT pg_reload_conf()');
      });
    },
    async smallTablespace(sizeMb = 8) {
      const path = join(dir, 'small');
      mkdirSync(path);
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', path]);
      mounts.push(path);
      chownSync(path, uidOf('postgres'), gidOf('postgres'));
      const ts = join(path, 'ts');
      await asPostgres(['mkdir', ts]);
      await admin((c) => c.query(`CREATE TABLESPACE small LOCATION '${ts}'`));
      const filler = join(path, 'filler');
      return {
        path,
        // dd stops at ENOSPC, which is the point: the tmpfs is then full.
        fill: () => void spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' }),
        free: () => rmSync(filler, { force: true }),
      };
    },
    pids,
    async close() {
      if (closed) return;
      closed = true;
      signal(pids(), 'SIGCONT');
      await asPostgres([`${BIN}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop'], { allowFail: true });
      cleanup();
    },
  };
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}
function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}
