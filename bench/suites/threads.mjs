// Two threads on plain arrays (issue "Performance, round three", item 3): float32 [8192, 1000], class indices, the
// gradient's `out` reused, on one thread and on two (init({ threads: 2 })), from plain typed arrays (the calling
// thread copies chunks in and out beside the workers' kernels) and from allocTensor tensors (zero-copy), with one
// 32 MB copy as the floor of the copies. Target: forward + gradient from plain arrays on two threads ≥ 1.7× one
// thread. Rounds alternate one and two threads (init switches between them, each warmed up afresh); the table holds
// the medians of the rounds.
// Run: npm run build:reference && npm run bench:threads (this Node); another runtime:
//   runtimes/node_modules/node24/bin/node bench/suites/threads.mjs
import * as xentropy from '../../build/internal/internal.js';
import { writeReport } from '../lib/report.mjs';
import { median } from '../lib/timing.mjs';
import { seededValues } from '../lib/values.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CALLS = Number(process.env.BENCH_CALLS ?? 9); // per case and round: their median is the round's figure
const [N, C] = [8192, 1000];
const TARGET = 1.7;

const logits = seededValues(N * C, 1);
const targets = Int32Array.from({ length: N }, (_, i) => (i * 7919) % C);
const input = { data: logits, shape: [N, C] };
const out = new Float32Array(N * C);
const copy = new Float32Array(N * C);

/** Milliseconds per call: the median of CALLS calls, after two unmeasured ones. */
function ms(fn) {
  fn();
  fn();
  const times = [];
  for (let i = 0; i < CALLS; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** The cases on the active configuration: plain arrays and tensors in WebAssembly memory. */
function measure() {
  const tensor = xentropy.allocTensor(Float32Array, [N, C]);
  tensor.data.set(logits);
  const grad = xentropy.allocTensor(Float32Array, [N, C]);
  const figures = {
    forward: ms(() => xentropy.crossEntropy(input, targets)),
    withGrad: ms(() => xentropy.crossEntropyWithGrad(input, targets, { out })),
    zeroCopyForward: ms(() => xentropy.crossEntropy(tensor, targets)),
    zeroCopyWithGrad: ms(() => xentropy.crossEntropyWithGrad(tensor, targets, { out: grad.data })),
  };
  tensor.free();
  grad.free();
  return figures;
}

const samples = { 1: [], 2: [] };
const builds = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const threads of [1, 2]) {
    await xentropy.init({ threads, warnings: false });
    builds[threads] = `${xentropy.wasmBuild()}, ${xentropy.wasmThreads()} thread${threads > 1 ? 's' : ''}`;
    samples[threads].push({ ...measure(), copy: ms(() => copy.set(logits)) });
  }
}
await xentropy.init({ threads: 1 });

const med = (threads, key) => median(samples[threads].map((s) => s[key]));
const row = (label, key) => {
  const [one, two] = [med(1, key), med(2, key)];
  return `| ${label} | ${one.toFixed(2)} | ${two.toFixed(2)} | ${(one / two).toFixed(2)}× |`;
};
const speedup = med(1, 'withGrad') / med(2, 'withGrad');
const versions = process.versions;
const name = versions.bun ? 'bun' : globalThis.Deno ? 'deno' : `node-${versions.node.split('.')[0]}`;
const text = [
  `# Two threads on plain arrays: float32 [${N}, ${C}], ms per call`,
  '',
  `Medians of ${ROUNDS} rounds (each the median of ${CALLS} calls), one and two threads alternating; builds:`,
  `${builds[1]}; ${builds[2]}. Class-index targets; the gradient's \`out\` reused. "Zero-copy": allocTensor tensors`,
  'in and out, read and written where they lie.',
  '',
  '| call | one thread | two threads | speed-up |',
  '| --- | ---: | ---: | ---: |',
  row('forward + gradient, plain arrays', 'withGrad'),
  row('forward, plain arrays', 'forward'),
  row('forward + gradient, zero-copy', 'zeroCopyWithGrad'),
  row('forward, zero-copy', 'zeroCopyForward'),
  `| one 32 MB copy (the floor: a call copies 32 MB in and 32 MB out) | ${med(1, 'copy').toFixed(2)} | ` +
    `${med(2, 'copy').toFixed(2)} | |`,
  '',
  `Target: forward + gradient from plain arrays on two threads ≥ ${TARGET}× one thread: ${speedup.toFixed(2)}× ` +
    `${speedup >= TARGET ? '✓' : '✗'}.`,
  '',
].join('\n');
console.log(text);
if (!process.env.BENCH_NO_WRITE) console.log(writeReport('threads', `${name}.md`, text));
