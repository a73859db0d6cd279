// The array literals of the batched writes (src/db/array-literals.ts): joined only where no
// value needs escaping, else handed to pg to escape; either way Postgres reads the same values.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integerArray, uuidArray } from '../src/db/array-literals.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';

let database: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 1 });
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe('array literals', () => {
  it('joins canonical UUIDs and safe integers, and Postgres reads them back exactly', async () => {
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    const nums = [0, 1, -7, 1_733_000_000_000, Number.MAX_SAFE_INTEGER];
    expect(typeof uuidArray(ids)).toBe('string');
    expect(typeof integerArray(nums)).toBe('string');
    const { rows } = await pool.query<{ id: string }>('SELECT unnest($1::uuid[])::text AS id', [uuidArray(ids)]);
    expect(rows.map((r) => r.id)).toEqual(ids);
    const back = await pool.query<{ n: string }>('SELECT unnest($1::bigint[])::text AS n', [integerArray(nums)]);
    expect(back.rows.map((r) => Number(r.n))).toEqual(nums);
    expect(uuidArray([])).toBe('{}');
  });

  it('hands anything else to pg as an array, never into the literal', async () => {
    const hostile = [randomUUID(), '0190f5e2-1c2b-7d4e-8f00-0123456789ab}, {x', randomUUID().toUpperCase()];
    for (const list of [[hostile[1]], [hostile[2]], hostile, ['a,b'], [`${randomUUID()},${randomUUID()}`]]) expect(uuidArray(list)).toBe(list);
    for (const list of [[1.5], [NaN], [Number.MAX_SAFE_INTEGER + 2], [Infinity]]) expect(integerArray(list)).toBe(list);
    // pg escapes it, and Postgres refuses what is no UUID.
    await expect(pool.query('SELECT unnest($1::uuid[])', [uuidArray([hostile[1]])])).rejects.toThrow(/invalid input syntax for type uuid/);
  });
});
