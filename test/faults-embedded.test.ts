// Issue 10 (embedded store) and issue 11 item 7: the PGlite data folder is held by one process
// at a time with an OS lock (flock), correct for a server that is PID 1 in its own PID
// namespace (as in a container) and is killed -9, and when two processes race over a lock
// file left behind; and the embedded database is private: no TCP port, a Unix socket that
// another local user cannot reach, files 0600 and folders 0700.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, MAIN, run } from './helpers/processes.js';
import { freePort } from './helpers/server.js';
import { basicHeader } from './helpers/token-requests.js';

const started: ChildProcess[] = [];
const folders: string[] = [];
afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** A data folder whose parent others may traverse, so that only Keymint's own modes protect it. */
function dataDir(): string {
  const parent = mkdtempSync(join(tmpdir(), 'keymint-embedded-'));
  chmodSync(parent, 0o755);
  folders.push(parent);
  return join(parent, 'data');
}

interface Started {
  child: ChildProcess;
  port: number;
  /** Resolves with 'listening', or with the exit code when it stopped first. */
  outcome: Promise<'listening' | number | null>;
  output(): string;
}

function start(dir: string, port: number, prefix: string[] = []): Started {
  const [cmd, ...args] = [...prefix, process.execPath, MAIN];
  const child = spawn(cmd, args, { env: { PATH: process.env.PATH ?? '', DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', BCRYPT_COST: '4', LOG_LEVEL: 'info' } });
  started.push(child);
  let out = '';
  const outcome = new Promise<'listening' | number | null>((resolve) => {
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes('keymint listening')) resolve('listening');
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('close', (code) => resolve(code));
  });
  return { child, port, outcome, output: () => out };
}

const stopped = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('close', () => resolve())));

/** The outer PID of the process that is PID 1 inside the namespace `unshare --fork` made. */
function namespaceInit(unsharePid: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSyncSafe(`/proc/${entry}/stat`);
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === unsharePid) return Number(entry);
    } catch {
      // gone
    }
  }
  throw new Error('no process under unshare');
}
const readFileSyncSafe = (path: string) => spawnSync('cat', [path], { encoding: 'utf8' }).stdout;

describe('the embedded data folder lock', () => {
  it('a server that is PID 1 (unshare --pid) and is killed -9 is restarted at once, and again', async () => {
    const dir = dataDir();
    const unshare = ['unshare', '--pid', '--fork', '--mount-proc'];
    for (let round = 0; round < 2; round++) {
      const s = start(dir, await freePort(), unshare);
      expect(await s.outcome, s.output()).toBe('listening');
      expect(s.output()).toContain('"pid":1,'); // it really is PID 1 in its namespace
      process.kill(namespaceInit(s.child.pid!), 'SIGKILL');
      await stopped(s.child);
    }
    // The lock file is still there (never deleted): it is the flock on it that matters.
    expect(statSync(join(dir, 'keymint.lock')).isFile()).toBe(true);
  }, 90_000);

  it('two processes started together over a lock left behind: exactly one opens the folder, and its writes survive', async () => {
    const dir = dataDir();
    const boot = JSON.parse((await run(CLI, ['bootstrap', '--account', 'A', '--project', 'P', '--key', 'K', '--json'], { DATA_DIR: dir, BCRYPT_COST: '4' })).stdout);
    for (let round = 0; round < 2; round++) {
      writeFileSync(join(dir, 'keymint.lock'), '1\n'); // what the old PID lock would have read as "in use by process 1"
      const racers = [start(dir, await freePort()), start(dir, await freePort())];
      const outcomes = await Promise.all(racers.map((r) => r.outcome));
      expect(outcomes.filter((o) => o === 'listening'), outcomes.join(', ')).toHaveLength(1);
      const loser = racers[outcomes.indexOf('listening') === 0 ? 1 : 0];
      expect(loser.output()).toContain('is in use by another Keymint process');
      const winner = racers[outcomes.indexOf('listening')];
      const res = await fetch(`http://127.0.0.1:${winner.port}/v1/projects/${boot.projectId}/accessKeys`, {
        method: 'POST',
        headers: { authorization: basicHeader(boot.accessKey.accessKeyId, boot.secret), 'content-type': 'application/json' },
        body: JSON.stringify({ displayName: `round ${round}` }),
      });
      expect(res.status).toBe(200);
      winner.child.kill('SIGKILL'); // no clean shutdown either
      await stopped(winner.child);
    }
    const again = start(dir, await freePort());
    expect(await again.outcome, again.output()).toBe('listening');
    const list = await fetch(`http://127.0.0.1:${again.port}/v1/projects/${boot.projectId}/accessKeys`, {
      headers: { authorization: basicHeader(boot.accessKey.accessKeyId, boot.secret) },
    });
    const names = ((await list.json()) as { accessKeys: Array<{ displayName: string }> }).accessKeys.map((k) => k.displayName);
    expect(names).toEqual(expect.arrayContaining(['round 0', 'round 1']));
    again.child.kill('SIGTERM');
    await stopped(again.child);
  }, 120_000);
});

describe('the embedded database is private (issue 11, item 7)', () => {
  it('listens on no TCP port, refuses another local user at its socket, and keeps its files 0600/0700', async () => {
    const dir = dataDir();
    const s = start(dir, await freePort());
    expect(await s.outcome, s.output()).toBe('listening');
    try {
      // The only TCP listener of the process is the HTTP port.
      const ss = spawnSync('ss', ['-ltnpH'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(`pid=${s.child.pid},`));
      expect(ss.map((l) => l.split(/\s+/)[3])).toEqual([`127.0.0.1:${s.port}`]);

      const socket = join(dir, 'run', '.s.PGSQL.5432');
      expect(statSync(socket).isSocket()).toBe(true);
      const probe = `require('net').connect(${JSON.stringify(socket)}).on('connect', () => { console.log('CONNECTED'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); })`;
      const asNobody = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '-e', probe], { encoding: 'utf8', timeout: 20_000 });
      expect(asNobody.stdout.trim()).toBe('EACCES');

      const open: string[] = [];
      const walk = (path: string) => {
        for (const entry of readdirSync(path, { withFileTypes: true })) {
          const full = join(path, entry.name);
          const mode = statSync(full).mode & 0o777;
          if (entry.isDirectory()) {
            if (mode & 0o077) open.push(`${full} ${mode.toString(8)}`);
            walk(full);
          } else if (entry.isFile() && mode & 0o077) open.push(`${full} ${mode.toString(8)}`);
        }
      };
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      walk(dir);
      expect(open).toEqual([]);
    } finally {
      s.child.kill('SIGTERM');
      await stopped(s.child);
    }
  }, 90_000);
});
