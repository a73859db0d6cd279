// The process logger (pino). JSON lines with ISO timestamps, pid and hostname, so that the
// lines of several workers or hosts tell apart; a human format (pino-pretty) when the
// destination is a terminal, or when LOG_FORMAT says so. Secrets never reach it: the
// access log carries method, path, status and timing only, and the redaction list is a
// second line of defence.
import { hostname } from 'node:os';
import { isatty } from 'node:tty';
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Standard output (1), standard error (2), or a file appended to (the tests capture logs so). */
export type LogDestination = 1 | 2 | { file: string };
export type LogFormat = 'auto' | 'json' | 'pretty';

function destinationOf(to: LogDestination, format: LogFormat): DestinationStream {
  const fd = typeof to === 'object' ? undefined : to;
  const human = format === 'pretty' || (format === 'auto' && fd !== undefined && isatty(fd));
  if (human) {
    return pretty({
      destination: typeof to === 'object' ? to.file : to,
      sync: true,
      colorize: fd !== undefined && isatty(fd),
      translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l o',
      ignore: 'service',
      singleLine: true,
    });
  }
  // A file is written synchronously: a line logged just before a crash must still be there.
  if (typeof to === 'object') return pino.destination({ dest: to.file, sync: true, append: true, mkdir: true });
  return pino.destination({ fd: to, sync: to === 2 });
}

export function createLogger(level: string, to: LogDestination = 1, format: LogFormat = 'auto'): Logger {
  return pino({
    level,
    base: { service: 'keymint', pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'secret', '*.secret', 'client_secret', '*.client_secret', 'password', '*.password',
        'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
        'token', '*.token', 'access_token', '*.access_token',
      ],
      censor: '[redacted]',
    },
  }, destinationOf(to, format));
}

/** The first line of an error's message: what a start-up or command failure prints. */
export const oneLine = (err: unknown): string => String((err as Error)?.message ?? err).split('\n').map((l) => l.trim()).filter(Boolean).join(' ');

export type { Logger };
