// Times crossEntropyWithGrad (SIMD and scalar builds) against the naive JS loop and the memory-copy
// floor on float32 [1024, 1000] and [8192, 1000]. Rounds interleave the implementations; medians
// with their spread (min–max) are printed and written to bench/RESULTS.md.
// Run: npm run bench   (after npm ci, which builds dist/)
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { crossEntropy, crossEntropyWithGrad, init } from '../dist/index.js';
import { naiveCrossEntropyWithGrad } from './naive.mjs';

const SHAPES = [
  [1024, 1000],
  [8192, 1000],
];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const MIN_MS = 40; // each timing repeats its call until at least this long has passed

function timeOnce(fn) {
  let reps = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    fn();
    reps++;
    elapsed = performance.now() - start;
  } while (elapsed < MIN_MS);
  return elapsed / reps;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function makeProblem(rows, classes) {
  let seed = 42;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const logits = Float32Array.from({ length: rows * classes }, () => 8 * rand() - 4);
  const targets = Int32Array.from({ length: rows }, () => Math.floor(rand() * classes));
  return { logits, targets };
}

const results = [];
for (const [rows, classes] of SHAPES) {
  const { logits, targets } = makeProblem(rows, classes);
  const input = { data: logits, shape: [rows, classes] };
  const out = new Float32Array(rows * classes);
  const copyTarget = new Float32Array(rows * classes);
  const naiveGrad = new Float32Array(rows * classes);
  await init({ simd: true });
  const expected = crossEntropy(input, targets);
  const naiveLoss = naiveCrossEntropyWithGrad(logits, targets, rows, classes, naiveGrad);
  if (Math.abs(naiveLoss - expected) > 1e-4 * Math.abs(expected)) throw new Error(`naive loss ${naiveLoss} ≠ ${expected}`);

  const impls = {
    'xentropy simd': { build: true, run: () => crossEntropyWithGrad(input, targets, { out }) },
    'xentropy scalar': { build: false, run: () => crossEntropyWithGrad(input, targets, { out }) },
    'naive JS': { run: () => naiveCrossEntropyWithGrad(logits, targets, rows, classes, naiveGrad) },
    'memory copy floor (Float32Array.set)': { run: () => copyTarget.set(logits) },
  };
  const times = Object.fromEntries(Object.keys(impls).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, impl] of Object.entries(impls)) {
      if (impl.build !== undefined) await init({ simd: impl.build });
      times[name].push(timeOnce(impl.run));
    }
  }
  for (const [name, ts] of Object.entries(times)) {
    const ms = median(ts);
    results.push({ shape: `[${rows}, ${classes}]`, name, ms, min: Math.min(...ts), max: Math.max(...ts), melems: (rows * classes) / ms / 1e3 });
  }
}

const lines = [
  '| shape | implementation | median ms | min–max ms | Melem/s | vs naive JS |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
];
for (const r of results) {
  const naive = results.find((x) => x.shape === r.shape && x.name === 'naive JS');
  lines.push(
    `| ${r.shape} | ${r.name} | ${r.ms.toFixed(3)} | ${r.min.toFixed(3)}–${r.max.toFixed(3)} | ${r.melems.toFixed(0)} | ${(naive.ms / r.ms).toFixed(2)}× |`,
  );
}
const table = lines.join('\n');
console.log(table);
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
writeFileSync(
  new URL('RESULTS.md', import.meta.url),
  `# Benchmark results

\`npm run bench\` — crossEntropyWithGrad, float32, class indices, reduction 'mean', a fresh gradient copied
out of WebAssembly into \`out\` each call (the copy-in and copy-out are included). ${ROUNDS} interleaved
rounds, each timing repeated for at least ${MIN_MS} ms; median and spread. Node ${process.version}, ${cpu},
${os.cpus().length} cores (shared machine).

${table}
`,
);
