// A TCP proxy in front of a test Postgres that a test can cut and restore, to play
// "the database went away" without stopping the Postgres other test files share. Besides
// a clean cut (connections reset, new ones refused) it can black-hole: every connection
// open at that moment goes silent for good (no FIN, no RST: bytes vanish both ways, as
// behind a dead router), and new ones stall too until heal(). It can also drop every
// NOTIFY on its way to the client (a lost notification) while all else passes, or cut the
// connections of one application_name only (a change feed's LISTEN, say) and refuse its new ones.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

export interface PgProxy {
  /** DATABASE_URL through the proxy. */
  readonly url: string;
  /** Drop every connection and refuse new ones. */
  cut(): Promise<void>;
  /** Accept connections again, on the same port. */
  restore(): Promise<void>;
  /** Silence every open connection forever; with `stallNew`, also those opened until heal(). */
  blackhole(options?: { stallNew?: boolean }): void;
  /** New connections pass again (the silenced ones stay dead, as after a real partition). */
  heal(): void;
  /** While true, NotificationResponse messages from the server are discarded. */
  dropNotifications: boolean;
  /**
   * While set, the connections whose startup message names this application_name are
   * dropped (at once, and any new one as soon as it starts up); the others pass.
   */
  refuseApplication: string | undefined;
  /** Connections currently open through the proxy. */
  readonly connections: number;
  /** The local ports of the proxy's connections to the server (pg_stat_activity.client_port). */
  upstreamPorts(): number[];
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  dead: boolean;
  /** The application_name of its startup message, once seen. */
  application?: string;
}

/** application_name in a client's first bytes (the startup message: name NUL value NUL pairs). */
function applicationNameOf(first: Buffer): string | undefined {
  const text = first.toString('latin1');
  const at = text.indexOf('application_name\0');
  if (at < 0) return undefined;
  const from = at + 'application_name\0'.length;
  const end = text.indexOf('\0', from);
  return end < 0 ? undefined : text.slice(from, end);
}

/** Passes backend messages through, minus NotificationResponse ('A') when told to. */
class NotificationFilter extends Transform {
  #pending = Buffer.alloc(0);
  constructor(private readonly dropping: () => boolean) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    while (this.#pending.length >= 5) {
      const size = 1 + this.#pending.readInt32BE(1);
      if (this.#pending.length < size) break;
      const message = this.#pending.subarray(0, size);
      this.#pending = this.#pending.subarray(size);
      if (!(message[0] === 0x41 && this.dropping())) this.push(message);
    }
    done();
  }
}

export async function startPgProxy(targetUrl: string): Promise<PgProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || 5432);
  const pairs = new Set<Pair>();
  let server: Server | undefined;
  let port = 0;
  let stallNew = false;
  let dropNotifications = false;
  let refused: string | undefined;
  const drop = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream.destroy();
  };

  const silence = (pair: Pair) => {
    pair.dead = true;
    pair.client.unpipe();
    pair.upstream.unpipe();
    for (const s of [pair.client, pair.upstream]) {
      s.removeAllListeners('data');
      s.on('data', () => {}); // read and forget
    }
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(targetPort, target.hostname);
        const pair: Pair = { client, upstream, dead: false };
        pairs.add(pair);
        for (const sock of [client, upstream]) {
          sock.on('error', () => sock.destroy());
          sock.on('close', () => pairs.delete(pair));
        }
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        if (stallNew) return silence(pair);
        client.once('data', (first: Buffer) => {
          pair.application = applicationNameOf(first);
          if (refused !== undefined && pair.application === refused) drop(pair);
        });
        client.pipe(upstream);
        upstream.pipe(new NotificationFilter(() => dropNotifications)).pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });

  await listen();
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    cut: stop,
    restore: listen,
    blackhole(options = {}) {
      stallNew = options.stallNew ?? false;
      for (const pair of pairs) if (!pair.dead) silence(pair);
    },
    heal() {
      stallNew = false;
    },
    get dropNotifications() {
      return dropNotifications;
    },
    set dropNotifications(on: boolean) {
      dropNotifications = on;
    },
    get refuseApplication() {
      return refused;
    },
    set refuseApplication(name: string | undefined) {
      refused = name;
      if (name !== undefined) for (const pair of pairs) if (pair.application === name) drop(pair);
    },
    get connections() {
      return pairs.size;
    },
    upstreamPorts: () => [...pairs].map((p) => p.upstream.localPort).filter((port): port is number => typeof port === 'number'),
    close: stop,
  };
}
