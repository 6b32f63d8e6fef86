// Small calls (issue "Performance, round three", item 2): µs per call on inputs of 10 to 40,960 values, plain typed
// arrays in, with the direct path and without it (the pipeline every call took before), against the loop a user
// would write by hand in plain JS (float32 in and out, Math.exp and Math.log). Rounds interleave every case; each
// round times a case for ROUND_MS and the table holds the medians. Targets: crossEntropy [1, 10] ≤ 1.0 µs,
// crossEntropyWithGrad [1, 10] with `out` ≤ 1.2 µs; from 80 values up ([8, 10] and 100 values), no slower than the
// hand-written loop; softmax, logSoftmax and binaryCrossEntropyWithLogits ≤ 1.0 µs at 10 and 100 values. [4096, 10]
// (40,960 values) is past the direct path's 32,768 float32 values: the pipeline's.
// Run: npm run build:reference && npm run bench:small; another Node:
//   runtimes/node_modules/node24/bin/node bench/suites/small-calls.mjs
import * as xentropy from '../../build/internal/internal.js';
import { writeReport } from '../lib/report.mjs';
import { microseconds, smallCases } from '../lib/small-cases.mjs';
import { median } from '../lib/timing.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 150);

await xentropy.init();
const list = smallCases(xentropy);
const samples = list.map(() => ({ lib: [], pipeline: [], naive: [] }));
for (let round = 0; round < ROUNDS; round++) {
  list.forEach((c, i) => {
    samples[i].lib.push(microseconds(c.lib, ROUND_MS));
    xentropy.setDirectCalls(false);
    samples[i].pipeline.push(microseconds(c.lib, ROUND_MS));
    xentropy.setDirectCalls(true);
    samples[i].naive.push(microseconds(c.naive, ROUND_MS));
  });
}
const fmt = (us) => us.toFixed(us < 1 ? 3 : 2);
const rows = list.map((c, i) => {
  const [lib, pipeline, naive] = [median(samples[i].lib), median(samples[i].pipeline), median(samples[i].naive)];
  const checks = [];
  if (c.limit !== undefined) checks.push(`≤ ${c.limit} µs ${lib <= c.limit ? '✓' : '✗'}`);
  if (c.evenFrom) checks.push(`≤ naive ${lib <= naive ? '✓' : '✗'}`);
  const cells = [
    c.label,
    fmt(lib),
    fmt(pipeline),
    fmt(naive),
    `${(naive / lib).toFixed(2)}×`,
    checks.join(' · ') || '—',
  ];
  return `| ${cells.join(' | ')} |`;
});
const versions = process.versions;
const name = versions.bun ? 'bun' : globalThis.Deno ? 'deno' : `node-${versions.node.split('.')[0]}`;
const text = [
  `# Small calls: µs per call, ${xentropy.wasmBuild()} build, one thread`,
  '',
  `Medians of ${ROUNDS} interleaved rounds of ${ROUND_MS} ms per case. Plain Float32Array inputs, targets as a`,
  'number[]. "Without the direct path": the same call through the pipeline, as every call ran before it; the naive',
  'column is the loop a user would write in plain JS (bench/suites/small-calls.mjs). [4096, 10] holds more than the',
  "direct path's 32,768 float32 values: both columns are the pipeline's.",
  '',
  '| call | xentropy µs | without the direct path µs | naive JS µs | naive ÷ xentropy | target |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  ...rows,
  '',
].join('\n');
console.log(text);
if (!process.env.BENCH_NO_WRITE) console.log(writeReport('small-calls', `${name}.md`, text));
