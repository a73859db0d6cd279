// The files a new user starts from: .env.example names every variable the server reads,
// docker-compose.yml works from a clone with only Docker (no .env needed, the whole .env
// passed when there is one, the master key made in the data volume, restart policies), the
// Dockerfile keeps DATA_DIR in a volume, the npm package carries the console and the licence.
// (scripts/image-smoke.sh and scripts/pack-smoke.sh run the image's files and the package.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../src/config.js';

const file = (name: string) => readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');

describe('.env.example', () => {
  const text = file('.env.example');
  const documented = [...text.matchAll(/^# ([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => ({ name: m[1], value: m[2] }));

  it('names every variable of src/config.ts, once, each with a line that says what it is', () => {
    expect(documented.map((d) => d.name).sort()).toEqual([...CONFIG_VARIABLES].sort());
    for (const { name } of documented) expect(text, name).toMatch(new RegExp(`# [^\\n]+\\n# ${name}=`));
  });

  it('states the real defaults: every value shown is accepted and is what unset means', () => {
    const shown = Object.fromEntries(documented.filter((d) => d.value !== '').map((d) => [d.name, d.value]));
    expect(loadConfig(shown)).toEqual(loadConfig({}));
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(file('docker-compose.yml'));
  const keymint = compose.services.keymint;

  it('passes the whole .env when there is one, and needs none', () => {
    expect(keymint.env_file).toEqual([{ path: '.env', required: false }]);
    // No ${VAR:?…} interpolation: compose refused every command without a .env.
    expect(file('docker-compose.yml')).not.toMatch(/\$\{[A-Z_]+:\?/);
  });

  it('makes the master key on first start in the data volume, mounted where the image keeps DATA_DIR', () => {
    expect(keymint.environment.KEYMINT_MASTER_KEY_FILE).toBe('/home/node/data/master.key');
    expect(keymint.volumes).toContain('keymint-data:/home/node/data');
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['pgdata', 'keymint-data']));
    expect(file('Dockerfile')).toMatch(/^ENV .*DATA_DIR=\/home\/node\/data/m);
    expect(file('Dockerfile')).toMatch(/^VOLUME \["\/home\/node\/data"\]$/m);
  });

  it('restarts both services, and starts Keymint once Postgres is healthy', () => {
    expect(keymint.restart).toBe('unless-stopped');
    expect(compose.services.postgres.restart).toBe('unless-stopped');
    expect(keymint.depends_on.postgres.condition).toBe('service_healthy');
  });
});

describe('the image and the package', () => {
  it('the runtime stage copies the server and the console only, never all of dist/', () => {
    const runtime = file('Dockerfile').split(/^FROM /m).pop()!;
    expect(runtime).toContain('COPY --from=build /app/dist/src ./dist/src');
    expect(runtime).toContain('COPY --from=build /app/dist/console ./dist/console');
    expect(runtime).not.toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    for (const ignored of ['node_modules', 'dist', 'data', '.env']) expect(file('.dockerignore').split('\n')).toContain(ignored);
  });

  it('npm pack includes the built console and the licence', () => {
    const pkg = JSON.parse(file('package.json'));
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/src', 'dist/console', 'migrations', 'LICENSE']));
    expect(pkg.license).toBe('Apache-2.0');
    expect(file('LICENSE')).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004/);
    expect(file('LICENSE')).toContain('END OF TERMS AND CONDITIONS');
  });
});
