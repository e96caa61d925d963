/// <reference types="vitest/config" />
// Vite build of the Guanxi web UI. The output (dist/) is embedded into the
// guanxi binary by scripts/embed-web.mjs; hashed files go under /assets/.
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2020',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0, // no data: URLs: the CSP allows files from 'self' only
    sourcemap: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
