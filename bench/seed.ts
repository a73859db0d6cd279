// The benchmark's data: a fresh database of its own (dropped at the end), one account and
// project made by SQL, and access keys seeded by SQL with generate_series: UUIDv7 ids in
// creation order, each row a stored secret in the server's format (secret-digest.ts). The
// keys a run presents get fresh secrets from the server's own generator, digested by SQL;
// every other row holds the digest of a secret nobody keeps. Each key is handed out once.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import pg from 'pg';
import { generateSecret } from '../src/kernel/secrets.js';
import { bcryptOf, digestSql, type SecretScheme } from './secret-digest.js';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

async function asAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `keymint_bench_${randomBytes(6).toString('hex')}`;
  await asAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => asAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export const postgresVersion = (url: string) =>
  asAdmin(url, async (c) => (await c.query<{ version: string }>('SELECT version()')).rows[0].version);

export interface Credentials {
  accessKeyId: string;
  secret: string;
}

// A UUIDv7 per row number i: 48 bits of milliseconds (a base plus i, so id order is row
// order), version 7, the RFC 9562 variant, the rest from md5(seed:i). $2 = base ms, $3 = seed.
const UUID_V7 = `(lpad(to_hex($2::bigint + i), 12, '0') || '7' || substr(h, 1, 3)
  || substr('89ab', get_byte(decode(h, 'hex'), 15) % 4 + 1, 1) || substr(h, 4, 15))::uuid`;
const name = (i: number) => `bulk key ${String(i).padStart(7, '0')}`;

export class Seeder {
  readonly #pool: pg.Pool;
  readonly #scheme: SecretScheme;
  readonly #seed = randomBytes(8).toString('hex');
  readonly #baseMs = Date.now() - 5_000_000;
  /** Row numbers seeded and not yet handed out. */
  readonly #unused: number[] = [];
  #rows = 0;
  readonly #prepared: Credentials[] = [];
  #projectId = '';
  /** The bcrypt scheme's one secret (shared by every row) and its hash. */
  #shared?: { secret: string; hash: string };

  constructor(databaseUrl: string, scheme: SecretScheme) {
    this.#pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    // An idle connection cut from outside must not end the benchmark: the next query reconnects.
    this.#pool.on('error', () => {});
    this.#scheme = scheme;
  }

  get scheme(): SecretScheme {
    return this.#scheme;
  }

  get projectId(): string {
    return this.#projectId;
  }

  /** Rows in the project (what the server's table holds). */
  get rows(): number {
    return this.#rows;
  }

  /** One verified account with one project, by SQL (the server is not needed for this). */
  async createProject(account: string, bcryptCost: number): Promise<string> {
    if (this.#scheme === 'bcrypt') {
      const secret = generateSecret();
      this.#shared = { secret, hash: await bcryptOf(secret, bcryptCost) };
    }
    const [accountId, projectId] = [randomUUID(), randomUUID()];
    await this.#pool.query('INSERT INTO accounts (id, name, verified_at) VALUES ($1, $2, now())', [accountId, account]);
    await this.#pool.query('INSERT INTO projects (id, account_id, name) VALUES ($1, $2, $3)', [projectId, accountId, `${account} project`]);
    this.#projectId = projectId;
    return projectId;
  }

  /** Grows the project to `total` rows (generate_series, in batches), then ANALYZE as autovacuum would. */
  async growTo(total: number, progress: (m: string) => void, batch = 100_000): Promise<void> {
    const hash =
      this.#scheme === 'digest'
        ? digestSql(`'kmsk_' || encode(sha256(convert_to($3 || ':secret:' || i, 'UTF8')), 'hex')`)
        : '$6::text';
    for (let from = this.#rows; from < total; from += batch) {
      const to = Math.min(total, from + batch) - 1;
      await this.#pool.query(
        `INSERT INTO access_keys (id, project_id, display_name, secret_hash)
         SELECT ${UUID_V7}, $1, 'bulk key ' || lpad(i::text, 7, '0'), ${hash}
         FROM generate_series($4::int, $5::int) AS i, LATERAL (SELECT md5($3 || ':' || i) AS h) AS r`,
        [this.#projectId, this.#baseMs, this.#seed, from, to, ...(this.#scheme === 'bcrypt' ? [this.#shared!.hash] : [])],
      );
      for (let i = from; i <= to; i++) this.#unused.push(i);
      this.#rows = to + 1;
      if (total - from > batch) progress(`  ${(to + 1).toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`);
    }
    await this.#pool.query('ANALYZE access_keys');
  }

  /**
   * Gives `count` keys their secrets now, for takeKeys to hand out later: run before a server
   * (re)starts, so that the change notifications of the UPDATE are not part of a measured run.
   */
  async prepare(count: number): Promise<void> {
    this.#prepared.push(...(await this.#pick(count)));
  }

  /** `count` keys: the prepared ones first, then fresh picks. No key is handed out twice. */
  async takeKeys(count: number): Promise<Credentials[]> {
    const ready = this.#prepared.splice(0, count);
    return ready.length === count ? ready : [...ready, ...(await this.#pick(count - ready.length))];
  }

  /**
   * `count` keys picked at random among the rows not handed out before, each with a secret
   * only this run knows: from the server's generator, digested by SQL (digest scheme), or
   * the shared secret (bcrypt scheme).
   */
  async #pick(count: number): Promise<Credentials[]> {
    if (count > this.#unused.length) throw new Error(`asked for ${count} keys, only ${this.#unused.length} unused rows are left`);
    const picked: number[] = [];
    for (let k = 0; k < count; k++) {
      const at = randomInt(this.#unused.length);
      picked.push(this.#unused[at]);
      this.#unused[at] = this.#unused[this.#unused.length - 1];
      this.#unused.pop();
    }
    const names = picked.map(name);
    const { rows } = await this.#pool.query<{ id: string; display_name: string }>(
      'SELECT id, display_name FROM access_keys WHERE project_id = $1 AND kind = $2 AND display_name = ANY($3::text[])',
      [this.#projectId, 'basic', names],
    );
    if (rows.length !== count) throw new Error(`found ${rows.length} of the ${count} picked rows`);
    const byName = new Map(rows.map((r) => [r.display_name, r.id]));
    const ids = names.map((n) => byName.get(n)!);
    if (this.#scheme === 'bcrypt') return ids.map((accessKeyId) => ({ accessKeyId, secret: this.#shared!.secret }));
    const secrets = ids.map(() => generateSecret());
    await this.#pool.query(
      `UPDATE access_keys AS a SET secret_hash = ${digestSql('t.secret')}
       FROM unnest($1::uuid[], $2::text[]) AS t(id, secret) WHERE a.id = t.id`,
      [ids, secrets],
    );
    return ids.map((accessKeyId, i) => ({ accessKeyId, secret: secrets[i] }));
  }

  /**
   * Changes `keys` (their rows are rewritten as they are), so that a running server drops
   * them from memory and reads each from the database on its first request.
   */
  async touch(keys: readonly Credentials[]): Promise<void> {
    await this.#pool.query("UPDATE access_keys SET display_name = display_name || ' (touched)' WHERE id = ANY($1::uuid[])", [keys.map((k) => k.accessKeyId)]);
  }

  /** Key IDs of rows nobody will present (for wrong-secret floods), taken out of the pool. */
  async takeIdsOnly(count: number): Promise<string[]> {
    const picked = this.#unused.splice(0, count);
    const { rows } = await this.#pool.query<{ id: string }>(
      'SELECT id FROM access_keys WHERE project_id = $1 AND kind = $2 AND display_name = ANY($3::text[])',
      [this.#projectId, 'basic', picked.map(name)],
    );
    return rows.map((r) => r.id);
  }

  async countKeys(): Promise<number> {
    const { rows } = await this.#pool.query<{ n: string }>('SELECT count(*) AS n FROM access_keys WHERE project_id = $1', [this.#projectId]);
    return Number(rows[0].n);
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}

/** The machine a run measured on, for the report header. */
export async function describeMachine(adminUrl: string, loadAtStart: number) {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cpus: cpus().length,
    memoryGB: totalmem() / 1e9,
    node: process.version,
    postgres: await postgresVersion(adminUrl),
    os: `${osType()} ${release()}`,
    loadAverage: { start: loadAtStart, end: loadavg()[0] },
  };
}
