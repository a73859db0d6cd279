// Tells every instance that something cached has changed. On Postgres it is LISTEN/NOTIFY
// on one channel; the embedded default has one process, so a local dispatch suffices.
// When the listening connection drops, subscribers get a "reset" (flush everything)
// once it is back, because notifications sent in between are lost.
import pg from 'pg';
import type { Logger } from 'pino';
import type { Queryable } from './pool.js';

export type Change =
  | { kind: 'access_key'; id: string }
  | { kind: 'signing_keys' }
  | { kind: 'reset' };

export interface ChangeFeed {
  /** Announce a change to every instance (this one synchronously, others via NOTIFY). */
  publish(change: Exclude<Change, { kind: 'reset' }>, q?: Queryable): Promise<void>;
  subscribe(handler: (change: Change) => void): void;
  close(): Promise<void>;
}

const CHANNEL = 'keymint_changes';

class Subscribers {
  readonly #handlers: Array<(c: Change) => void> = [];
  add(h: (c: Change) => void) {
    this.#handlers.push(h);
  }
  emit(c: Change) {
    for (const h of this.#handlers) h(c);
  }
}

export function createLocalChangeFeed(): ChangeFeed {
  const subs = new Subscribers();
  return {
    async publish(change) {
      subs.emit(change);
    },
    subscribe: (h) => subs.add(h),
    async close() {},
  };
}

export async function createPostgresChangeFeed(url: string, pool: Queryable, log: Logger): Promise<ChangeFeed> {
  const subs = new Subscribers();
  let client: pg.Client | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (isReconnect: boolean): Promise<void> => {
    const c = new pg.Client({ connectionString: url, application_name: 'keymint-listen' });
    c.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      try {
        subs.emit(JSON.parse(msg.payload) as Change);
      } catch {
        log.warn('ignored a malformed change notification');
      }
    });
    c.on('error', () => {}); // 'end' follows and schedules the reconnect
    c.on('end', () => {
      if (closed || client !== c) return;
      client = undefined;
      log.warn('change feed connection lost; caches will be flushed when it is back');
      schedule();
    });
    await c.connect();
    await c.query(`LISTEN ${CHANNEL}`);
    client = c;
    if (isReconnect) {
      log.info('change feed reconnected; flushing caches');
      subs.emit({ kind: 'reset' });
    }
  };

  const schedule = (delay = 500) => {
    retryTimer = setTimeout(() => {
      connect(true).catch(() => schedule(Math.min(delay * 2, 5_000)));
    }, delay);
  };

  await connect(false);
  return {
    async publish(change, q = pool) {
      subs.emit(change);
      await q.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(change)]);
    },
    subscribe: (h) => subs.add(h),
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await client?.end().catch(() => {});
    },
  };
}
