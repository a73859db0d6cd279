// The layers of docs/ARCHITECTURE.md, as .dependency-cruiser.cjs writes them down: src/
// keeps them, and the rule does fail on an upward import (a fixture tree that has one).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const depcruise = `${root}node_modules/.bin/depcruise`;

async function cruise(cwd: string, config: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await promisify(execFile)(depcruise, ['src', '--config', config, '--output-type', 'err'], { cwd });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('dependency rules', () => {
  it('src/ imports downward only, without cycles', async () => {
    const { code, out } = await cruise(root, '.dependency-cruiser.cjs');
    expect(out).toContain('no dependency violations found');
    expect(code).toBe(0);
  }, 60_000);

  it('fail on a kernel module that imports a feature', async () => {
    const { code, out } = await cruise(`${root}test/fixtures/layers`, `${root}.dependency-cruiser.cjs`);
    expect(code).not.toBe(0);
    expect(out).toContain('kernel-imports-downward-only: src/kernel/ids.ts → src/oauth/routes.ts');
  }, 60_000);
});
