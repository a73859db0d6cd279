// Several Keymint instances on one database and one master key, as behind a load balancer.
import { generateMasterKey } from '../../src/crypto/master-key.js';
import { SealedBox } from '../../src/crypto/sealed-box.js';
import { createTestDatabase } from './database.js';
import { startTestServer, type TestServer } from './server.js';
import type { ServerOptions } from '../../src/server.js';

// Instances behind one load balancer share an issuer; the test servers' ports differ.
export const SHARED_ISSUER = 'http://keymint.test';

export async function cluster(sharedEnv: Record<string, string> = {}) {
  const database = await createTestDatabase();
  const masterKey = generateMasterKey();
  const servers: TestServer[] = [];
  return {
    database,
    masterKey,
    box: new SealedBox(Buffer.from(masterKey, 'base64url')),
    servers,
    async start(env: Record<string, string> = {}, options?: ServerOptions) {
      const s = await startTestServer({ ISSUER: SHARED_ISSUER, ...sharedEnv, ...env }, { database, masterKey }, options);
      servers.push(s);
      return s;
    },
    async stop(s: TestServer) {
      servers.splice(servers.indexOf(s), 1);
      await s.close();
    },
    async close() {
      await Promise.all(servers.map((s) => s.close()));
      await database.drop();
    },
  };
}

export type Cluster = Awaited<ReturnType<typeof cluster>>;
