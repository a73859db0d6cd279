// The layers of src/, lowest first (docs/ARCHITECTURE.md). A module may import its own
// layer and any layer below it, never one above; the features are ranked among themselves
// the same way. `npm run lint:deps` (run by `npm test`) fails on any import that breaks this.
const LAYERS = [
  ['kernel', ['src/kernel/']],
  // The platform and the HTTP base layer: below every feature, and knowing none of them.
  ['platform', ['src/config\\.ts$', 'src/log\\.ts$', 'src/db/', 'src/crypto/', 'src/metrics/', 'src/http/']],
  ['auth', ['src/auth/']],
  ['audit', ['src/audit/']],
  ['accounts', ['src/accounts/']],
  ['apis', ['src/apis/']],
  ['credentials', ['src/credentials/']],
  ['access-keys', ['src/access-keys/']],
  ['usage', ['src/usage/']],
  ['oauth', ['src/oauth/']],
  ['dashboard', ['src/dashboard/']],
];
// Wiring: start-up and the CLI may import anything; nothing imports them.
const ROOTS = ['src/app\\.ts$', 'src/server\\.ts$', 'src/main\\.ts$', 'src/worker-supervisor\\.ts$', 'src/cli\\.ts$', 'src/cli/'];
const re = (paths) => `^(${paths.join('|')})`;

const layerRules = LAYERS.map(([name, paths], rank) => ({
  name: `${name}-imports-downward-only`,
  comment: `${name} may import ${LAYERS.slice(0, rank + 1).map(([n]) => n).join(', ')} (and libraries), nothing above it`,
  severity: 'error',
  from: { path: re(paths) },
  to: { path: '^src/', pathNot: re(LAYERS.slice(0, rank + 1).flatMap(([, p]) => p)) },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'storage-below-http',
      comment: 'the database, crypto, metrics and log modules know nothing of HTTP (the HTTP base layer may use them)',
      severity: 'error',
      from: { path: '^src/(db|crypto|metrics)/|^src/log\\.ts$' },
      to: { path: '^src/http/' },
    },
    {
      name: 'verify-stands-alone',
      comment: 'keymint/verify is published on its own: it imports the kernel at most',
      severity: 'error',
      from: { path: '^src/verify/' },
      to: { path: '^src/', pathNot: '^src/(verify|kernel)/' },
    },
    {
      name: 'no-import-of-wiring',
      comment: 'app, server, main and the CLI put the layers together; no layer imports them',
      severity: 'error',
      from: { path: '^src/', pathNot: re(ROOTS) },
      to: { path: re(ROOTS) },
    },
    {
      name: 'no-folder-outside-the-layers',
      comment: 'every module of src/ belongs to a layer above (add a new folder to LAYERS)',
      severity: 'error',
      from: { path: '^src/', pathNot: re([...LAYERS.flatMap(([, p]) => p), ...ROOTS, 'src/verify/']) },
      to: {},
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|web)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
