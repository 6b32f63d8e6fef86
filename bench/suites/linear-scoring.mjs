// Scoring from hidden states (linearScore: every output, k 10), float32, at Qwen2.5-0.5B's head (d 896, V 151,936)
// for T positions, one thread and two, against
//   (a) xentropy's own matmul X · Wᵀ alone (the same kernel, its logits [T, V] written out): the floor;
//   (b) onnxruntime-web's and onnxruntime-node's MatMul (one thread), then xentropy's logits scoring
//       (tokenLogProbs, topK with the target, softmaxEntropy) on the logits they return;
//   (c) plain JS over the materialised logits, the transformers.js way (log-softmax into a new array, every index
//       sorted), on the first JS_ROWS rows and scaled to T;
// and the WebAssembly memory the call takes beyond its inputs, and its accuracy against float64 logits from
// PyTorch (bench/peers/linear_scores.py) on the first ACCURACY_ROWS rows. GFLOP/s count 2·T·d·V.
// Run: npm run bench:linear-scoring   (after npm run bench has installed bench/'s dependencies);
// BENCH_T, BENCH_ROUNDS, BENCH_SHAPE=TxdxV.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as xentropy from '../../build/internal/internal.js';
import { makeRandom } from '../../build/reference.mjs';
import { writeReport } from '../lib/report.mjs';
import { median } from '../lib/timing.mjs';
import { naiveScoring } from '../peers/naive.mjs';
import { loadModel, matMulModel } from '../peers/onnx-models.mjs';
import { onnxruntimeMatMulPeer } from '../peers/onnxruntime.mjs';
import { pytorchAvailable } from '../peers/pytorch.mjs';

const [T, d, V] = (process.env.BENCH_SHAPE ?? `${process.env.BENCH_T ?? 256}x896x151936`).split('x').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const K = 10;
const BUILD = process.env.BENCH_RELAXED === '0' ? 'SIMD' : 'relaxed-SIMD';
const JS_ROWS = 8;
const ACCURACY_ROWS = Math.min(T, 32);
const time = async (fn) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};

const rand = makeRandom(5);
const X = Float32Array.from({ length: T * d }, () => rand.normal());
const W = Float32Array.from({ length: V * d }, () => (2 / Math.sqrt(d)) * rand.normal());
const Wt = new Float32Array(d * V);
for (let v = 0; v < V; v++) for (let p = 0; p < d; p++) Wt[p * V + v] = W[v * d + p];
const target = Int32Array.from({ length: T }, () => rand.int(V));
const input = { data: X, shape: [T, d] };
const head = { data: W, shape: [V, d] };
const onePass = () => xentropy.linearScore(input, head, { target, k: K });
const scoreLogits = (logits) => {
  const tensor = { data: logits, shape: [T, V] };
  xentropy.topK(tensor, K, { target });
  xentropy.softmaxEntropy(tensor);
};

// memory: a fresh instance, one call; what it holds beyond the copies of its inputs
await xentropy.release();
// one build for every row, on one thread and on two (threads run the same build on shared memory)
const build = { simd: true, relaxedSimd: process.env.BENCH_RELAXED !== '0' };
await xentropy.init({ ...build, threads: 1 });
const before = xentropy.wasmMemoryBytes();
const scores = onePass();
const inputBytes = 4 * (X.length + W.length);
const beyond = xentropy.wasmMemoryBytes() - before - inputBytes;

// (a) the matmul alone, by the library's kernel (as bench/suites/linear.mjs)
const kernels = xentropy.wasm('bench');
const matmulAlone = () => {
  const base = kernels.scratch(4 * (X.length + Wt.length + T * V) + 64) >>> 0;
  const heap = new Float32Array(kernels.memory.buffer);
  heap.set(X, base / 4);
  heap.set(Wt, base / 4 + X.length);
  kernels.matmulF32(base, d, 1, base + 4 * X.length, base + 4 * (X.length + Wt.length), T, V, d, 0);
};
// (b) onnxruntime's MatMul, then the logits scored
const web = await onnxruntimeMatMulPeer(X, Wt, T, d, V);
const nodeSession = await ortNode.InferenceSession.create(
  loadModel(`matmul-${d}x${V}.onnx`, () => matMulModel(d, V)),
  {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  },
);
const nodeFeeds = { a: new ortNode.Tensor('float32', X, [T, d]), b: new ortNode.Tensor('float32', Wt, [d, V]) };
const webThenScore = async () => scoreLogits((await web.run()).c.data);
const nodeThenScore = async () => scoreLogits((await nodeSession.run(nodeFeeds)).c.data);
const logits = (await nodeSession.run(nodeFeeds)).c.data;

// warm-up: each path once (sessions, compilation, memory growth)
await webThenScore();
await nodeThenScore();
matmulAlone();
await xentropy.init({ ...build, threads: 2 });
onePass();
await xentropy.init({ ...build, threads: 1 });
const times = { onePass: [], onePass2: [], matmul: [], web: [], webMatMul: [], node: [], nodeMatMul: [], scoring: [] };
for (let round = 0; round < ROUNDS; round++) {
  times.onePass.push(await time(onePass));
  times.matmul.push(await time(matmulAlone));
  times.webMatMul.push(await time(web.run));
  times.web.push(await time(webThenScore));
  times.nodeMatMul.push(await time(() => nodeSession.run(nodeFeeds)));
  times.node.push(await time(nodeThenScore));
  times.scoring.push(await time(() => scoreLogits(logits)));
  await xentropy.init({ ...build, threads: 2 });
  times.onePass2.push(await time(onePass));
  await xentropy.init({ ...build, threads: 1 });
}
const naiveMs = ((await time(() => naiveScoring(logits, target, JS_ROWS, V, K))) * T) / JS_ROWS;
await web.dispose();
await nodeSession.release();
const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));

// accuracy against PyTorch's float64 on the first rows
const accuracy = pytorchAvailable() ? againstPyTorch(scores) : undefined;

function againstPyTorch(ours) {
  const dir = mkdtempSync(join(os.tmpdir(), 'xentropy-bench-'));
  try {
    const rows = ACCURACY_ROWS;
    writeFileSync(join(dir, 'x'), X.subarray(0, rows * d));
    writeFileSync(join(dir, 'w'), W);
    writeFileSync(join(dir, 't'), target.subarray(0, rows));
    const script = new URL('../peers/linear_scores.py', import.meta.url).pathname;
    const args = [script, ...['x', 'w', 't'].map((f) => join(dir, f)), rows, d, V, K, join(dir, 'out')].map(String);
    const run = spawnSync(process.env.BENCH_PYTHON ?? '/usr/bin/python3', args, { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`PyTorch reference failed: ${run.stderr}`);
    const bytes = readFileSync(join(dir, 'out'));
    const f64 = (offset, n) =>
      new Float64Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 8 * n));
    const tokens = f64(0, rows);
    const indices = new Int32Array(
      bytes.buffer.slice(bytes.byteOffset + 8 * rows, bytes.byteOffset + 8 * rows + 4 * rows * K),
    );
    const values = f64(8 * rows + 4 * rows * K, rows * (K + 1));
    let worst = 0;
    for (let i = 0; i < rows; i++)
      worst = Math.max(worst, Math.abs(ours.tokenLogProbs.data[i] - tokens[i]) / Math.abs(tokens[i]));
    // top-k: exactly the stable sort's, but where two float64 log-probs differ by less than float32 rounding
    const tolerance = 2e-6;
    let differ = 0;
    let beyondRounding = 0;
    for (let i = 0; i < rows * K; i++) {
      if (ours.topK.indices.data[i] === indices[i]) continue;
      differ++;
      const row = Math.floor(i / K);
      const place = i % K;
      const gap = Math.min(
        place > 0 ? values[row * (K + 1) + place - 1] - values[row * (K + 1) + place] : Infinity,
        values[row * (K + 1) + place] - values[row * (K + 1) + place + 1],
      );
      if (gap > tolerance * Math.abs(values[row * (K + 1) + place])) beyondRounding++;
    }
    return { rows, worst, differ, beyondRounding };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const flop = 2 * T * d * V;
const rate = (ms) => `${(flop / ms / 1e6).toFixed(1)}`;
const ratio = (a, b) => (a / b).toFixed(2);
const logitsMB = ((T * V * 4) / 2 ** 20).toFixed(0);
const row = (what, ms, rated = true) =>
  `| ${what} | ${ms.toFixed(0)} | ${rated ? rate(ms) : ''} | ${ratio(ms, m.onePass)} |`;
const lines = [
  row('xentropy linearScore, every output (1 thread)', m.onePass),
  row('xentropy linearScore, 2 threads', m.onePass2),
  row(`xentropy matmul X · Wᵀ alone (logits ${logitsMB} MB)`, m.matmul),
  row('onnxruntime-web MatMul alone (1 thread)', m.webMatMul),
  row("onnxruntime-web MatMul, then xentropy's logits scoring", m.web),
  row('onnxruntime-node MatMul alone (1 thread)', m.nodeMatMul),
  row("onnxruntime-node MatMul, then xentropy's logits scoring", m.node),
  row("xentropy's logits scoring alone (topK with target, softmaxEntropy)", m.scoring, false),
  row(`plain JS over the logits (${JS_ROWS} rows, scaled), after the MatMul`, naiveMs + m.nodeMatMul, false),
];
for (const l of lines) console.log(l);
const topKText = (a) =>
  a.differ === 0 ? 'all equal' : `differ at ${a.differ} places, ${a.beyondRounding} of them beyond rounding (2e-6)`;
const summary = [
  `WebAssembly memory beyond the inputs: ${(beyond / 2 ** 20).toFixed(1)} MB (the logits alone: ${logitsMB} MB).`,
  `One pass / matmul alone: ${ratio(m.onePass, m.matmul)}×; effective rate / onnxruntime-web's MatMul: ` +
    `${ratio(m.webMatMul, m.onePass)}×; 2 threads: ${ratio(m.onePass, m.onePass2)}× one.`,
  accuracy
    ? `Accuracy on ${accuracy.rows} rows against PyTorch's float64: token log-probs within ` +
      `${accuracy.worst.toExponential(2)} relative; top-${K} indices ${topKText(accuracy)}.`
    : 'Accuracy: PyTorch is not installed.',
];
for (const l of summary) console.log(l);
writeReport(
  'linear-scoring',
  `${process.versions.node ? `node-${process.versions.node.split('.')[0]}` : 'runtime'}.md`,
  [
    `# Scoring from hidden states, float32: [${T}, ${d}] · [${V}, ${d}]ᵀ`,
    '',
    `Medians of ${ROUNDS} rounds (\`npm run bench:linear-scoring\`), ${BUILD} build. GFLOP/s count 2·T·d·V; the ` +
      "last column is the time over linearScore's.",
    '',
    '| what | ms | GFLOP/s | × linearScore |',
    '| --- | ---: | ---: | ---: |',
    ...lines,
    '',
    ...summary,
    '',
  ].join('\n'),
);
