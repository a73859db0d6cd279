// The running server's control socket: DATA_DIR/keymint.sock, mode 0600, served only on the
// embedded database (whose folder one process holds). A `keymint` command sends its
// arguments (and the stdin it read) as JSON; the server runs the same command on its own
// pool and answers with the exit code and output. Whoever may open the socket may read
// the data folder and its master key anyway: the socket grants nothing more.
import { existsSync, rmSync, chmodSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';

export const controlSocketPath = (dataDir: string) => join(resolve(dataDir), 'keymint.sock');

// sockaddr_un holds 108 bytes on Linux (104 on macOS), the terminating NUL included.
const MAX_SOCKET_PATH = 103;
const MAX_REQUEST = 1 << 20;

export interface Answer {
  code: number;
  stdout: string;
  stderr: string;
}

export type RunCommand = (argv: string[], stdin: string) => Promise<Answer>;

function readJson(req: import('node:http').IncomingMessage): Promise<unknown> {
  return new Promise((done, fail) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
      if (body.length > MAX_REQUEST) req.destroy(new Error('request too large'));
    });
    req.on('end', () => {
      try {
        done(JSON.parse(body));
      } catch (err) {
        fail(err);
      }
    });
    req.on('error', fail);
  });
}

/** Serves the socket until closed; undefined when the path is too long for a socket. */
export async function serveControlSocket(dataDir: string, run: RunCommand, log: Logger): Promise<Server | undefined> {
  const path = controlSocketPath(dataDir);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    log.warn({ path }, 'DATA_DIR is too long a path for the control socket: `keymint` commands need this server stopped');
    return undefined;
  }
  // The data folder is this process's (the embedded lock): a socket file left there is stale.
  rmSync(path, { force: true });
  const server = createServer(async (req, res) => {
    try {
      const input = (await readJson(req)) as { argv?: unknown; stdin?: unknown };
      if (!Array.isArray(input.argv) || !input.argv.every((a) => typeof a === 'string')) throw new Error('argv must be a list of strings');
      const answer = await run(input.argv, typeof input.stdin === 'string' ? input.stdin : '');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    } catch (err) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 1, stdout: '', stderr: `keymint: ${(err as Error).message}` }));
    }
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    const umask = process.umask(0o177); // the socket is created 0600, never briefly wider
    try {
      server.listen(path, () => done());
    } finally {
      process.umask(umask);
    }
  });
  chmodSync(path, 0o600);
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    close(cb);
    rmSync(path, { force: true });
    return server;
  }) as Server['close'];
  return server;
}

/** The server's answer, or undefined when no server listens on the socket. */
export function askRunningServer(path: string, argv: readonly string[], stdin: string | undefined): Promise<Answer | undefined> {
  if (!existsSync(path)) return Promise.resolve(undefined);
  return new Promise((done, fail) => {
    const req = request({ socketPath: path, method: 'POST', path: '/run', headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          done(JSON.parse(body) as Answer);
        } catch {
          fail(new Error('the running server gave an unreadable answer on its control socket'));
        }
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A socket file with nobody behind it: a server that stopped without cleaning up.
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') done(undefined);
      else fail(err);
    });
    req.end(JSON.stringify({ argv, stdin }));
  });
}
