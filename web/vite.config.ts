// Two pages: the staff app (index.html) and the anonymous answer form (collect.html), which
// must stay small and load nothing of the staff app (no ECharts, no staff messages).
import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';

export default defineConfig({
  // Preact through esbuild's automatic JSX runtime: no Babel preset is needed for a build.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // The polyfill would be an inline-free module anyway, but every browser we support has
    // modulepreload; leaving it out keeps the answer form smaller.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      input: {
        index: resolve(__dirname, 'index.html'),
        collect: resolve(__dirname, 'collect.html'),
      },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
