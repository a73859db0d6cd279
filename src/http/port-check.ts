// Before any start-up work (opening and migrating the database, signing keys), make sure
// the port can be had: a port in use is then reported at once, not after seconds of work.
// (The real listen still reports a port taken in between.)
import { createServer } from 'node:net';
import { ConfigError } from '../config.js';

export function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new ConfigError(`Port ${port} on ${host} is already in use: stop the program that listens there, or set PORT to another port.`));
      else if (err.code === 'EACCES') reject(new ConfigError(`Port ${port} on ${host} needs privileges this process lacks: set PORT to 1024 or above.`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new ConfigError(`HOST ${host} is not an address of this machine.`));
      else reject(err);
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
