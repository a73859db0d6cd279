// Batches the last use of each secret of a key that has two (during a rotation's overlap),
// so the console and v1 can show whether anyone still uses the previous one. Like
// access-keys/last-use.ts: remembered in memory (latest time per key and secret), written
// by one UPDATE a few seconds later; never a write on the request's path. The hash is the
// stored digest (never the secret), kept only until the flush.
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import { recordSecretUses } from './secret-use-queries.js';

const MAX_PENDING = 10_000;

export class SecretUses {
  #pending = new Map<string, { id: string; hash: string; at: number }>();
  #timer: NodeJS.Timeout | undefined;
  #inflight: Promise<void> | undefined;
  #closed = false;

  constructor(private readonly opts: { db: Queryable; log: Pick<Logger, 'warn'>; flushMs?: number }) {}

  record(keyId: string, hash: string, at = Date.now()): void {
    this.#merge(keyId, hash, at);
    if (this.#pending.size >= MAX_PENDING) void this.flush();
    else if (!this.#timer && !this.#closed) {
      this.#timer = setTimeout(() => void this.flush(), this.opts.flushMs ?? 5_000).unref();
    }
  }

  #merge(id: string, hash: string, at: number): void {
    const entry = `${id} ${hash}`;
    const seen = this.#pending.get(entry);
    if (!seen || at > seen.at) this.#pending.set(entry, { id, hash, at });
  }

  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inflight;
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending.values()];
    this.#pending = new Map();
    this.#inflight = recordSecretUses(this.opts.db, batch.map((u) => u.id), batch.map((u) => u.hash), batch.map((u) => new Date(u.at)))
      .then(() => undefined, (err: Error) => {
        for (const u of batch) this.#merge(u.id, u.hash, u.at);
        this.opts.log.warn({ err: { message: err.message }, keys: batch.length }, 'could not record which secret of rotated keys was used; will retry');
      })
      .finally(() => (this.#inflight = undefined));
    await this.#inflight;
  }

  get pending(): number {
    return this.#pending.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }
}
