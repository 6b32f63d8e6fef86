// The browser entry and its chunks, bundled by esbuild, minified again by terser, whose compression takes ~630 B
// more off the entry's gzipped size than esbuild's minifier (the download budget, test/runtime/package-size.test.ts).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';

const dist = new URL('../dist/', import.meta.url);
const files = [
  'index.js',
  ...readdirSync(new URL('wasm/', dist))
    .filter((f) => f.endsWith('.js'))
    .map((f) => `wasm/${f}`),
];
for (const file of files) {
  const url = new URL(file, dist);
  const { code } = await minify(readFileSync(url, 'utf8'), {
    module: true,
    ecma: 2020,
    compress: { passes: 2 },
    format: { comments: false },
  });
  writeFileSync(url, code);
}
