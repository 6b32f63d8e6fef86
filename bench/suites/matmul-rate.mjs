// The matmuls beside the FMA peak (fma-peak.mjs runs this under each Node): float32 GFLOP/s, one thread, of
// onnxruntime-node's MatMul (MLAS, native AVX2) of X [N, d] · Wᵀ [d, V], of xentropy's fused
// linearCrossEntropy forward on the same X and W (2·N·d·V operations counted; the cross-entropy, the transposes and
// the copies come on top), and of the fused call's matmul alone: the library's matmul kernel as the call runs it,
// logitsᵀ [V × n] = W · X_chunkᵀ on chunks of n rows (its default: 64 MiB / (8 V) rows), W and the chunk in place.
// Prints JSON: { runtime, rows: [{ shape, ort, xentropy, matmul }] }.
import * as ort from 'onnxruntime-node';
import * as internal from '../../build/internal/internal.js';
import * as xentropy from '../../dist/index.node.js';
import { median, timeOnce } from '../lib/timing.mjs';
import { loadModel, matMulModel } from '../peers/onnx-models.mjs';

const SHAPES = (process.env.BENCH_SHAPES ?? '512x256x32000,1024x512x50257')
  .split(',')
  .map((s) => s.split('x').map(Number));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

await xentropy.init({ threads: 1, warnings: false });
await internal.init({ threads: 1, warnings: false });

/** The fused call's matmul on chunks of its default rows: W [V × d] · X_chunkᵀ [d × n], per chunk, timed alone. */
function fusedMatmul(X, W, N, d, V) {
  const n = Math.min(N, Math.floor((64 * 2 ** 20) / (8 * V) / 4) * 4);
  const kernels = internal.wasm('bench');
  const base = kernels.scratch(4 * (W.length + d * n + V * n) + 64) >>> 0;
  const heap = new Float32Array(kernels.memory.buffer);
  heap.set(W, base / 4);
  const [xT, c] = [base + 4 * W.length, base + 4 * (W.length + d * n)];
  for (let i = 0; i < n; i++) for (let p = 0; p < d; p++) heap[xT / 4 + p * n + i] = X[i * d + p];
  // the call's chunks: of n rows, the last of what is left (its transpose read as [d × rows]: the time is the same)
  return () => {
    for (let start = 0; start < N; start += n) kernels.matmulF32(base, d, 1, xT, c, V, Math.min(n, N - start), d, 0);
  };
}
const rows = [];
for (const [N, d, V] of SHAPES) {
  const X = Float32Array.from({ length: N * d }, (_, i) => Math.sin(i) / 4);
  const W = Float32Array.from({ length: V * d }, (_, i) => Math.cos(i) / 16);
  const Wt = new Float32Array(d * V);
  for (let v = 0; v < V; v++) for (let k = 0; k < d; k++) Wt[k * V + v] = W[v * d + k];
  const targets = Int32Array.from({ length: N }, (_, i) => (i * 7919) % V);
  const session = await ort.InferenceSession.create(
    loadModel(`matmul-${d}x${V}.onnx`, () => matMulModel(d, V)),
    {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    },
  );
  const feeds = { a: new ort.Tensor('float32', X, [N, d]), b: new ort.Tensor('float32', Wt, [d, V]) };
  const input = { data: X, shape: [N, d] };
  const weight = { data: W, shape: [V, d] };
  const flop = 2 * N * d * V;
  const times = { ort: [], xentropy: [], matmul: [] };
  const matmul = fusedMatmul(X, W, N, d, V);
  for (let r = 0; r < ROUNDS; r++) {
    times.ort.push(await timeOnce(() => session.run(feeds), 500));
    times.xentropy.push(await timeOnce(() => xentropy.linearCrossEntropy(input, weight, targets), 500));
    times.matmul.push(await timeOnce(matmul, 500));
  }
  await session.release();
  const rate = (ms) => flop / (ms / 1e3) / 1e9;
  const [ortRate, fused] = [rate(median(times.ort)), rate(median(times.xentropy))];
  rows.push({ shape: [N, d, V], ort: ortRate, xentropy: fused, matmul: rate(median(times.matmul)) });
}
console.log(JSON.stringify({ runtime: `Node ${process.version}`, build: xentropy.wasmBuild(), rows }));
