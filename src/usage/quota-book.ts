// Token quotas in memory: the limits (a key's own, else its project's default) and, for
// each limited key this instance serves, its tokens in the current hour and day. A token
// request is admitted or refused from memory alone; the batch flush (recorder.ts) adds this
// instance's tokens to the shared totals and reads back the totals (every instance's tokens)
// of the keys it wrote and of those idle here whose known total is at least half a limit. So an instance serving a key knows the others' tokens one flush
// interval late at most; a key far from its limits that returns after idling here is
// admitted from its older total for one interval. The overshoot is bounded by what the
// OTHER instances issue to the key within one flush interval (docs/USAGE.md).
import { BUCKET_MS, type Granularity } from './fields.js';

/** The number of the hour or day holding `at`, counted from the epoch (a small integer: no heap number per window). */
const index = (g: Granularity, at: number): number => Math.floor(at / BUCKET_MS[g]);
import type { QuotaRow, TokenTotal } from './queries.js';

export interface Limits {
  perHour: number | null;
  perDay: number | null;
}

class Window {
  /** Shared totals as last known (every instance's flushed tokens). */
  sharedHour = 0;
  sharedDay = 0;
  /** This instance's tokens being flushed now, and those since. */
  flushingHour = 0;
  flushingDay = 0;
  localHour = 0;
  localDay = 0;
  constructor(
    readonly projectId: string | undefined,
    /** The window's hour and day, by number (index()). */
    public hour: number,
    public day: number,
  ) {}

  /** Moves the window to the hour and day of `at`, starting each anew when it changed. */
  roll(at: number): void {
    const hour = index('hour', at);
    if (this.hour !== hour) {
      this.hour = hour;
      this.sharedHour = this.flushingHour = this.localHour = 0;
    }
    const day = index('day', at);
    if (this.day !== day) {
      this.day = day;
      this.sharedDay = this.flushingDay = this.localDay = 0;
    }
  }
}

/** Whose totals a flush reads back: the tracked keys it writes, and the idle ones near a limit. */
export interface SyncPlan {
  written: string[];
  near: string[];
}

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
    if (!w) this.#windows.set(keyId, (w = new Window(projectId, index('hour', at), index('day', at))));
    else w.roll(at);
    return w;
  }

  /** 0 when the key may have a token now, else the seconds until its quota's window ends. */
  admit(keyId: string, projectId: string | undefined, at: number): number {
    // No object is made per request: the limits are read where they are kept.
    const own = this.#keys.get(keyId);
    const project = projectId === undefined ? undefined : this.#projects.get(projectId);
    if (!own && !project) return 0;
    const perHour = own?.perHour ?? project?.perHour ?? null;
    const perDay = own?.perDay ?? project?.perDay ?? null;
    const w = this.#window(keyId, projectId, at);
    let until = 0;
    if (perHour !== null && w.sharedHour + w.flushingHour + w.localHour >= perHour) until = (w.hour + 1) * BUCKET_MS.hour;
    if (perDay !== null && w.sharedDay + w.flushingDay + w.localDay >= perDay) until = Math.max(until, (w.day + 1) * BUCKET_MS.day);
    return until === 0 ? 0 : Math.max(1, Math.ceil((until - at) / 1000));
  }

  /**
   * The shared totals of keys already counted in this day under a quota, read at start: a
   * restarted instance must not issue a key past its quota until its first flush reads back.
   */
  prime(totals: ReadonlyArray<{ keyId: string; projectId: string; hourTokens: number; dayTokens: number }>, at: number): void {
    for (const t of totals) {
      const w = this.#window(t.keyId, t.projectId, at);
      w.sharedHour = t.hourTokens;
      w.sharedDay = t.dayTokens;
    }
  }

  /** Notes a token issued here to a key (only limited keys are tracked). */
  issued(keyId: string, projectId: string | undefined, at: number): void {
    if (!this.#keys.has(keyId) && (projectId === undefined || !this.#projects.has(projectId))) return;
    const w = this.#window(keyId, projectId, at);
    w.localHour++;
    w.localDay++;
  }

  /**
   * Before a flush writes: what was counted so far is in flight. `written` tells whether the
   * batch holds counts of a key. Returns the tracked keys the batch writes and those idle here
   * whose known total in the hour or day of `at` is at least half their limit: the keys whose
   * totals the flush reads back. The others keep their known totals.
   */
  beginSync(written: (keyId: string) => boolean, at: number): SyncPlan {
    const plan: SyncPlan = { written: [], near: [] };
    const [hour, day] = [index('hour', at), index('day', at)];
    for (const [keyId, w] of this.#windows) {
      w.flushingHour += w.localHour;
      w.flushingDay += w.localDay;
      w.localHour = 0;
      w.localDay = 0;
      if (written(keyId)) {
        plan.written.push(keyId);
        continue;
      }
      const limits = this.limitsOf(keyId, w.projectId);
      if (!limits) continue;
      const nearHour = limits.perHour !== null && w.hour === hour && 2 * (w.sharedHour + w.flushingHour) >= limits.perHour;
      const nearDay = limits.perDay !== null && w.day === day && 2 * (w.sharedDay + w.flushingDay) >= limits.perDay;
      if (nearHour || nearDay) plan.near.push(keyId);
    }
    return plan;
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
   * The write succeeded. `totals` are the shared totals read back (of the keys written and
   * those near a limit; undefined when they could not be read): a window takes those of its
   * hour and day; one without adds what was in flight to the totals it knew. Windows whose
   * quota's windows have ended (idle past its day, or its hour when only an hourly limit
   * applies), or no longer limited, are forgotten: memory holds the keys used today.
   */
  synced(totals: readonly TokenTotal[] | undefined, at: number): void {
    for (const t of totals ?? []) {
      const w = this.#windows.get(t.keyId);
      if (!w) continue;
      if (t.granularity === 'hour' && index('hour', t.bucket) === w.hour) {
        w.sharedHour = t.tokens;
        w.flushingHour = 0;
      } else if (t.granularity === 'day' && index('day', t.bucket) === w.day) {
        w.sharedDay = t.tokens;
        w.flushingDay = 0;
      }
    }
    const [hour, day] = [index('hour', at), index('day', at)];
    for (const [keyId, w] of this.#windows) {
      w.sharedHour += w.flushingHour;
      w.sharedDay += w.flushingDay;
      w.flushingHour = 0;
      w.flushingDay = 0;
      const limits = this.limitsOf(keyId, w.projectId);
      if (!limits || w.day !== day || (limits.perDay === null && w.hour !== hour)) this.#windows.delete(keyId);
    }
  }

  /** Keys whose window is tracked (for tests and logs). */
  get tracked(): number {
    return this.#windows.size;
  }
}
