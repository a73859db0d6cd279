// Two instances restarted one after the other under a load of writes: SIGTERM lets
// requests in flight finish, so every create that was acknowledged is in the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../src/crypto/master-key.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { CLI, run, startMain } from './helpers/processes.js';
import { freePort } from './helpers/server.js';
import pg from 'pg';

let database: TestDatabase;
const masterKey = generateMasterKey();
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

describe('rolling restart', () => {
  it('loses no acknowledged write when two instances restart one after the other', async () => {
    const env = { DATABASE_URL: database.url, KEYMINT_MASTER_KEY: masterKey, BCRYPT_COST: '4', HOST: '127.0.0.1', ISSUER: 'http://keymint.test' };
    const boot = JSON.parse((await run(CLI, ['bootstrap', '--account', 'R', '--project', 'P', '--key', 'K', '--json'], env)).stdout);
    const ports = [await freePort(), await freePort()];
    const servers = await Promise.all(ports.map((p) => startMain({ ...env, PORT: String(p) })));
    const basic = `Basic ${Buffer.from(`${boot.accessKey.accessKeyId}:${boot.secret}`).toString('base64')}`;

    const acknowledged: string[] = [];
    const errors: string[] = [];
    let refused = 0;
    let stop = false;
    let n = 0;
    const writer = async (w: number) => {
      while (!stop) {
        const name = `w${w}-${n++}`;
        const port = ports[n % 2];
        try {
          const res = await fetch(`http://127.0.0.1:${port}/v1/projects/${boot.projectId}/accessKeys`, {
            method: 'POST',
            headers: { authorization: basic, 'content-type': 'application/json', connection: 'close' },
            body: JSON.stringify({ displayName: name }),
          });
          if (res.status === 200) acknowledged.push(name);
          else if (res.status >= 500) errors.push(`${res.status} ${await res.text()}`);
          else await res.text();
        } catch {
          refused++; // the instance was down: the client retries elsewhere, nothing was acknowledged
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await pause(500);
    for (const i of [0, 1]) {
      expect(await servers[i].stop()).toBe(0);
      await pause(200);
      servers[i] = await startMain({ ...env, PORT: String(ports[i]) });
      await pause(500);
    }
    stop = true;
    await Promise.all(writers);
    for (const s of servers) expect(await s.stop()).toBe(0);

    const sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    const { rows } = await sql.query<{ display_name: string }>('SELECT display_name FROM access_keys WHERE project_id = $1', [boot.projectId]);
    await sql.end();
    const stored = new Set(rows.map((r) => r.display_name));
    expect(errors).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(50);
    expect(acknowledged.filter((name) => !stored.has(name))).toEqual([]);
    expect(refused).toBeGreaterThan(0); // the restarts really happened under load
  }, 60_000);
});
