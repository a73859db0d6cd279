// Each test file gets a database of its own on the real Postgres (TEST_DATABASE_URL, or
// the local server), created empty and dropped at the end. The admin connection goes to
// the `postgres` database that every Postgres has, so a stock server needs no setup.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runner } from 'node-pg-migrate';
import pg from 'pg';

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `keymint_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(ADMIN_URL, name),
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Migrates the database with the migrations named before `first` only: the schema of an older release (upgrade tests). */
export async function migrateBefore(databaseUrl: string, first: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keymint-migrations-'));
  try {
    for (const f of readdirSync('migrations')) if (f < first) cpSync(join('migrations', f), join(dir, f));
    await runner({ databaseUrl, dir, direction: 'up', migrationsTable: 'pgmigrations', checkOrder: true, singleTransaction: true, log: () => {} });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
