// How commands print: --json as one JSON document, otherwise aligned plain-text tables
// (a header row, no index column, no quotes) and "Label:  value" blocks.
import type { Io } from './io.js';

export type Cell = string | number | boolean | null | undefined;

const text = (v: Cell): string => (v === null || v === undefined || v === '' ? '-' : v === true ? 'yes' : v === false ? 'no' : String(v));

/** Rows as an aligned table with the given columns (header: the column's title). */
export function table(rows: ReadonlyArray<object>, columns: ReadonlyArray<readonly [key: string, title: string]>): string {
  const cells = [columns.map(([, title]) => title), ...rows.map((r) => columns.map(([key]) => text((r as Record<string, Cell>)[key])))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => [...row[i]].length)));
  return cells.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c + ' '.repeat(widths[i] - [...c].length))).join('  ')).join('\n');
}

/** "Label:  value" lines, the values aligned. */
export function fields(pairs: ReadonlyArray<readonly [label: string, value: Cell]>): string {
  const width = Math.max(...pairs.map(([l]) => l.length)) + 1;
  return pairs.map(([l, v]) => `${`${l}:`.padEnd(width)}  ${text(v)}`).join('\n');
}

export interface Printer {
  /** --json: the value as JSON; otherwise the text the callback makes. */
  print(value: unknown, human: () => string): void;
}

export const printer = (io: Io, json: boolean | undefined): Printer => ({
  print(value, human) {
    io.out(json ? JSON.stringify(value) : human());
  },
});
