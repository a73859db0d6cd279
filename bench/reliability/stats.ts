// Latency summaries for the reliability figures, and one short-lived Postgres query for
// checking what the server stored.
import pg from 'pg';
import { median, percentile } from '../load.js';

export interface Summary {
  count: number;
  median: number;
  p90: number;
  p99: number;
}

export const summarize = (ms: number[]): Summary => ({
  count: ms.length,
  median: median(ms),
  p90: percentile(ms, 90),
  p99: percentile(ms, 99),
});

/**
 * A rough noise estimate for a median: the difference between the medians of the first
 * and the second half of the samples, in the order they were taken. Two halves of the
 * same case differ only by chance and drift, so a difference between cases no larger
 * than this tells nothing.
 */
export function halvesSpread(ms: number[]): number {
  const half = Math.floor(ms.length / 2);
  return Math.abs(median(ms.slice(0, half)) - median(ms.slice(half)));
}

export async function query<R extends pg.QueryResultRow>(databaseUrl: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Fisher-Yates, in place. */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
