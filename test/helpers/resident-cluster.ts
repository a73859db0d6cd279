// For test/resident-keys-cluster.test.ts: many keys made by SQL (thousands whose secrets the
// test keeps, interleaved in Key ID order with filler rows nobody can present, so that an
// instance's load of its resident keys takes many pages and a while), an instance's resident
// state as its metrics say it, and the LISTEN connections of the change feeds
// (pg_stat_activity), to cut one instance's feed.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { hashSecret } from '../../src/auth/secret-hash.js';
import { generateSecret } from '../../src/kernel/secrets.js';
import { recordSecret, type TestServer } from './server.js';

export interface Known {
  id: string;
  secret: string;
}

/** A UUIDv7 (RFC 9562) for the millisecond `ms`, its other bits random. */
export function uuidV7(ms: number): string {
  const b = randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Row i of the filler: a UUIDv7 at base + i ms (its random bits from md5), so that ID order is
// row order. $2: base ms, $3: a seed.
const FILLER_ID = `(lpad(to_hex($2::bigint + i), 12, '0') || '7' || substr(h, 1, 3)
  || substr('89ab', get_byte(decode(h, 'hex'), 15) % 4 + 1, 1) || substr(h, 4, 15))::uuid`;

/**
 * `filler` rows with the digest of a secret nobody keeps, and `known` keys spread evenly among
 * them (each with a fresh secret, recorded for the log scan), all in `projectId`. Inserts fire
 * no change (migrations/0010: updates and deletes do). Ends with ANALYZE, as autovacuum would.
 */
export async function seedKeys(sql: pg.Pool, projectId: string, known: number, filler: number): Promise<Known[]> {
  const base = Date.now() - 10 * 86_400_000;
  const nobody = hashSecret(generateSecret());
  const seed = randomBytes(8).toString('hex');
  for (let from = 0; from < filler; from += 50_000) {
    await sql.query(
      `INSERT INTO access_keys (id, project_id, display_name, secret_hash)
       SELECT ${FILLER_ID}, $1, 'filler ' || i, $4
         FROM generate_series($5::int, $6::int) AS i, LATERAL (SELECT md5($3 || ':' || i) AS h) AS r`,
      [projectId, base, seed, nobody, from, Math.min(filler, from + 50_000) - 1],
    );
  }
  const step = Math.max(1, Math.floor(filler / known));
  const keys: Known[] = Array.from({ length: known }, (_, j) => ({ id: uuidV7(base + j * step), secret: generateSecret() }));
  await sql.query(
    `INSERT INTO access_keys (id, project_id, display_name, secret_hash)
     SELECT t.id, $1, 'known ' || t.n, t.hash FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS t(id, hash, n)`,
    [projectId, keys.map((k) => k.id), keys.map((k) => hashSecret(k.secret))],
  );
  await sql.query('ANALYZE access_keys');
  for (const k of keys) recordSecret(k.secret, k.id);
  return keys;
}

/** A gauge of the server's metrics (what /metrics shows), by name. */
export async function gauge(s: TestServer, name: string): Promise<number> {
  const text = await s.running.metrics.registry.metrics();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

export interface ListenBackend {
  pid: number;
  clientPort: number;
}

/** The change feeds' LISTEN connections to the test database (application_name keymint-listen). */
export async function listenBackends(sql: pg.Pool, database: string): Promise<ListenBackend[]> {
  const { rows } = await sql.query<{ pid: number; client_port: number }>(
    "SELECT pid, client_port FROM pg_stat_activity WHERE datname = $1 AND application_name = 'keymint-listen'",
    [database],
  );
  return rows.map((r) => ({ pid: r.pid, clientPort: r.client_port }));
}
