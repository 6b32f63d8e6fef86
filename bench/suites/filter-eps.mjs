// Gradient filtering (issue "Performance, round three", item 5): linearCrossEntropyWithGrad with filterEps against the
// exact backward, on the hidden states of the demo's trained language model (demo/public/lm/kjv-lm.onnx: V 4096,
// d 128, context 128) over text it never trained on: the King James Bible's held-out chapters (every 20th, as
// scripts/train-kjv-lm.py holds them out), read with Debian's `bible` program (apt-get install bible-kjv-text).
// onnxruntime-web runs the model cut at its head (cutAtHead) for windows of 128 tokens; the hidden states and the next
// tokens are the call's input and targets. Reported: the forward alone, forward + backward exact and filtered, the
// backward's share of each (the difference) and its speed-up (target ≥ 2× at ε = 2⁻¹²), the entries kept, the
// softmax's mean entropy, and the filtered gradients' error against the exact ones.
// Run: npm run build:reference && npm run bench:filter (this Node); another runtime:
//   runtimes/node_modules/node24/bin/node bench/suites/filter-eps.mjs
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import * as xentropy from '../../build/internal/internal.js';
import { createTokenizer } from '../../demo/lm/tokenizer.js';
import { writeReport } from '../lib/report.mjs';
import { median } from '../lib/timing.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 64); // of 128 tokens: 8,192 rows
const EPSILONS = [2 ** -12, 2 ** -16, 2 ** -8];
const TARGET = 2;

/** The held-out chapters' verses, one a line, as the training script read them. */
function heldOutText() {
  const run = spawnSync('bible', ['-l1000000', 'gen1:1-rev22:21'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error('the bench reads the KJV with `bible`: apt-get install bible-kjv-text');
  const chapters = [];
  for (const line of run.stdout.split('\n')) {
    const verse = /^\s+\d+ (.*)$/.exec(line);
    if (verse) chapters.at(-1).push(verse[1].trim());
    else if (line.trim()) chapters.push([]);
  }
  return `\n${chapters
    .filter((c, i) => c.length && i % 20 === 0)
    .flat()
    .join('\n')}\n`;
}

/** The model's hidden states [rows, d] and next tokens for WINDOWS windows of its context, and its head. */
async function hiddenStates() {
  const file = (name) => readFileSync(new URL(`../../demo/public/lm/${name}`, import.meta.url));
  const card = JSON.parse(file('kjv-lm.json'));
  const ids = createTokenizer(card).encode(heldOutText());
  const head = xentropy.cutAtHead(file('kjv-lm.onnx'));
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(head.model);
  const T = card.context;
  const d = head.linearWeight.shape[1];
  const windows = Math.min(WINDOWS, Math.floor((ids.length - 1) / T));
  const hidden = new Float32Array(windows * T * d);
  const targets = new Int32Array(windows * T);
  for (let w = 0; w < windows; w++) {
    const window = ids.slice(w * T, w * T + T);
    const dims = [1, T];
    const out = await session.run({
      input_ids: new ort.Tensor('int64', BigInt64Array.from(window, BigInt), dims),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(T).fill(1n), dims),
    });
    hidden.set(out[head.hiddenName].data, w * T * d);
    targets.set(ids.slice(w * T + 1, w * T + T + 1), w * T);
  }
  return { hidden, targets, head, rows: windows * T, d, tokens: ids.length };
}

/** Per sampled row: the softmax's entropy (nats) and how many entries reach each ε, from float64 logits. */
function softmaxFigures({ hidden, head, rows, d }, every = 8) {
  const [V] = head.linearWeight.shape;
  const w = head.linearWeight.data;
  const logits = new Float64Array(V);
  let [entropy, sampled] = [0, 0];
  const reaching = EPSILONS.map(() => 0);
  for (let r = 0; r < rows; r += every) {
    for (let v = 0; v < V; v++) {
      let sum = 0;
      for (let k = 0; k < d; k++) sum += hidden[r * d + k] * w[v * d + k];
      logits[v] = sum;
    }
    const max = Math.max(...logits);
    let total = 0;
    for (let v = 0; v < V; v++) total += Math.exp(logits[v] - max);
    const lse = max + Math.log(total);
    for (let v = 0; v < V; v++) {
      const logP = logits[v] - lse;
      entropy -= Math.exp(logP) * logP;
      EPSILONS.forEach((eps, i) => {
        if (logP >= Math.log(eps)) reaching[i]++;
      });
    }
    sampled++;
  }
  return { entropy: entropy / sampled, reaching: reaching.map((n) => n / (sampled * V)), sampled, V };
}

/** ‖a − b‖ / ‖b‖ and max |a − b| / max |b|. */
function errors(a, b) {
  let [diff, norm, maxDiff, maxB] = [0, 0, 0, 0];
  for (let i = 0; i < b.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    maxB = Math.max(maxB, Math.abs(b[i]));
  }
  return { relative: Math.sqrt(diff / norm), max: maxDiff / maxB };
}

await xentropy.init();
const set = await hiddenStates();
const figures = softmaxFigures(set);
const input = { data: set.hidden, shape: [set.rows, set.d] };
const weight = xentropy.allocTensor(Float32Array, set.head.linearWeight.shape);
weight.data.set(set.head.linearWeight.data);
const [V, d] = set.head.linearWeight.shape;
const gradInputOut = new Float32Array(set.rows * d);
const gradWeightOut = new Float32Array(V * d);
const withGrad = (filterEps) =>
  xentropy.linearCrossEntropyWithGrad(input, weight, set.targets, { filterEps, gradInputOut, gradWeightOut });
const copies = (r) => ({ loss: r.loss, gradInput: r.gradInput.data.slice(), gradWeight: r.gradWeight.data.slice() });
const exact = copies(withGrad(0));
const cases = [['forward alone', () => xentropy.linearCrossEntropy(input, weight, set.targets)]];
cases.push(['forward + backward, exact', () => withGrad(0)]);
for (const eps of EPSILONS) cases.push([`forward + backward, filterEps 2^${Math.log2(eps)}`, () => withGrad(eps)]);
const samples = cases.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  cases.forEach(([, run], i) => {
    run();
    const start = performance.now();
    run();
    samples[i].push(performance.now() - start);
  });
}
const ms = samples.map(median);
const backward = (i) => ms[i] - ms[0];
const rows = EPSILONS.map((eps, i) => {
  const got = copies(withGrad(eps));
  const [gi, gw] = [errors(got.gradInput, exact.gradInput), errors(got.gradWeight, exact.gradWeight)];
  const speedUp = backward(1) / backward(i + 2);
  const verdict = eps === 2 ** -12 ? ` ${speedUp >= TARGET ? '✓' : '✗'}` : '';
  return (
    `| 2^${Math.log2(eps)} | ${(100 * figures.reaching[i]).toFixed(2)} % | ${ms[i + 2].toFixed(1)} | ` +
    `${backward(i + 2).toFixed(1)} | ${speedUp.toFixed(2)}×${verdict} | ${gi.relative.toExponential(1)} / ` +
    `${gi.max.toExponential(1)} | ${gw.relative.toExponential(1)} / ${gw.max.toExponential(1)} | ` +
    `${got.loss === exact.loss ? 'same' : 'differs'} |`
  );
});
const versions = process.versions;
const name = versions.bun ? 'bun' : globalThis.Deno ? 'deno' : `node-${versions.node.split('.')[0]}`;
const text = [
  `# Gradient filtering: linearCrossEntropyWithGrad with filterEps, ms per call`,
  '',
  `The demo's language model (V ${V}, d ${d}) on ${set.rows} positions of the KJV's held-out chapters`,
  `(${set.tokens} tokens; ${WINDOWS} windows of 128). The softmax's mean entropy there:`,
  `${figures.entropy.toFixed(2)} nats (${(figures.entropy / Math.LN2).toFixed(2)} bits), over every ${8}th row`,
  `(${figures.sampled} rows, float64). ${xentropy.wasmBuild()} build, one thread, medians of ${ROUNDS} rounds; the`,
  "head's weight in WebAssembly memory (allocTensor); the gradients into reused `out` arrays. The backward is",
  'forward + backward less the forward alone.',
  '',
  `| | ms |`,
  '| --- | ---: |',
  `| forward alone | ${ms[0].toFixed(1)} |`,
  `| forward + backward, exact | ${ms[1].toFixed(1)} (backward ${backward(1).toFixed(1)}) |`,
  '',
  '| ε | softmax entries ≥ ε | forward + backward | backward | backward speed-up | gradInput error (‖·‖₂ / max) | ' +
    'gradWeight error (‖·‖₂ / max) | loss |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ...rows,
  '',
  `Target: the backward ≥ ${TARGET}× faster at ε = 2^-12. The errors are relative to the exact float32 gradients:`,
  "the norm of the difference over the exact one's, and the largest difference over the largest value. The entries",
  "kept also hold each row's target.",
  '',
].join('\n');
console.log(text);
if (!process.env.BENCH_NO_WRITE) console.log(writeReport('filter-eps', `${name}.md`, text));
