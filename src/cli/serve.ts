// The running server's side of the control socket: each client's command line runs here,
// through the same command tree, on the server's own pool and master key.
import type { Logger } from 'pino';
import type { Server } from 'node:http';
import type { Config } from '../config.js';
import type { ChangeFeed } from '../db/change-feed.js';
import type { Db } from '../db/pool.js';
import { serverContext } from './context.js';
import { serveControlSocket } from './control-socket.js';
import { bufferIo } from './io.js';
import { runCommand } from './run.js';

export function serveCommands(server: { db: Db; feed: ChangeFeed; config: Config; log: Logger; masterKey: Buffer }): Promise<Server | undefined> {
  return serveControlSocket(
    server.config.dataDir,
    async (argv, stdin) => {
      const io = bufferIo(stdin);
      const code = await runCommand(argv, serverContext(io, server));
      server.log.info({ command: argv.filter((a) => !a.startsWith('-')).slice(0, 2).join(' '), code }, 'ran a keymint command for the control socket');
      return { code, stdout: io.stdout, stderr: io.stderr };
    },
    server.log,
  );
}
