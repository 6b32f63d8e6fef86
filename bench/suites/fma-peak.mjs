// The machine's relaxed-SIMD fused multiply-add peak, per engine: bench/kernels/fma-peak.ts (twelve independent
// f32x4.relaxed_madd chains, nothing loaded or stored), compiled here by asc, timed in Node 24 and 26 (runtimes/)
// and in Chromium. The limit the fused linear + cross-entropy's matmul is held to; beside it, in each Node,
// matmul-rate.mjs's onnxruntime-node MatMul (native) and xentropy's fused forward. `npm run bench:fma`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { launchChromium } from '../../scripts/chromium.mjs';
import { serve } from '../../scripts/serve.mjs';
import { writeReport } from '../lib/report.mjs';

const root = new URL('../../', import.meta.url);
const wasm = new URL('build/bench/fma-peak.wasm', root);
const ITERATIONS = 2e6;
const ROUNDS = 7;
const FLOPS = 96 * ITERATIONS; // 12 chains × 4 lanes × (multiply + add) per iteration

/** Runs in every engine: GFLOP/s of each round, from the module's bytes. */
async function rates(bytes, rounds, iterations, flops) {
  const { instance } = await WebAssembly.instantiate(bytes, { env: { abort() {} } });
  const chains = instance.exports.fmaChains;
  chains(1000, 0.99999994, 1e-7);
  const out = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    chains(iterations, 0.99999994, 1e-7);
    out.push(flops / ((performance.now() - start) / 1e3) / 1e9);
  }
  return out;
}

mkdirSync(new URL('build/bench/', root), { recursive: true });
const asc = new URL('node_modules/assemblyscript/bin/asc.js', root).pathname;
execFileSync(process.execPath, [
  asc,
  new URL('bench/kernels/fma-peak.ts', root).pathname,
  '--runtime',
  'stub',
  '-O3',
  '--enable',
  'simd,relaxed-simd',
  '-o',
  wasm.pathname,
]);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
const matmuls = [];
const row = (engine, rs) => rows.push(`| ${engine} | ${median(rs).toFixed(1)} | ${Math.max(...rs).toFixed(1)} |`);

// Node: each binary in a process of its own (never side by side)
const script = `const bytes = require('node:fs').readFileSync(${JSON.stringify(wasm.pathname)});
(${rates})(bytes, ${ROUNDS}, ${ITERATIONS}, ${FLOPS}).then((r) => console.log(JSON.stringify([process.version, r])));`;
for (const major of [24, 26]) {
  const node = new URL(`runtimes/node_modules/node${major}/bin/node`, root).pathname;
  if (!existsSync(node)) continue;
  const { stdout } = spawnSync(node, ['-e', script], { encoding: 'utf8' });
  const [version, rs] = JSON.parse(stdout);
  row(`Node ${version}`, rs);
  const peak = median(rs);
  const rates = spawnSync(node, ['matmul-rate.mjs'], { cwd: new URL('.', import.meta.url), encoding: 'utf8' });
  if (rates.status !== 0) throw new Error(`matmul-rate.mjs failed on Node ${version}: ${rates.stderr}`);
  const times = (g) => `${g.toFixed(1)} (${(g / peak).toFixed(2)}×)`;
  for (const { shape, ort, xentropy, matmul } of JSON.parse(rates.stdout).rows) {
    const [N, d, V] = shape;
    const cells = [`Node ${version}`, `[${N}, ${d}] · [${V}, ${d}]ᵀ`, times(ort), times(xentropy), times(matmul)];
    matmuls.push(`| ${cells.join(' | ')} | ${matmul / peak >= 0.7 ? '✓' : '✗'} |`);
  }
}

const { url, close } = await serve(root.pathname);
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`${url}bench/suites/browser.html`); // any page of the server: the module is fetched from it
  const rs = await page.evaluate(
    async ([source, path, rounds, iterations, flops]) => {
      const run = new Function(`return (${source})`)();
      const bytes = await (await fetch(path)).arrayBuffer();
      return run(bytes, rounds, iterations, flops);
    },
    [String(rates), '/build/bench/fma-peak.wasm', ROUNDS, ITERATIONS, FLOPS],
  );
  row(`Chromium ${browser.version()}`, rs);
} finally {
  await browser.close();
  await close();
}

const text = [
  '# The relaxed-SIMD FMA peak',
  '',
  `\`npm run bench:fma\`: twelve independent \`f32x4.relaxed_madd\` chains (bench/kernels/fma-peak.ts), ${ITERATIONS}`,
  `iterations of 96 float32 operations, ${ROUNDS} rounds; one thread. The limit for a float32 matmul in WebAssembly`,
  "on this machine: 128-bit vectors (WebAssembly has no wider ones), the core's two FMA pipes.",
  '',
  '| engine | GFLOP/s (median) | best round |',
  '| --- | ---: | ---: |',
  ...rows,
  '',
  'Beside the peak, in each Node (`bench/suites/matmul-rate.mjs`), one thread, GFLOP/s counting 2·N·d·V, and the',
  "ratio to that Node's peak: onnxruntime-node's MatMul (MLAS, native AVX2 and FMA, 256-bit vectors, so it may pass",
  "the WebAssembly peak), xentropy's `linearCrossEntropy` forward (the matmul, with the cross-entropy fused in), and",
  "that call's matmul alone (the library's kernel on the call's chunks of rows), held to 0.7× the peak.",
  '',
  '| engine | product | onnxruntime-node MatMul | xentropy fused forward | its matmul | ≥ 0.7× |',
  '| --- | --- | ---: | ---: | ---: | --- |',
  ...matmuls,
  '',
].join('\n');
writeReport('fma-peak', 'RESULTS.md', text);
console.log(text);
