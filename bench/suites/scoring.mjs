// Language-model scoring: the log-probability of each row's token plus its top 20 (tokenLogProbs + topK,
// k = 20; and both from one call, topK with `target`) on float32 logits [rows, V], against the ways JS
// does it today, in one run:
//   plain JS as transformers.js does it (a log_softmax of the row into a new array, then a sort of every
//   index by log-probability), and TensorFlow.js wasm (tf.logSoftmax, a gather, tf.topk).
// Each result is checked against xentropy's before it is timed (same token log-probs within 1e-4, same top
// indices). The slow peers are timed on the first rows only (at most ~1.5 s a call) and scaled to all rows,
// which the table says. Rounds interleave the implementations; medians go to bench/results/scoring/RESULTS.md.
// Run: npm run bench:scoring   (after npm run bench has installed bench/'s dependencies)
import { makeRandom } from '../../build/reference.mjs';
import * as xentropy from '../../dist/index.js';
import { writeReport } from '../lib/report.mjs';
import { median, timeOnce } from '../lib/timing.mjs';
import { naiveScoring } from '../peers/naive.mjs';
import { initTfjs, tfjsScoringPeer } from '../peers/tfjs.mjs';

const SHAPES = (process.env.BENCH_SHAPES ?? '1x128256,512x32000,2048x128256')
  .split(',')
  .map((s) => s.split('x').map(Number));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const K = 20;

const MIN_MS = 40; // each timing repeats its call for at least this long

function xentropyScoring(input, targets) {
  const tokens = xentropy.tokenLogProbs(input, targets).data;
  return { tokens, top: xentropy.topK(input, K).indices.data };
}

/** Both from one call: topK with the row's own token. */
function xentropyOneCall(input, targets) {
  const top = xentropy.topK(input, K, { target: targets });
  return { tokens: top.targetLogProbs.data, top: top.indices.data };
}

/** The same token log-probs, and top tokens of the same logits (near-equal ones may swap: rounding). */
function check(name, got, want, rows, logits, vocab) {
  for (let r = 0; r < rows; r++) {
    if (!(Math.abs(got.tokens[r] - want.tokens[r]) <= 1e-4)) {
      throw new Error(`${name}: token log-prob of row ${r} is ${got.tokens[r]}, xentropy ${want.tokens[r]}`);
    }
    for (let i = 0; i < K; i++) {
      const [a, b] = [logits[r * vocab + got.top[r * K + i]], logits[r * vocab + want.top[r * K + i]]];
      if (!(Math.abs(a - b) <= 1e-5)) throw new Error(`${name}: top ${i} of row ${r} is ${a}, xentropy's ${b}`);
    }
  }
}

await xentropy.init({ simd: true });
await initTfjs(['wasm']);

const lines = [];
for (const [rows, vocab] of SHAPES) {
  const rand = makeRandom(7).next;
  const logits = Float32Array.from({ length: rows * vocab }, () => 8 * rand() - 4);
  const targets = Int32Array.from({ length: rows }, () => Math.floor(rand() * vocab));
  const input = { data: logits, shape: [rows, vocab] };
  const want = xentropyScoring(input, targets);
  // the peers on their first rows: as many as fit in ~1.5 s a call, measured once
  const first = (n) => ({ logits: logits.subarray(0, n * vocab), targets: targets.subarray(0, n) });
  const probe = (fn) => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  };
  const plainRows = Math.max(
    1,
    Math.min(
      rows,
      Math.floor(
        1500 /
          Math.max(
            0.01,
            probe(() => naiveScoring(logits, targets, 1, vocab, K)),
          ),
      ),
    ),
  );
  const tfRows = Math.min(rows, 512);
  const tfInput = first(tfRows);
  const tfPeer = tfjsScoringPeer(tfInput, tfRows, vocab, K);
  check('xentropy, one call', xentropyOneCall(input, targets), want, rows, logits, vocab);
  check('plain JS', naiveScoring(logits, targets, plainRows, vocab, K), want, plainRows, logits, vocab);
  check('TensorFlow.js wasm', tfPeer.run(), want, tfRows, logits, vocab);
  const runs = {
    xentropy: { rows, fn: () => xentropyScoring(input, targets) },
    'xentropy, one call (topK with target)': { rows, fn: () => xentropyOneCall(input, targets) },
    'plain JS (log_softmax + sort)': { rows: plainRows, fn: () => naiveScoring(logits, targets, plainRows, vocab, K) },
    'TensorFlow.js wasm (logSoftmax + topk)': { rows: tfRows, fn: tfPeer.run },
  };
  const times = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  for (const run of Object.values(runs)) run.fn(); // warm-up: compiled and tiered up before timing
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(runs)) {
      // slow peers once per round: their calls are long enough to time alone
      const ms = run.rows < rows || rows * vocab > 5e7 ? probe(run.fn) : await timeOnce(run.fn, MIN_MS);
      times[name].push((ms * rows) / run.rows);
    }
  }
  tfPeer.dispose();
  const [twoCalls, oneCall] = [median(times.xentropy), median(times['xentropy, one call (topK with target)'])];
  for (const [name, run] of Object.entries(runs)) {
    const ms = median(times[name]);
    const scaled = run.rows < rows ? ` (timed on ${run.rows} rows, scaled)` : '';
    const ratios = `${(ms / twoCalls).toFixed(1)}× | ${(ms / oneCall).toFixed(1)}×`;
    lines.push(`| [${rows}, ${vocab}] | ${name}${scaled} | ${ms.toFixed(2)} | ${ratios} |`);
    console.log(lines.at(-1));
  }
}

writeReport(
  'scoring',
  'RESULTS.md',
  [
    '# Language-model scoring: tokenLogProbs + topK (k = 20), float32, one thread',
    '',
    `Medians of ${ROUNDS} interleaved rounds (\`npm run bench:scoring\`). The ratios are the`,
    "implementation's time over xentropy's, as two calls (tokenLogProbs, then topK) and as one (topK with",
    '`target`): higher means xentropy is faster.',
    '',
    '| logits | implementation | ms per call | over two calls | over one call |',
    '| --- | --- | ---: | ---: | ---: |',
    ...lines,
    '',
  ].join('\n'),
);
