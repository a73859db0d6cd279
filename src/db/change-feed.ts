// Tells every instance that something cached has changed. The announcement to the other
// instances is made by the database itself: triggers write each change to change_log and
// pg_notify it in the change's own transaction (migrations/0010_change_log.sql), so a
// committed change is always announced, whoever made it, and never one that rolled back.
// Each instance LISTENs, and polls change_log every second on the same connection: the
// poll is the heartbeat (a connection that stalls silently fails it within
// POLL_TIMEOUT_MS and is replaced) and the safety net (a notification lost while the
// listener was cut, stalled or reconnecting is read from the log). publish() is the
// immediate local half, for the instance that made the change.
// The embedded default has one process: a local dispatch suffices.
import pg from 'pg';
import type { Logger } from 'pino';
import { ChangeCursor } from './change-cursor.js';
import { CHANGE_CHANNEL, deleteOldChanges, latestChangeSeq, listChangesSince, listenForChanges, type ChangeRow } from './change-queries.js';
import { boundedClientConfig, destroyConnection, DEFAULT_DB_TIMEOUTS, type DbTimeouts, type Queryable } from './pool.js';

export type Change =
  | { kind: 'access_key'; id: string }
  /** The APIs of account `id` (src/apis/catalog.ts). */
  | { kind: 'api'; id: string }
  | { kind: 'signing_keys' }
  | { kind: 'revocations' }
  | { kind: 'reset' };

export interface ChangeFeed {
  /** Applies a committed change on this instance at once (the others learn it from the database). */
  publish(change: Exclude<Change, { kind: 'reset' }>): Promise<void>;
  subscribe(handler: (change: Change) => void): void;
  /**
   * When (Date.now()) every change committed before it had been delivered: the last poll
   * that succeeded. A feed that has been cut for long says so here (auth/resident-keys.ts
   * stops trusting what it kept past the cache's maximum age).
   */
  caughtUpAt(): number;
  close(): Promise<void>;
}

export const POLL_MS = 1_000;
export const POLL_TIMEOUT_MS = 1_500;
const PRUNE_MS = 60_000;
// change_log keeps an hour: a listener away for longer may have missed pruned rows.
const CATCH_UP_LIMIT_MS = 30 * 60_000;

class Subscribers {
  readonly #handlers: Array<(c: Change) => void> = [];
  add(h: (c: Change) => void) {
    this.#handlers.push(h);
  }
  emit(c: Change) {
    for (const h of this.#handlers) h(c);
  }
}

const toChange = (row: Pick<ChangeRow, 'kind' | 'id'>): Change | undefined =>
  (row.kind === 'access_key' || row.kind === 'api') && row.id
    ? { kind: row.kind, id: row.id }
    : row.kind === 'signing_keys' || row.kind === 'revocations' ? { kind: row.kind } : undefined;

export function createLocalChangeFeed(db?: Queryable): ChangeFeed {
  const subs = new Subscribers();
  const prune = db && setInterval(() => deleteOldChanges(db).catch(() => {}), 10 * PRUNE_MS).unref();
  return {
    async publish(change) {
      subs.emit(change);
    },
    subscribe: (h) => subs.add(h),
    // One process on its own database: every change is published here, at once.
    caughtUpAt: () => Date.now(),
    async close() {
      clearInterval(prune);
    },
  };
}

export interface PostgresFeedOptions {
  url: string;
  pool: Queryable;
  log: Logger;
  timeouts?: DbTimeouts;
  pollMs?: number;
}

export async function createPostgresChangeFeed({ url, pool, log, timeouts = DEFAULT_DB_TIMEOUTS, pollMs = POLL_MS }: PostgresFeedOptions): Promise<ChangeFeed> {
  const subs = new Subscribers();
  // The last hundred are read again: a transaction in flight at start may commit below the maximum.
  const cursor = new ChangeCursor(Math.max(0, (await latestChangeSeq(pool)) - 100));
  const pollTimeout = Math.min(POLL_TIMEOUT_MS, timeouts.statementMs);
  let client: pg.Client | undefined;
  let closed = false;
  let polling = false;
  let caughtUpAt = Date.now();
  let retryTimer: NodeJS.Timeout | undefined;
  let retryDelay = 250;
  let lostAt: number | undefined;
  let prunedAt = Date.now();

  const apply = (seq: number, change: Change | undefined) => {
    if (change && cursor.take(seq)) subs.emit(change);
  };

  const drop = (c: pg.Client, reason: string) => {
    if (client !== c) return;
    client = undefined;
    lostAt ??= Date.now();
    log.warn({ reason }, 'change feed connection lost; replacing it (missed changes are read from change_log)');
    destroyConnection(c);
    schedule();
  };

  const poll = async () => {
    const c = client;
    if (!c || polling) return;
    polling = true;
    try {
      const startedAt = Date.now();
      const rows = await listChangesSince(c, cursor.after, cursor.gaps(), pollTimeout);
      cursor.polled();
      for (const row of rows) apply(Number(row.seq), toChange(row));
      caughtUpAt = startedAt; // every change committed before the poll began is applied now
      // On this connection, not the pool's: request paths (and their query counts) never see it.
      if (Date.now() - prunedAt > PRUNE_MS) {
        prunedAt = Date.now();
        await deleteOldChanges(c, pollTimeout).catch(() => {});
      }
    } catch (err) {
      drop(c, (err as Error).message);
    } finally {
      polling = false;
    }
  };

  const connect = async () => {
    const c = new pg.Client(boundedClientConfig(url, timeouts, 'keymint-listen'));
    c.on('error', () => {}); // 'end' follows, or the next poll fails: either replaces it
    c.on('end', () => drop(c, 'connection ended'));
    c.on('notification', (msg) => {
      if (msg.channel !== CHANGE_CHANNEL || !msg.payload) return;
      try {
        const { seq, ...row } = JSON.parse(msg.payload) as ChangeRow;
        apply(Number(seq), toChange(row));
      } catch {
        log.warn('ignored a malformed change notification');
      }
    });
    try {
      await c.connect();
      await listenForChanges(c);
    } catch (err) {
      destroyConnection(c);
      throw err;
    }
    if (closed) return void destroyConnection(c);
    client = c;
    retryDelay = 250;
    if (lostAt !== undefined) {
      const away = Date.now() - lostAt;
      lostAt = undefined;
      log.info({ awayMs: away }, 'change feed reconnected');
      if (away > CATCH_UP_LIMIT_MS) subs.emit({ kind: 'reset' });
    }
    await poll(); // catch up on what happened while away
  };

  const schedule = () => {
    if (closed) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      connect().catch(() => {
        retryDelay = Math.min(retryDelay * 2, 2_000);
        schedule();
      });
    }, retryDelay).unref();
  };

  await connect();
  const timer = setInterval(() => void poll(), pollMs).unref();
  return {
    async publish(change) {
      subs.emit(change);
    },
    subscribe: (h) => subs.add(h),
    caughtUpAt: () => caughtUpAt,
    async close() {
      closed = true;
      clearInterval(timer);
      clearTimeout(retryTimer);
      const c = client;
      client = undefined;
      if (c) await Promise.race([c.end().catch(() => {}), new Promise((r) => setTimeout(r, 1_000).unref())]).then(() => destroyConnection(c));
    },
  };
}
