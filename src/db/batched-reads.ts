// Reads by ID, batched: a read asked for while others are being made waits for a free slot
// and then goes with every read asked for meanwhile, in one statement. Under load (the
// fleet: many keys, each asking once) a read costs a fraction of a statement; alone, it goes
// at once (a microtask later). DataLoader collects the batches; when they go is decided
// here: at most `inFlight` statements at a time, so that the waiting ones fill up.
import DataLoader from 'dataloader';

export interface BatchedReadsOptions {
  /** Batches being read at once. */
  inFlight?: number;
  /** IDs in one statement at most. */
  maxBatch?: number;
}

/** `readMany` gets distinct IDs and answers what it found, by ID; a missing ID reads as undefined. */
export function batchedReads<V>(
  readMany: (ids: readonly string[]) => Promise<ReadonlyMap<string, V>>,
  options: BatchedReadsOptions = {},
): (id: string) => Promise<V | undefined> {
  const slots = options.inFlight ?? 2;
  let reading = 0;
  const waiting: Array<() => void> = [];
  const loader = new DataLoader<string, V | undefined>(
    async (ids) => {
      reading++;
      try {
        const found = await readMany(ids);
        return ids.map((id) => found.get(id));
      } finally {
        reading--;
        waiting.shift()?.();
      }
    },
    {
      cache: false, // the caller caches (and drops entries on changes); this only batches
      maxBatchSize: options.maxBatch ?? 500,
      // Called when a batch opens; it takes every read asked for until `dispatch` runs.
      batchScheduleFn: (dispatch) => (reading + waiting.length < slots ? queueMicrotask(dispatch) : waiting.push(dispatch)),
    },
  );
  return (id) => loader.load(id);
}
