// The fused linear + cross-entropy (linearCrossEntropyWithGrad), float32, on one thread and on two, against
//   (a) xentropy's own unfused path: the logits [N, V] by the same matmul kernel, then crossEntropyWithGrad,
//       then the two gradient products (the same kernel),
//   (b) onnxruntime-web's MatMul (wasm SIMD, one thread, MLAS kernels) of X [N, d] · Wᵀ [d, V]: the best wasm
//       GEMM we know, for the matmul's own speed,
//   (c) TensorFlow.js on its wasm backend: tf.matMul, tf.losses.softmaxCrossEntropy and tf.grads for X and W,
//       timed on the first TF_ROWS rows (it runs ~0.5 GFLOP/s here) and scaled to N, which the table says,
// at N 512, d 256, V 32,000 and N 1024, d 512, V 50,257. GFLOP/s count 2·N·d·V per product (6·N·d·V for
// the fused call); memory is what the fused call lays out in WebAssembly memory. Medians go to
// bench/results/linear/RESULTS.md.
// Run: npm run bench:linear   (after npm run bench has installed bench/'s dependencies)
// the library and its kernels from one instance (bench/lib/internal.ts re-exports both)
import * as xentropy from '../../build/internal/internal.js';
import { makeRandom } from '../../build/reference.mjs';
import { writeReport } from '../lib/report.mjs';
import { median } from '../lib/timing.mjs';
import { onnxruntimeMatMulPeer } from '../peers/onnxruntime.mjs';
import { initTfjs, tfjsLinearPeer } from '../peers/tfjs.mjs';

const SHAPES = (process.env.BENCH_SHAPES ?? '512x256x32000,1024x512x50257')
  .split(',')
  .map((s) => s.split('x').map(Number));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TF_ROWS = Number(process.env.BENCH_TF_ROWS ?? 16);
const time = (fn) => {
  const start = performance.now();
  fn();
  return performance.now() - start;
};
const timeAsync = async (fn) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};

await xentropy.init({ simd: true, relaxedSimd: false });
await initTfjs(['wasm']);
const lines = [];
for (const [N, d, V] of SHAPES) {
  const rand = makeRandom(3);
  const X = Float32Array.from({ length: N * d }, () => rand.normal());
  const W = Float32Array.from({ length: V * d }, () => 0.05 * rand.normal());
  const target = Int32Array.from({ length: N }, () => rand.int(V));
  const input = { data: X, shape: [N, d] };
  const linearWeight = { data: W, shape: [V, d] };
  const fused = () => xentropy.linearCrossEntropyWithGrad(input, linearWeight, target);
  fused();
  // what the fused call lays out in WebAssembly memory (src/families/linear.ts), at the default chunk
  const chunk = Math.min(N, Math.max(4, Math.floor((64 * 2 ** 20) / (8 * V) / 4) * 4));
  const fusedBytes = 4 * (2 * (V * d + N * d) + 3 * V + 2 * chunk * V + chunk * d + 4 * N);
  // (a) unfused: logits by the kernel (W · Xᵀ, then moved to rows), crossEntropyWithGrad, the two products
  const kernels = xentropy.wasm('bench');
  const Wt = new Float32Array(d * V);
  for (let j = 0; j < V; j++) for (let p = 0; p < d; p++) Wt[p * V + j] = W[j * d + p];
  const matmul = (a, rowStride, innerStride, b, m, n, k) => {
    const base = kernels.scratch(4 * (a.length + b.length + m * n) + 64) >>> 0;
    const heap = new Float32Array(kernels.memory.buffer);
    heap.set(a, base / 4);
    heap.set(b, base / 4 + a.length);
    const c = base + 4 * (a.length + b.length);
    kernels.matmulF32(base, rowStride, innerStride, base + 4 * a.length, c, m, n, k, 0);
    return Float32Array.from(new Float32Array(kernels.memory.buffer, c, m * n));
  };
  const unfused = () => {
    const logits = matmul(X, d, 1, Wt, N, V, d);
    const { grad } = xentropy.crossEntropyWithGrad({ data: logits, shape: [N, V] }, target);
    matmul(grad.data, V, 1, W, N, d, V);
    matmul(grad.data, 1, V, X, V, d, N);
  };
  // (b) onnxruntime-web MatMul
  const ort = await onnxruntimeMatMulPeer(X, Wt, N, d, V);
  const ortMatMul = ort.run;
  const ownMatMul = () => matmul(X, d, 1, Wt, N, V, d);
  // gradWeight's product alone: A = the logits' gradient [N, V] read transposed (its columns), B = X
  const G = Float32Array.from({ length: N * V }, () => rand.normal() / V);
  const transposedMatMul = () => matmul(G, 1, V, X, V, d, N);
  const times = { fused: [], fused2: [], unfused: [], ownMatMul: [], transposedMatMul: [], ortMatMul: [] };
  for (let round = 0; round < ROUNDS; round++) {
    times.fused.push(time(fused));
    times.unfused.push(time(unfused));
    times.ownMatMul.push(time(ownMatMul));
    times.transposedMatMul.push(time(transposedMatMul));
    times.ortMatMul.push(await timeAsync(ortMatMul));
    await xentropy.init({ simd: true, relaxedSimd: false, threads: 2 });
    fused();
    times.fused2.push(time(fused));
    await xentropy.init({ simd: true, relaxedSimd: false, threads: 1 });
  }
  // (c) TensorFlow.js wasm, on the first TF_ROWS rows: a warm-up call, then one timed
  const tfCall = tfjsLinearPeer(X.subarray(0, TF_ROWS * d), W, target.subarray(0, TF_ROWS), TF_ROWS, d, V);
  tfCall.run();
  const tfMs = (time(tfCall.run) * N) / TF_ROWS;
  tfCall.dispose();
  await ort.dispose();
  const flop = 2 * N * d * V;
  const row = (name, ms, flops, memory = '') =>
    `| [${N}, ${d}] · [${V}, ${d}]ᵀ | ${name} | ${ms.toFixed(0)} | ${(flops / ms / 1e6).toFixed(2)} | ${memory} |`;
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  lines.push(row('xentropy fused, loss + 3 gradients', m.fused, 3 * flop, `${(fusedBytes / 2 ** 20).toFixed(0)} MB`));
  lines.push(row('xentropy fused, 2 threads', m.fused2, 3 * flop));
  lines.push(
    row(`xentropy unfused (logits ${((N * V * 4) / 2 ** 20).toFixed(0)} MB and their gradient)`, m.unfused, 3 * flop),
  );
  lines.push(row('xentropy matmul, X · Wᵀ', m.ownMatMul, flop));
  lines.push(row('xentropy matmul, Gᵀ · X (A read by columns)', m.transposedMatMul, flop));
  lines.push(row('onnxruntime-web MatMul, X · Wᵀ, 1 thread', m.ortMatMul, flop));
  lines.push(row(`TensorFlow.js wasm, loss + 2 gradients (${TF_ROWS} rows, scaled)`, tfMs, 3 * flop));
  for (const l of lines.slice(-7)) console.log(l);
  console.log(
    `fused / unfused ${(m.fused / m.unfused).toFixed(2)}; 2 threads ${(m.fused / m.fused2).toFixed(2)}× one; ` +
      `matmul / onnxruntime-web ${(m.ortMatMul / m.ownMatMul).toFixed(2)}×; ` +
      `fused effective / onnxruntime-web ${((3 * m.ortMatMul) / m.fused).toFixed(2)}×; ` +
      `fused / TensorFlow.js ${(tfMs / m.fused).toFixed(1)}×`,
  );
}
writeReport(
  'linear',
  'RESULTS.md',
  [
    '# Fused linear + cross-entropy, float32, one and two threads',
    '',
    `Medians of ${ROUNDS} rounds (\`npm run bench:linear\`), plain SIMD build (threads: its shared-memory`,
    'twin), one thread unless said. GFLOP/s count 2·N·d·V',
    'per product: three for the fused and unfused calls, one for a matmul alone.',
    '',
    '| product | implementation | ms | GFLOP/s | WebAssembly memory |',
    '| --- | --- | ---: | ---: | ---: |',
    ...lines,
    '',
  ].join('\n'),
);
