// On a small machine the load generator and the server under test compete for the same
// cores, so a server whose responses cost the client more to parse looks slower than it
// is. With two or more CPUs (and taskset, from util-linux), the benchmark pins itself (the
// load generator) to CPU 0 and each server to CPU 1: the warm comparison then measures the
// server's own CPU per token. The hostile run's flood generator is pinned to CPU 0 too: it
// competes with the load generator, not with the server. BENCH_PIN=0 turns it off.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

function tasksetWorks(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let decided: boolean | undefined;
const pinned = () => (decided ??= process.env.BENCH_PIN !== '0' && availableParallelism() >= 2 && tasksetWorks());

/** Pins this process, all its threads, to CPU 0. */
export function pinSelf(): void {
  if (pinned()) execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
}

/** The command and arguments that start `node [flags] script` pinned to `cpu` (servers: 1), or unpinned. */
export function pinnedNode(script: string, cpu = 1, nodeFlags: string[] = []): [string, string[]] {
  const node = [...nodeFlags, script];
  return pinned() ? ['taskset', ['-c', String(cpu), process.execPath, ...node]] : [process.execPath, node];
}

export const pinningNote = () =>
  pinned()
  ? 'the load generator (this benchmark process) is pinned to CPU 0 and each server process to CPU 1 (taskset), so a server is measured on a core of its own'
  : 'no CPU pinning (BENCH_PIN=0, one CPU, or no taskset): the load generator and the servers share the cores';
