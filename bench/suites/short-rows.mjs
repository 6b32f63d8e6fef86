// Short rows: crossEntropy and crossEntropyWithGrad on rows of 2, 3, 10 and 31 classes (a binary classifier's head,
// a sentiment model's, a digit classifier's; 31, the last width of the side-by-side path), about 4 M logits each,
// float32, class-index targets, reduction 'mean', one thread, in ns per row: zero-copy (allocTensor logits, targets and
// gradient) and plain arrays (a Float32Array and an Int32Array in, `out` reused), beside onnxruntime-node's
// SoftmaxCrossEntropyLoss (forward only: inference has no gradient) and the loop a user writes by hand. Rounds
// interleave every case; the table holds the medians.
// Run: npm run build:reference && (cd bench && ONNXRUNTIME_NODE_INSTALL=skip npm ci) && npm run bench:short;
// another Node: runtimes/node_modules/node24/bin/node bench/suites/short-rows.mjs
import * as xentropy from '../../build/internal/internal.js';
import { writeReport } from '../lib/report.mjs';
import { median, timeOnce } from '../lib/timing.mjs';
import { seededValues } from '../lib/values.mjs';
import { naiveCrossEntropy, naiveCrossEntropyWithGrad } from '../peers/naive.mjs';
import { onnxruntimePeer } from '../peers/onnxruntime.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 200);
const CLASSES = [2, 3, 10, 31];
const ELEMENTS = 4 * 2 ** 20;
const GRAD_PLAIN = 'xentropy forward + gradient, plain arrays, out reused';

await xentropy.init();
const build = xentropy.wasmBuild();

/** The cases of one width: name → a call (awaited where it returns a promise). */
async function casesOf(classes) {
  const rows = Math.floor(ELEMENTS / classes);
  const logits = seededValues(rows * classes, classes);
  const targets = Int32Array.from({ length: rows }, (_, r) => (r * 7919) % classes);
  const [x, t, g] = [
    xentropy.allocTensor(Float32Array, [rows, classes]),
    xentropy.allocTensor(Int32Array, [rows]),
    xentropy.allocTensor(Float32Array, [rows, classes]),
  ];
  x.data.set(logits);
  t.data.set(targets);
  const plain = { data: logits, shape: [rows, classes] };
  const out = new Float32Array(rows * classes);
  const ort = await onnxruntimePeer({ logits, targets, rows, classes }, 0);
  return {
    rows,
    free: async () => {
      for (const tensor of [x, t, g]) tensor.free();
      await ort.dispose();
    },
    cases: {
      'xentropy forward, zero-copy': () => xentropy.crossEntropy(x, t),
      'xentropy forward + gradient, zero-copy': () => xentropy.crossEntropyWithGrad(x, t, { out: g.data }),
      'xentropy forward, plain arrays': () => xentropy.crossEntropy(plain, targets),
      [GRAD_PLAIN]: () => xentropy.crossEntropyWithGrad(plain, targets, { out }),
      'onnxruntime-node forward (1 thread)': ort.forward['onnxruntime-node (1 thread)'],
      'naive JS forward': () => naiveCrossEntropy(logits, targets, rows, classes),
      'naive JS forward + gradient': () => naiveCrossEntropyWithGrad(logits, targets, rows, classes, out),
    },
  };
}

const tables = [];
const summary = [];
for (const classes of CLASSES) {
  const { rows, cases, free } = await casesOf(classes);
  const names = Object.keys(cases);
  const samples = names.map(() => []);
  for (const name of names) await cases[name](); // one untimed call each
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, name] of names.entries()) samples[i].push(((await timeOnce(cases[name], ROUND_MS)) * 1e6) / rows);
  }
  await free();
  const ns = Object.fromEntries(names.map((name, i) => [name, median(samples[i])]));
  const ort = ns['onnxruntime-node forward (1 thread)'];
  const lines = names.map((name) => `| ${name} | ${ns[name].toFixed(1)} | ${(ort / ns[name]).toFixed(2)}× |`);
  const head = '| call | ns per row | onnxruntime-node forward ÷ it |\n| --- | ---: | ---: |';
  tables.push(`### [${rows}, ${classes}]\n\n${head}\n${lines.join('\n')}`);
  const ratio = (name) => (ort / ns[name]).toFixed(2);
  summary.push(
    `| ${classes} | ${ratio('xentropy forward, plain arrays')}× | ${ratio(GRAD_PLAIN)}× | ` +
      `${(ns['naive JS forward + gradient'] / ns[GRAD_PLAIN]).toFixed(1)}× |`,
  );
}

const text = `# Short rows: ns per row, ${build} build, one thread

Medians of ${ROUNDS} interleaved rounds of ${ROUND_MS} ms per case; about ${ELEMENTS / 2 ** 20} M float32 logits per
width, class-index targets, reduction 'mean'. Above 1 in the ratios: xentropy is faster.

Plain arrays in, \`out\` reused:

| classes | forward vs onnxruntime-node | forward + gradient vs its forward | forward + gradient vs naive JS |
| ---: | ---: | ---: | ---: |
${summary.join('\n')}

${tables.join('\n\n')}
`;
const name = `node-${process.versions.node.split('.')[0]}`;
if (!process.env.BENCH_NO_WRITE) console.log(writeReport('short-rows', `${name}.md`, text));
else console.log(text);
