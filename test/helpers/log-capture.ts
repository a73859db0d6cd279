// Secret hygiene across the whole suite: every test server logs (at debug) to a file of
// its own under KEYMINT_TEST_LOG_DIR, and every secret and token the tests see is
// recorded next to those logs. test/global-setup.ts scans the logs for the recorded
// values once all files have run. Nothing here imports vitest: the global setup uses it.
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const LOG_DIR_ENV = 'KEYMINT_TEST_LOG_DIR';
export const LOG_SUFFIX = '.log';
export const RECORD_SUFFIX = '.recorded';
/** Shorter values are not worth a search (and would match by chance). */
const MIN_LENGTH = 20;

let fallbackDir: string | undefined;

/** The suite's log directory, or a temporary one when a file runs without the global setup. */
export function logDir(): string {
  const dir = process.env[LOG_DIR_ENV] || (fallbackDir ??= mkdtempSync(join(tmpdir(), 'keymint-test-logs-')));
  mkdirSync(dir, { recursive: true });
  return dir;
}

let files = 0;

/** A new log file for one server, named after the test file that starts it. */
export function newLogFile(testFile = 'unknown'): string {
  const name = basename(testFile).replace(/\.test\.[cm]?[jt]s$/, '').replace(/[^\w.-]/g, '_');
  return join(logDir(), `${name}-${process.pid}-${++files}${LOG_SUFFIX}`);
}

export type RecordedKind = 'secret' | 'token' | 'token signature' | 'basic credentials';

/** Writes a value the logs must never contain to this process's record file. */
export function record(kind: RecordedKind, value: unknown): void {
  if (typeof value !== 'string' || value.length < MIN_LENGTH || /[\t\n]/.test(value)) return;
  appendFileSync(join(logDir(), `${process.pid}${RECORD_SUFFIX}`), `${kind}\t${value}\n`);
}

/** A Key Secret seen by a test (the create response, bootstrap). */
export function recordSecret(secret: unknown, accessKeyId?: string): void {
  record('secret', secret);
  if (typeof secret === 'string' && accessKeyId) {
    record('basic credentials', Buffer.from(`${accessKeyId}:${secret}`).toString('base64'));
  }
}

/** An access token seen by a test, and its signature alone (which is as good as the token). */
export function recordToken(token: unknown): void {
  record('token', token);
  if (typeof token === 'string') record('token signature', token.split('.')[2]);
}

/** Records what a JSON response body issues: access_token, or secret with accessKey. */
export function recordIssued(body: string): void {
  if (body.length > 65_536 || (!body.includes('"access_token"') && !body.includes('"secret"'))) return;
  let parsed: { access_token?: unknown; secret?: unknown; accessKey?: { accessKeyId?: string } };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return;
  }
  if (parsed === null || typeof parsed !== 'object') return;
  recordToken(parsed.access_token);
  recordSecret(parsed.secret, parsed.accessKey?.accessKeyId);
}

/** Records every token and secret a server sends, whichever client helper asked for it. */
export function observeIssued(server: Server): void {
  server.prependListener('request', (_req, res: ServerResponse) => {
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      const chunk = args[0];
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) recordIssued(Buffer.from(chunk).toString('utf8'));
      return end(...args);
    }) as ServerResponse['end'];
  });
}

export interface Leak {
  file: string;
  kind: RecordedKind;
}

export interface ScanResult {
  logFiles: number;
  lines: number;
  requestLines: number;
  recorded: number;
  leaks: Leak[];
}

const WINDOW = 16;

/** Every log file of `dir` searched for every recorded value: one pass per file. */
export function scanForLeaks(dir: string): ScanResult {
  const names = readdirSync(dir);
  const byPrefix = new Map<string, Map<string, RecordedKind>>();
  let recorded = 0;
  for (const name of names.filter((n) => n.endsWith(RECORD_SUFFIX))) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      const tab = line.indexOf('\t');
      if (tab < 0) continue;
      const value = line.slice(tab + 1);
      const prefix = value.slice(0, WINDOW);
      const values = byPrefix.get(prefix) ?? byPrefix.set(prefix, new Map()).get(prefix)!;
      if (!values.has(value)) recorded++;
      values.set(value, line.slice(0, tab) as RecordedKind);
    }
  }
  const result: ScanResult = { logFiles: 0, lines: 0, requestLines: 0, recorded, leaks: [] };
  for (const name of names.filter((n) => n.endsWith(LOG_SUFFIX))) {
    const text = readFileSync(join(dir, name), 'utf8');
    result.logFiles++;
    for (const line of text.split('\n')) {
      if (!line) continue;
      result.lines++;
      if (line.includes('"msg":"request"')) result.requestLines++;
    }
    const kinds = new Set<RecordedKind>();
    for (let i = 0; i + WINDOW <= text.length; i++) {
      const values = byPrefix.get(text.slice(i, i + WINDOW));
      if (!values) continue;
      for (const [value, kind] of values) if (text.startsWith(value, i)) kinds.add(kind);
    }
    for (const kind of kinds) result.leaks.push({ file: name, kind });
  }
  return result;
}
