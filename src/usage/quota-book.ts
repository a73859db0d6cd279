// Token quotas in memory: the limits (a key's own, else its project's default) and, for
// each limited key this instance serves, its tokens in the current hour and day. A token
// request is admitted or refused from memory alone; the batch flush (recorder.ts) adds this
// instance's tokens to the shared totals and reads them back, so every instance sees the
// others' tokens one flush interval late at most. The overshoot is bounded by what the
// OTHER instances issue to the key within one flush interval (docs/USAGE.md).
import { BUCKET_MS, bucketOf } from './fields.js';
import type { QuotaRow } from './queries.js';

export interface Limits {
  perHour: number | null;
  perDay: number | null;
}

interface Window {
  projectId: string | undefined;
  hour: number;
  day: number;
  /** Shared totals as last read back (every instance's flushed tokens). */
  sharedHour: number;
  sharedDay: number;
  /** This instance's tokens being flushed now, and those since. */
  flushingHour: number;
  flushingDay: number;
  localHour: number;
  localDay: number;
}

const fresh = (projectId: string | undefined, at: number): Window => ({
  projectId,
  hour: bucketOf('hour', at),
  day: bucketOf('day', at),
  sharedHour: 0,
  sharedDay: 0,
  flushingHour: 0,
  flushingDay: 0,
  localHour: 0,
  localDay: 0,
});

export class QuotaBook {
  #keys = new Map<string, Limits>();
  #projects = new Map<string, Limits>();
  readonly #windows = new Map<string, Window>();

  /** Replaces every limit (after reading them all from the database). */
  setLimits(rows: readonly QuotaRow[]): void {
    const keys = new Map<string, Limits>();
    const projects = new Map<string, Limits>();
    for (const r of rows) (r.scope === 'key' ? keys : projects).set(r.id, { perHour: r.per_hour, perDay: r.per_day });
    this.#keys = keys;
    this.#projects = projects;
  }

  /** Sets one scope's limits at once on this instance (the others read them at their next flush). */
  setLimit(scope: 'key' | 'project', id: string, limits: Limits): void {
    const map = scope === 'key' ? this.#keys : this.#projects;
    if (limits.perHour === null && limits.perDay === null) map.delete(id);
    else map.set(id, limits);
  }

  /** The limits that apply to a key: each of its own, else its project's. */
  limitsOf(keyId: string, projectId: string | undefined): Limits | undefined {
    const own = this.#keys.get(keyId);
    const project = projectId === undefined ? undefined : this.#projects.get(projectId);
    if (!own && !project) return undefined;
    return { perHour: own?.perHour ?? project?.perHour ?? null, perDay: own?.perDay ?? project?.perDay ?? null };
  }

  #window(keyId: string, projectId: string | undefined, at: number): Window {
    let w = this.#windows.get(keyId);
    if (!w) this.#windows.set(keyId, (w = fresh(projectId, at)));
    const hour = bucketOf('hour', at);
    if (w.hour !== hour) Object.assign(w, { hour, sharedHour: 0, flushingHour: 0, localHour: 0 });
    const day = bucketOf('day', at);
    if (w.day !== day) Object.assign(w, { day, sharedDay: 0, flushingDay: 0, localDay: 0 });
    return w;
  }

  /** 0 when the key may have a token now, else the seconds until its quota's window ends. */
  admit(keyId: string, projectId: string | undefined, at: number): number {
    const limits = this.limitsOf(keyId, projectId);
    if (!limits) return 0;
    const w = this.#window(keyId, projectId, at);
    let until = 0;
    if (limits.perHour !== null && w.sharedHour + w.flushingHour + w.localHour >= limits.perHour) until = w.hour + BUCKET_MS.hour;
    if (limits.perDay !== null && w.sharedDay + w.flushingDay + w.localDay >= limits.perDay) until = Math.max(until, w.day + BUCKET_MS.day);
    return until === 0 ? 0 : Math.max(1, Math.ceil((until - at) / 1000));
  }

  /** Notes a token issued here to a key (only limited keys are tracked). */
  issued(keyId: string, projectId: string | undefined, at: number): void {
    if (!this.limitsOf(keyId, projectId)) return;
    const w = this.#window(keyId, projectId, at);
    w.localHour++;
    w.localDay++;
  }

  /** Before a flush writes: what was counted so far is in flight. Returns the tracked keys. */
  beginSync(): string[] {
    for (const w of this.#windows.values()) {
      w.flushingHour += w.localHour;
      w.flushingDay += w.localDay;
      w.localHour = 0;
      w.localDay = 0;
    }
    return [...this.#windows.keys()];
  }

  /** The write failed: the tokens in flight are this instance's own again. */
  syncFailed(): void {
    for (const w of this.#windows.values()) {
      w.localHour += w.flushingHour;
      w.localDay += w.flushingDay;
      w.flushingHour = 0;
      w.flushingDay = 0;
    }
  }

  /**
   * The write succeeded and the shared totals of the tracked keys for the `hour` and `day`
   * buckets were read back (`totals`; a key absent has none) — or could not be (undefined:
   * what was in flight is then added to the last totals known).
   */
  synced(hour: number, day: number, totals: ReadonlyMap<string, { hour: number; day: number }> | undefined, at: number): void {
    for (const [keyId, w] of this.#windows) {
      const t = totals?.get(keyId);
      if (w.hour === hour) w.sharedHour = totals ? (t?.hour ?? 0) : w.sharedHour + w.flushingHour;
      if (w.day === day) w.sharedDay = totals ? (t?.day ?? 0) : w.sharedDay + w.flushingDay;
      w.flushingHour = 0;
      w.flushingDay = 0;
      // A key idle for a whole day, or no longer limited, is forgotten.
      if (w.day !== bucketOf('day', at) || !this.limitsOf(keyId, w.projectId)) this.#windows.delete(keyId);
    }
  }

  /** Keys whose window is tracked (for tests and logs). */
  get tracked(): number {
    return this.#windows.size;
  }
}
