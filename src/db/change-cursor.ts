// Which change_log sequence numbers an instance has seen. Sequence numbers are taken in
// order but committed in any order, so a number below the highest seen may still arrive:
// those missing are kept as gaps and asked for again by each poll until they turn up or
// enough polls have passed (a rolled-back transaction leaves a gap forever).
const GAP_POLLS = 60; // ~1 minute of successful polls; polls that fail do not count
const MAX_GAPS = 2_000;
const REMEMBERED = 10_000;

export class ChangeCursor {
  #high: number;
  readonly #gaps = new Map<number, number>(); // seq -> polls it has been missing for
  readonly #seen = new Set<number>();

  /** `start`: the highest seq before which nothing matters (the caches start empty). */
  constructor(start: number) {
    this.#high = start;
  }

  get after(): number {
    return this.#high;
  }

  gaps(): number[] {
    return [...this.#gaps.keys()];
  }

  /** Records a seq; true when it was not seen before (its change must be applied). */
  take(seq: number): boolean {
    if (this.#seen.has(seq)) return false;
    this.#seen.add(seq);
    if (this.#seen.size > REMEMBERED) this.#seen.delete(this.#seen.values().next().value as number);
    if (seq > this.#high) {
      for (let missing = Math.max(this.#high + 1, seq - MAX_GAPS); missing < seq; missing++) this.#gaps.set(missing, 0);
      this.#high = seq;
    } else {
      this.#gaps.delete(seq);
    }
    return true;
  }

  /** After each successful poll: gaps missing for long enough are given up. */
  polled(): void {
    for (const [seq, polls] of this.#gaps) {
      if (polls >= GAP_POLLS) this.#gaps.delete(seq);
      else this.#gaps.set(seq, polls + 1);
    }
    while (this.#gaps.size > MAX_GAPS) this.#gaps.delete(this.#gaps.keys().next().value as number);
  }
}
