// The npm registry reachable from our build machines serves rollup's native packages for
// linux only, so `npm install` writes a lockfile without rollup's other platform packages,
// and `npm ci` then refuses it as out of sync. This adds the missing entries (optional,
// with their os/cpu/libc, so no platform but theirs ever fetches them). Run it after any
// `npm install` that rewrites package-lock.json: node scripts/lockfile-platforms.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const rollup = lock.packages['node_modules/rollup'];
const LIBC = { gnu: 'glibc', gnueabihf: 'glibc', musl: 'musl', musleabihf: 'musl' };
const CPU = { eabi: 'arm' };
let added = 0;
for (const [name, version] of Object.entries(rollup?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (!name.startsWith('@rollup/rollup-') || lock.packages[key]) continue;
  const [os, cpu, abi] = name.slice('@rollup/rollup-'.length).split('-');
  const entry = { version, cpu: [CPU[abi] && cpu === 'arm' ? 'arm' : cpu], dev: true };
  if (os === 'linux' && LIBC[abi]) entry.libc = [LIBC[abi]];
  Object.assign(entry, { license: 'MIT', optional: true, os: [os] });
  lock.packages[key] = entry;
  added++;
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lockfile: added ${added} platform entr${added === 1 ? 'y' : 'ies'} for rollup`);
