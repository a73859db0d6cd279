// A flood of refused requests must not become a flood of log lines (disk, CPU and the
// operator's attention): refusals are logged one line each up to a budget per second, and
// what is over it is counted and told in one summary line when its second ends. Metrics
// count every request regardless (metrics/registry.ts).
import type { Logger } from 'pino';

export const REFUSAL_LINES_PER_SECOND = 50;

export class LogBudget {
  #window = 0;
  #used = 0;
  #over = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Pick<Logger, 'warn'>,
    private readonly perSecond = REFUSAL_LINES_PER_SECOND,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when a refusal with this status may have its own line now; else it is counted for the summary. */
  take(status: number): boolean {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.#window) {
      this.#window = second;
      this.#used = 0;
    }
    if (this.#used < this.perSecond) {
      this.#used++;
      return true;
    }
    this.#over.set(status, (this.#over.get(status) ?? 0) + 1);
    // The summary goes out when this second ends (a timer that does not keep the process up).
    this.#timer ??= setTimeout(() => this.flush(), 1000 - (this.now() % 1000)).unref();
    return false;
  }

  /** Writes the summary of the refusals not logged one by one, if any. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#over.size) return;
    const byStatus = Object.fromEntries([...this.#over].map(([status, n]) => [String(status), n]));
    const count = [...this.#over.values()].reduce((a, b) => a + b, 0);
    this.#over = new Map();
    this.log.warn({ event: 'refusals_not_logged', count, byStatus, limitPerSecond: this.perSecond }, `${count} more refused requests this second, not logged one by one`);
  }
}
