// Builds the demo page: `npm start` (scripts/demo.mjs) runs it. 'xentropy' is this repository's built package.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  resolve: {
    alias: [
      { find: /^xentropy$/, replacement: fileURLToPath(new URL('../dist/index.js', import.meta.url)) },
      {
        find: /^xentropy\/onnxruntime$/,
        replacement: fileURLToPath(new URL('../dist/adapters/onnxruntime.js', import.meta.url)),
      },
    ],
  },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2048 },
});
