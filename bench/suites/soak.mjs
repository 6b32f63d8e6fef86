// Soak: calls every …WithGrad SOAK_CALLS times (default one million each) with mixed shapes and
// options, and reports RSS, WebAssembly memory and the time per call every tenth of the way: memory
// must stay flat and calls must not slow down. Writes bench/results/soak/RESULTS.md.
// Run: npm run soak   (after npm ci, which builds dist/)
import { makeRandom } from '../../build/reference.mjs';
import * as x from '../../dist/index.js';
import { writeReport } from '../lib/report.mjs';

const CALLS = Number(process.env.SOAK_CALLS ?? 1_000_000);
await x.init();

const rand = makeRandom(1).next;
const floats = (n, Float, f = () => 4 * rand() - 2) => Float.from({ length: n }, f);

// Mixed shapes and dtypes, made once: the soak measures the library, not the allocation of inputs.
const problems = [[4, 10], [32, 100], [2, 3, 4, 5], [1, 1000], [7], [0, 5]].flatMap((shape) =>
  [Float32Array, Float64Array].map((Float) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const classes = shape.length === 1 ? shape[0] : shape[1];
    const indexShape = shape.filter((_, d) => d !== (shape.length === 1 ? 0 : 1));
    const rows = indexShape.reduce((a, b) => a * b, 1);
    return {
      logits: { data: floats(n, Float), shape },
      probs: { data: floats(n, Float, rand), shape },
      indices: {
        data: Int32Array.from({ length: rows }, () => (rand() < 0.1 ? -100 : Math.floor(rand() * classes))),
        shape: indexShape,
      },
      weight: floats(classes, Float, () => 0.5 + rand()),
      out: new Float(n),
    };
  }),
);

// One training-loop-like problem in WebAssembly memory: zero copies per call.
const resident = { logits: x.allocTensor(Float32Array, [64, 1000]), grad: x.allocTensor(Float32Array, [64, 1000]) };
resident.logits.data.set(floats(64 * 1000, Float32Array));
const residentTargets = Int32Array.from({ length: 64 }, (_, r) => r * 11);

const calls = {
  'crossEntropyWithGrad, zero-copy [64, 1000]': () =>
    x.crossEntropyWithGrad(resident.logits, residentTargets, { out: resident.grad.data }),
  crossEntropyWithGrad: (p, i) =>
    x.crossEntropyWithGrad(p.logits, p.indices, { weight: p.weight, labelSmoothing: i % 2 ? 0.1 : 0, out: p.out }),
  nllLossWithGrad: (p) => x.nllLossWithGrad(p.logits, p.indices, { reduction: 'sum', out: p.out }),
  binaryCrossEntropyWithGrad: (p) => x.binaryCrossEntropyWithGrad(p.probs, p.probs, { out: p.out }),
  binaryCrossEntropyWithLogitsWithGrad: (p) =>
    x.binaryCrossEntropyWithLogitsWithGrad(p.logits, p.probs, { reduction: 'none' }),
  klDivWithGrad: (p) => x.klDivWithGrad(p.logits, p.probs, { reduction: 'batchmean', out: p.out }),
  mseLossWithGrad: (p) => x.mseLossWithGrad(p.logits, p.probs),
};

const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);
const lines = [
  '| function | calls | RSS MB at 10% → 100% | wasm MB at 10% → 100% | µs/call first 10% → last 10% |',
  '| --- | ---: | ---: | ---: | ---: |',
];
for (const [name, call] of Object.entries(calls)) {
  const tenth = Math.max(1, Math.floor(CALLS / 10));
  const marks = [];
  let start = performance.now();
  for (let i = 0; i < CALLS; i++) {
    call(problems[i % problems.length], i);
    if ((i + 1) % tenth === 0) {
      const now = performance.now();
      marks.push({ rss: process.memoryUsage().rss, wasm: x.wasmMemoryBytes(), us: ((now - start) * 1000) / tenth });
      start = now;
    }
  }
  const [first, last] = [marks[0], marks.at(-1)];
  const cells = [CALLS, `${mb(first.rss)} → ${mb(last.rss)}`, `${mb(first.wasm)} → ${mb(last.wasm)}`];
  const line = `| ${name} | ${[...cells, `${first.us.toFixed(2)} → ${last.us.toFixed(2)}`].join(' | ')} |`;
  console.log(line);
  lines.push(line);
}
writeReport(
  'soak',
  'RESULTS.md',
  `# Soak results

\`npm run soak\` (SOAK_CALLS=${CALLS}): every …WithGrad called ${CALLS} times over ${problems.length} mixed
problems (float32 and float64; shapes [4, 10], [32, 100], [2, 3, 4, 5], [1, 1000], [7], [0, 5]).

${lines.join('\n')}
`,
);
