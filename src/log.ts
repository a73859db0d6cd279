// The process logger. Secrets never reach it: request logs carry method, path, status
// and timing only, and the redaction list is a second line of defence.
import { pino, type Logger } from 'pino';

/** Standard output (1), standard error (2), or a file appended to (the tests capture logs so). */
export type LogDestination = 1 | 2 | { file: string };

function destinationOf(to: LogDestination) {
  // A file is written synchronously: a line logged just before a crash must still be there.
  if (typeof to === 'object') return pino.destination({ dest: to.file, sync: true, append: true, mkdir: true });
  return pino.destination({ fd: to, sync: to === 2 });
}

export function createLogger(level: string, to: LogDestination = 1): Logger {
  return pino({
    level,
    base: { service: 'keymint' },
    redact: {
      paths: [
        'secret', '*.secret', 'client_secret', '*.client_secret', 'password', '*.password',
        'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
        'token', '*.token', 'access_token', '*.access_token',
      ],
      censor: '[redacted]',
    },
  }, destinationOf(to));
}

export type { Logger };
