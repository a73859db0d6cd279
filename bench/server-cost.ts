// What a run cost the Keymint server, measured around it: CPU time of its process (from
// /proc, 10 ms ticks) and database statements (its keymint_db_queries_total; NaN when the
// server does not export it).
import { total } from './metrics.js';
import { cpuTicks } from './processes.js';
import type { Keymint } from './servers.js';

export async function serverCost<T>(keymint: Keymint, fn: () => Promise<T>) {
  const [ticks0, metrics0] = [await cpuTicks(keymint.pid), await keymint.metrics()];
  const result = await fn();
  const [ticks1, metrics1] = [await cpuTicks(keymint.pid), await keymint.metrics()];
  const q0 = total(metrics0, 'keymint_db_queries_total');
  const q1 = total(metrics1, 'keymint_db_queries_total');
  return { result, cpuMs: (ticks1 - ticks0) * 10, statements: q0 === undefined || q1 === undefined ? NaN : q1 - q0 };
}
