// The matmuls beside the FMA peak (fma-peak.mjs runs this under each Node): float32 GFLOP/s, one thread, of
// onnxruntime-node's MatMul (MLAS, native AVX2) of X [N, d] · Wᵀ [d, V], and of xentropy's fused
// linearCrossEntropy forward on the same X and W (2·N·d·V operations counted; its cross-entropy adds ~1 % of that).
// Prints JSON: { runtime, rows: [{ shape, ort, xentropy }] }.
import * as ort from 'onnxruntime-node';
import * as xentropy from '../../dist/index.node.js';
import { median, timeOnce } from '../lib/timing.mjs';
import { loadModel, matMulModel } from '../peers/onnx-models.mjs';

const SHAPES = (process.env.BENCH_SHAPES ?? '512x256x32000,1024x512x50257')
  .split(',')
  .map((s) => s.split('x').map(Number));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

await xentropy.init({ threads: 1, warnings: false });
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
  const times = { ort: [], xentropy: [] };
  for (let r = 0; r < ROUNDS; r++) {
    times.ort.push(await timeOnce(() => session.run(feeds), 500));
    times.xentropy.push(await timeOnce(() => xentropy.linearCrossEntropy(input, weight, targets), 500));
  }
  await session.release();
  const rate = (ms) => flop / (ms / 1e3) / 1e9;
  rows.push({ shape: [N, d, V], ort: rate(median(times.ort)), xentropy: rate(median(times.xentropy)) });
}
console.log(JSON.stringify({ runtime: `Node ${process.version}`, build: xentropy.wasmBuild(), rows }));
