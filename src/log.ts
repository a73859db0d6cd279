// The process logger. Secrets never reach it: request logs carry method, path, status
// and timing only, and the redaction list is a second line of defence.
import { pino, type Logger } from 'pino';

export function createLogger(level: string, fd: 1 | 2 = 1): Logger {
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
  }, pino.destination({ fd, sync: fd === 2 }));
}

export type { Logger };
