// The benchmark's child processes: free ports, `node <script>` with a given environment,
// waiting until a URL answers, resident memory from /proc, and a guarantee that no child
// outlives the benchmark (killed on exit, whatever the way out).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { pinnedNode } from './cpu-pinning.js';

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** The CPU to pin it to (when pinning is on). Default 1, the servers' core. */
  cpu?: number;
  nodeFlags?: string[];
  /** Keep stdin open (a pipe) for the script to read. */
  stdin?: boolean;
}

export function spawnNode(name: string, script: string, env: Record<string, string>, o: SpawnOptions = {}): Child & { process: ChildProcess } {
  const [command, args] = pinnedNode(script, o.cpu ?? 1, o.nodeFlags);
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const closed = new Promise<void>((resolve) =>
    child.once('close', () => {
      exited = true;
      running.delete(child);
      resolve();
    }),
  );
  child.once('error', (err) => keep(Buffer.from(String(err))));
  return {
    name,
    process: child,
    pid: child.pid ?? -1,
    output: () => out,
    exited: () => exited,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await closed;
      clearTimeout(force);
    },
  };
}

/** Resolves once `url` answers 2xx; fails if the child exits first or after `timeoutMs`. */
export async function waitUntilReady(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited()) throw new Error(`${child.name} exited before it was ready:\n${child.output()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${child.name} was not ready at ${url} after ${timeoutMs} ms:\n${child.output()}`);
}

/** CPU time a process (all its threads) has used, in kernel ticks (1/100 s). */
export async function cpuTicks(pid: number | 'self'): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is 3rd, utime 14th, stime 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Waits until the process has used under 5% of one core for a quarter second, so that
 * work left from one load run (requests still in flight when the generator stopped)
 * does not slow the next. Gives up quietly after `timeoutMs`.
 */
export async function waitUntilIdle(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await cpuTicks(pid);
  while (Date.now() < deadline) {
    await sleep(250);
    const now = await cpuTicks(pid);
    // Kernel ticks are 1/100 s: 25 ticks in 250 ms is one busy core.
    if (now - last <= 1) return;
    last = now;
  }
}

/** CPU time every core has spent busy (not idle, not waiting on I/O), in ticks, and the ticks elapsed per core. */
export async function machineTicks(): Promise<{ busy: number; total: number }> {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = (await readFile('/proc/stat', 'utf8'))
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** VmRSS of a process, in bytes. */
export async function residentMemoryBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}
