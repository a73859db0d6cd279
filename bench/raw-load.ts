// The benchmark's load generator, on node:net. Every request's bytes are built before the
// run, so a request costs the client one socket write and one response parse whatever the
// shape: the warm shape (one buffer written again and again) and the fleet shape (a buffer
// per key, each written once) cost the client the same, and the client stays cheap next to
// a fast server. That is why it is our own and not autocannon (STYLE.md's choice, which the
// soak still uses): autocannon re-builds every fleet request, about twice the client CPU of
// a warm one (measured with bench/client-cost.ts). `connections` keep-alive sockets, one
// request outstanding on each; a socket writes its next request once the previous answer is
// complete. A warm run stops at its deadline (later answers do not count); a fleet run ends
// at its last answer. Never resent: a request whose connection fails, or that has no answer
// after `timeoutMs`, is an error, and the socket is replaced.
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ProtocolError, ResponseReader, type Answer } from './response-reader.js';

export type Work =
  /** Each request written once, in order; the run ends when the last has been answered. */
  | { kind: 'each'; requests: readonly Buffer[] }
  /** The one request again and again, for `seconds`. */
  | { kind: 'repeat'; request: Buffer; seconds: number };

export interface RawLoadOptions {
  host: string;
  port: number;
  connections: number;
  work: Work;
  /** An unanswered request is an error after this long. Default 30 s. */
  timeoutMs?: number;
}

export interface RawLoadResult {
  ok: number;
  non2xx: number;
  sent: number;
  errors: number;
  /** The errors by kind (fixed phrases; never request bytes). */
  errorKinds: Map<string, number>;
  /** Answers with Connection: close (each followed by a new connection). */
  closes: number;
  /** Of the 2xx answers, ms from write to the response's last byte; unsorted. */
  latencies: number[];
  seconds: number;
}

/** A socket gives up after this many failed connects in a row. */
const CONNECT_ATTEMPTS = 3;

interface Slot {
  socket: Socket | undefined;
  /** What its socket reads into (net's onread: no stream, no allocation per chunk). */
  readBuffer: Buffer;
  reader: ResponseReader;
  connected: boolean;
  /** When its socket was opened (a connect has as long as a request to succeed). */
  openedAt: number;
  /** When its outstanding request was written; -1 when none is. */
  sentAt: number;
  failedConnects: number;
}

export function rawLoad(o: RawLoadOptions): Promise<RawLoadResult> {
  const { work } = o;
  const timeoutMs = o.timeoutMs ?? 30_000;
  const r: RawLoadResult = { ok: 0, non2xx: 0, sent: 0, errors: 0, errorKinds: new Map(), closes: 0, latencies: [], seconds: 0 };
  const total = work.kind === 'each' ? work.requests.length : Infinity;
  const slots: Slot[] = Array.from({ length: Math.max(0, Math.min(o.connections, total)) }, () => ({
    socket: undefined,
    readBuffer: Buffer.allocUnsafe(64 * 1024),
    reader: new ResponseReader(),
    connected: false,
    openedAt: 0,
    sentAt: -1,
    failedConnects: 0,
  }));
  let next = 0;
  let running = slots.length;
  let stopped = false;
  const startedAt = performance.now();
  let lastAnswerAt = startedAt;

  return new Promise((resolve) => {
    const error = (kind: string) => {
      r.errors++;
      r.errorKinds.set(kind, (r.errorKinds.get(kind) ?? 0) + 1);
    };
    const retire = (slot: Slot, graceful: boolean) => {
      const socket = slot.socket;
      slot.socket = undefined;
      slot.sentAt = -1;
      if (graceful) socket?.end();
      else socket?.destroy();
    };
    const stop = (endedAt: number) => {
      if (stopped) return;
      stopped = true;
      clearInterval(watchdog);
      clearTimeout(deadline);
      for (const slot of slots) retire(slot, work.kind === 'each');
      r.seconds = Math.max(0.001, (endedAt - startedAt) / 1000);
      resolve(r);
    };
    const finish = (slot: Slot) => {
      retire(slot, true);
      if (--running === 0) stop(work.kind === 'each' ? lastAnswerAt : performance.now());
    };
    const send = (slot: Slot) => {
      const request = stopped ? undefined : work.kind === 'repeat' ? work.request : next < total ? work.requests[next++] : undefined;
      if (!request) return finish(slot);
      r.sent++;
      slot.sentAt = performance.now();
      slot.socket!.write(request);
    };
    const replace = (slot: Slot) => {
      retire(slot, false);
      open(slot);
    };
    const connectFailed = (slot: Slot, kind: string) => {
      error(kind);
      retire(slot, false);
      if (++slot.failedConnects >= CONNECT_ATTEMPTS) finish(slot);
      else open(slot);
    };
    const answered = (slot: Slot, answer: Answer) => {
      const now = performance.now();
      lastAnswerAt = now;
      if (answer.status >= 200 && answer.status < 300) {
        r.ok++;
        r.latencies.push(now - slot.sentAt);
      } else r.non2xx++;
      slot.sentAt = -1;
      if (!answer.close) return send(slot);
      r.closes++;
      replace(slot);
    };
    const open = (slot: Slot) => {
      const onRead = (bytes: number, buffer: Buffer) => {
        if (slot.socket !== socket) return false;
        let answer;
        try {
          answer = slot.reader.feed(buffer.subarray(0, bytes));
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          error(err.message);
          replace(slot);
          return false;
        }
        if (answer) answered(slot, answer);
        return true;
      };
      const socket = connect({ host: o.host, port: o.port, noDelay: true, onread: { buffer: slot.readBuffer, callback: onRead } });
      slot.socket = socket;
      slot.connected = false;
      slot.openedAt = performance.now();
      slot.reader = new ResponseReader();
      socket.on('connect', () => {
        if (slot.socket !== socket) return;
        slot.connected = true;
        slot.failedConnects = 0;
        send(slot);
      });
      let code = '';
      socket.on('error', (err: NodeJS.ErrnoException) => {
        code = err.code ?? err.message;
      });
      socket.on('close', () => {
        if (slot.socket !== socket) return;
        if (!slot.connected) return connectFailed(slot, `could not connect (${code || 'closed'})`);
        if (slot.sentAt >= 0) error(`connection closed before the answer (${code || 'by the server'})`);
        replace(slot);
      });
    };
    // One timer for every socket: cheaper than a timer per request.
    const watchdog = setInterval(() => {
      const now = performance.now();
      for (const slot of slots) {
        if (!slot.socket) continue;
        if (!slot.connected && now - slot.openedAt > timeoutMs) connectFailed(slot, `could not connect within ${timeoutMs / 1000} s`);
        else if (slot.sentAt >= 0 && now - slot.sentAt > timeoutMs) {
          error(`no answer within ${timeoutMs / 1000} s`);
          replace(slot);
        }
      }
    }, Math.max(10, Math.min(1_000, timeoutMs / 4)));
    const deadline = work.kind === 'repeat' ? setTimeout(() => stop(performance.now()), work.seconds * 1000) : undefined;
    if (slots.length === 0) return stop(startedAt);
    for (const slot of slots) open(slot);
  });
}
