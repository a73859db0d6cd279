// expect.poll with the patience of a browser test (vitest's default is one second).
import { expect } from 'vitest';

type Polled = ReturnType<typeof expect.poll>;

export const poll = (fn: () => unknown): Polled => expect.poll(fn, { timeout: 7_000, interval: 50 });
