// Bundles the console (web/) into dist/console/, served by Keymint at /console/.
// Hashed file names under assets/ let the server cache them for a year.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  build: {
    outDir: fileURLToPath(new URL('../dist/console/', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Nothing inlined as data: URLs, and no preload helper that injects inline code.
    assetsInlineLimit: 0,
    modulePreload: false,
    target: 'es2022',
  },
});
