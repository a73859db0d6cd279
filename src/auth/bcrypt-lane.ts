// Every bcrypt call goes through here, at most BCRYPT_LANES at a time. bcrypt runs on
// libuv's thread pool (4 threads by default), and so does token signing (jose signs with
// WebCrypto). Unbounded, a flood of wrong secrets or key creations would fill every pool
// thread with bcrypt and make each token wait behind it: one client's failures would slow
// everyone. Bounded, bcrypt work queues here, in JavaScript, and signing always finds a
// free thread. The queue is FIFO.
import bcrypt from 'bcrypt';

const LANES = 2;

let running = 0;
const waiting: Array<() => void> = [];

async function inLane<T>(work: () => Promise<T>): Promise<T> {
  if (running >= LANES) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export const bcryptCompare = (secret: string, hash: string) => inLane(() => bcrypt.compare(secret, hash));
export const bcryptHash = (secret: string, cost: number) => inLane(() => bcrypt.hash(secret, cost));
