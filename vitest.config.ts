import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const demo = source('./demo/');
const packageSource: Record<string, string> = {
  xentropy: source('./src/index.ts'),
  'xentropy/onnxruntime': source('./src/adapters/onnxruntime.ts'),
};

export default defineConfig({
  // the demo's modules import the package by name: in the tests they get its source (where everything else that
  // imports it by name, the built adapters included, gets the package itself)
  plugins: [
    {
      name: 'demo-imports-source',
      enforce: 'pre',
      resolveId: (id, importer) => (importer?.startsWith(demo) ? packageSource[id] : undefined),
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
