// The dependency audit: runs `npm audit --omit=dev` and keeps what it said (its summary,
// or the lines of its error when the advisory endpoint cannot be reached), and lists the
// production dependencies with the versions package-lock.json resolves them to.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface AuditFigure {
  /** 'clean', 'findings' (npm listed vulnerabilities) or 'error' (the audit did not run). */
  outcome: 'clean' | 'findings' | 'error';
  /** What npm printed that matters: the summary, the findings or the error lines. */
  lines: string[];
  direct: Array<{ name: string; version: string; license: string }>;
  /** Every package installed by `npm ci --omit=dev`, direct or not. */
  productionPackages: number;
}

interface LockEntry {
  version?: string;
  license?: string;
  dev?: boolean;
  devOptional?: boolean;
  dependencies?: Record<string, string>;
}

function runAudit(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['audit', '--omit=dev'], { cwd: ROOT, timeout: 180_000, maxBuffer: 10_000_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function auditDependencies(): Promise<AuditFigure> {
  const lock = JSON.parse(await readFile(`${ROOT}package-lock.json`, 'utf8')) as { packages: Record<string, LockEntry> };
  const direct = Object.keys(lock.packages[''].dependencies ?? {})
    .sort()
    .map((name) => {
      const entry = lock.packages[`node_modules/${name}`] ?? {};
      return { name, version: entry.version ?? '?', license: entry.license ?? '?' };
    });
  const productionPackages = Object.entries(lock.packages).filter(([path, e]) => path !== '' && !e.dev && !e.devOptional).length;

  const r = await runAudit();
  const stdout = r.stdout.trim().split('\n').filter(Boolean);
  if (r.code === 0) return { outcome: 'clean', lines: stdout.slice(-3), direct, productionPackages };
  if (/vulnerabilit/i.test(r.stdout)) return { outcome: 'findings', lines: stdout, direct, productionPackages };
  // Not a finding: the audit itself failed. Keep npm's own lines about it (not the config warnings).
  const lines = r.stderr
    .split('\n')
    .filter((l) => /^npm (warn|error) audit/.test(l) || (/^npm error/.test(l) && !/complete log/.test(l)));
  return { outcome: 'error', lines: lines.length ? lines : [`npm audit exited with ${r.code}`], direct, productionPackages };
}
