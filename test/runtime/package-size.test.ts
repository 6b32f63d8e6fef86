// The download budget: a page running the SIMD build fetches the entry and that build, as its .wasm file (where the
// file is served beside the entry or a bundler copied it) or as its module and the decoder of embedded builds,
// ≤ 68 KB gzipped (45 KB until CTC, which took 4.0 KB of the entry and 1.8 KB of the build; 51 KB until the
// distillation divergences, which took 2.5 KB of the entry and 5.0 KB of the build, top-k and hard + soft; 59 KB
// until their fused forms from hidden states, 1.7 KB of the entry; 61 KB until the direct path of small calls, 2.4 KB
// of the entry; 63 KB until filterEps, 1.2 KB of the build and 0.4 KB of the entry, with the overlapped threads' hooks
// and the relaxed-SIMD threads build's table entries; 65 KB until the softmax rows' loop with its constants in
// registers, 0.4 KB of the build, and the gathered copies out, 0.2 KB of the entry; 66 KB until short rows side by
// side, transposed in registers, 0.5 KB of the build and 0.1 KB of the entry, a block for each worker; 67 KB until the
// short rows' losses and gradients finished side by side, 0.7 KB of the build, and class indices read where they lie,
// 0.2 KB of the entry: one entry holds every function,
// and a bundled app drops the JavaScript of those it does not import);
// every other build
// is a file and a module of its own, the worker pool's start-up a module loaded only for threads, and the async
// calls' loop one loaded on the first of them. (bench/suites/size.mjs reports the sizes, and those of bundled apps.)
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';

const dist = new URL('../../dist/', import.meta.url);
const gzipped = (path: string) => gzipSync(readFileSync(new URL(path, dist)), { level: 9 }).length;
const chunks = readdirSync(new URL('wasm/', dist)).filter((f) => f.endsWith('.js'));

it('the entry holds no build, and each build is a module of its own', () => {
  const entry = readFileSync(new URL('index.js', dist), 'utf8');
  expect(entry.length).toBeLessThan(110_000);
  expect(entry).not.toMatch(/WASM_(DEFLATED_)?BASE64\s*=/);
  expect(chunks.map((f) => f.replace(/-\w+\.js$/, '')).sort()).toEqual([
    'async-loop',
    'embedded-bytes',
    'relaxed-simd',
    'relaxed-threads',
    'scalar',
    'simd',
    'thread-start',
    'threads',
  ]);
});

const chunk = (name: string) => `wasm/${chunks.find((f) => f.startsWith(`${name}-`))}`;
it.each([
  ['its module', () => [chunk('simd'), chunk('embedded-bytes')]],
  ['its .wasm file', () => ['wasm/xentropy.simd.wasm']],
])('the entry and the SIMD build as %s come to at most 68 KB gzipped', (_, build) => {
  const total = [`index.js`, ...build()].reduce((sum, file) => sum + gzipped(file), 0);
  expect(total).toBeLessThanOrEqual(68_000);
});
