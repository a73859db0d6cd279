// Every bcrypt call goes through here: a bounded queue with a deadline. bcrypt is only for
// secrets a person chose (console and legacy passwords); it runs on libuv's thread pool, as
// token signing does, so at most LANES run at once and signing always finds a free thread.
// Waiting work is bounded (MAX_WAITING per class) and has a deadline (DEADLINE_MS): past
// either, the caller gets Overloaded at once (503 with Retry-After) instead of a wait that
// grows as long as a flood lasts. Known names (a credential or user that exists) are served
// ahead of unknown ones, and a request whose client has gone is skipped, not computed.
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { Overloaded } from '../kernel/rate-limited.js';

const LANES = 2;
export const MAX_WAITING = 32;
export const DEADLINE_MS = 800;

export interface BcryptTurn {
  /** 'unknown' (no such user or credential) waits behind every 'known' turn. */
  priority?: 'known' | 'unknown';
  /** True when the client has disconnected: the work is skipped. */
  isGone?: () => boolean;
}

interface Waiting {
  start(): void;
  refuse(err: Error): void;
  since: number;
  isGone?: () => boolean;
}

let running = 0;
const queues: Record<'known' | 'unknown', Waiting[]> = { known: [], unknown: [] };

class ClientGone extends Error {}

function next(): void {
  while (running < LANES) {
    const item = queues.known.shift() ?? queues.unknown.shift();
    if (!item) return;
    if (item.isGone?.()) item.refuse(new ClientGone('the client disconnected'));
    else if (Date.now() - item.since > DEADLINE_MS) item.refuse(new Overloaded(1));
    else {
      running++;
      item.start();
    }
  }
}

async function inLane<T>(work: () => Promise<T>, turn: BcryptTurn = {}): Promise<T> {
  if (running >= LANES) {
    const queue = queues[turn.priority ?? 'known'];
    if (queue.length >= MAX_WAITING) throw new Overloaded(1);
    await new Promise<void>((start, refuse) => queue.push({ start, refuse, since: Date.now(), isGone: turn.isGone }));
  } else {
    running++;
  }
  try {
    return await work();
  } finally {
    running--;
    next();
  }
}

/** Compares in the queue; throws Overloaded past its bound or deadline (and an error when the client went away). */
export const bcryptCompare = (secret: string, hash: string, turn?: BcryptTurn) => inLane(() => bcrypt.compare(secret, hash), turn);
export const bcryptHash = (secret: string, cost: number) => inLane(() => bcrypt.hash(secret, cost));

/** Work waiting and running now (for tests and metrics). */
export const bcryptLoad = () => ({ running, waiting: queues.known.length + queues.unknown.length });

/** A bcrypt hash at `cost` of a random secret nobody has: what unknown names are compared with. */
export const unusableHash = (cost: number) => bcryptHash(randomBytes(32).toString('base64url'), cost);
