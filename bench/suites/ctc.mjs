// CTC: ctcLossWithGrad (and ctcLoss alone) on float32, one thread, against PyTorch CPU's F.ctc_loss forward +
// backward (one thread) and a plain JavaScript implementation of the same recursion (reference/ctc.ts, float64:
// timed on its first sequences and scaled to all, which the table says), in one run: the issue's speech-sized and
// character-sized problems. Losses are checked against each other before anything is timed. Also ctcForcedAlign's
// time per frame. Medians of the rounds go to bench/results/ctc/<runtime>.md (node-24.md, …).
// Run: npm run bench:ctc   (PyTorch from Debian's python3-torch, where installed); another Node:
//   runtimes/node_modules/node24/bin/node bench/suites/ctc.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { makeRandom, refCtcLoss } from '../../build/reference.mjs';
import * as xentropy from '../../dist/index.js';
import { writeReport } from '../lib/report.mjs';
import { median, timeOnce } from '../lib/timing.mjs';
import { pytorchAvailable } from '../peers/pytorch.mjs';

const SHAPES = (process.env.BENCH_SHAPES ?? '1000x16x1000x200,200x64x32x50')
  .split(',')
  .map((s) => s.split('x').map(Number));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MIN_MS = 300;
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

/** A problem: log-softmax of random logits (T, N, C), full-length inputs and targets of 80–100 % of S labels. */
function problem([T, N, C, S]) {
  const random = makeRandom(26);
  const logits = Float32Array.from({ length: T * N * C }, () => 4 * random.normal());
  const logProbs = xentropy.logSoftmax({ data: logits, shape: [T, N, C] }).data;
  const targets = Int32Array.from({ length: N * S }, () => 1 + random.int(C - 1));
  const inputLengths = Int32Array.from({ length: N }, (_, n) => T - (n % 4));
  const targetLengths = Int32Array.from({ length: N }, (_, n) => S - ((n * 7) % Math.ceil(S / 5)));
  return { T, N, C, S, logProbs, targets, inputLengths, targetLengths };
}

function pytorch(p) {
  const dir = mkdtempSync(join(os.tmpdir(), 'xentropy-ctc-'));
  try {
    for (const name of ['logProbs', 'targets', 'inputLengths', 'targetLengths'])
      writeFileSync(join(dir, name), p[name]);
    const script = new URL('../peers/pytorch_ctc.py', import.meta.url).pathname;
    const args = [script, dir, p.T, p.N, p.C, p.S, ROUNDS, MIN_MS].map(String);
    const run = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`PyTorch peer failed: ${run.stderr}`);
    return JSON.parse(run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The plain JavaScript recursion on the first `n` sequences, timed once: ms per sequence. */
function plainJs(p, n) {
  const first = new Float64Array(p.T * n * p.C);
  for (let t = 0; t < p.T; t++) {
    for (let b = 0; b < n; b++)
      first.set(p.logProbs.subarray((t * p.N + b) * p.C, (t * p.N + b + 1) * p.C), (t * n + b) * p.C);
  }
  const start = performance.now();
  const out = refCtcLoss(
    first,
    [p.T, n, p.C],
    p.targets.subarray(0, n * p.S),
    [n, p.S],
    p.inputLengths,
    p.targetLengths,
    {
      reduction: 'none',
    },
  );
  return { msPerSequence: (performance.now() - start) / n, losses: out.loss };
}

const check = (what, got, want) => {
  if (!(Math.abs(got - want) <= 1e-4 * Math.abs(want))) throw new Error(`${what}: loss ${got}, xentropy ${want}`);
};
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

await xentropy.init({ threads: 1 });
const withTorch = pytorchAvailable();
const lines = [
  '| T, N, C, S | xentropy forward | xentropy forward + gradient | PyTorch forward + backward | ' +
    '× PyTorch (target ≥ 1.0) | plain JS, forward + gradient | × plain JS (target ≥ 20) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
];
const notes = [];
for (const shape of SHAPES) {
  const p = problem(shape);
  const args = [
    { data: p.logProbs, shape: [p.T, p.N, p.C] },
    { data: p.targets, shape: [p.N, p.S] },
    p.inputLengths,
    p.targetLengths,
  ];
  const out = new Float32Array(p.logProbs.length);
  const loss = xentropy.ctcLoss(...args);
  const none = xentropy.ctcLoss(...args, { reduction: 'none' }).data;
  const js = plainJs(p, Math.min(p.N, 2));
  for (let n = 0; n < js.losses.length; n++) check(`plain JS, sequence ${n}`, js.losses[n], none[n]);
  const torch = withTorch ? pytorch(p) : undefined;
  if (torch) check('PyTorch', torch['forward + gradient'].loss, loss);
  const forward = [];
  const both = [];
  for (let r = 0; r < ROUNDS; r++) {
    forward.push(await timeOnce(() => xentropy.ctcLoss(...args), MIN_MS));
    both.push(await timeOnce(() => xentropy.ctcLossWithGrad(...args, { out }), MIN_MS));
  }
  const [f, b] = [median(forward), median(both)];
  const torchMs = torch ? median(torch['forward + gradient'].ms) : Number.NaN;
  const jsMs = js.msPerSequence * p.N;
  const mark = (ratio, target) => `**${ratio.toFixed(2)}×** ${ratio >= target ? '✓' : '✗'}`;
  lines.push(
    `| ${shape.join(', ')} | ${fmt(f)} ms | ${fmt(b)} ms | ${torch ? `${fmt(torchMs)} ms` : '—'} | ` +
      `${torch ? mark(torchMs / b, 1) : '—'} | ${fmt(jsMs)} ms | ${mark(jsMs / b, 20)} |`,
  );
  notes.push(
    `- ${shape.join(', ')}: PyTorch forward alone ${torch ? `${fmt(median(torch.forward.ms))} ms` : '—'}; ` +
      'plain JS timed on ' +
      `${js.losses.length} of ${p.N} sequences and scaled; xentropy forward + gradient at ` +
      `${((b * 1e6) / (p.N * p.T * (2 * p.S + 1))).toFixed(1)} ns per lattice cell (frame × extended label).`,
  );
}

// forced alignment: one sequence of the first problem
const [T, , C, S] = SHAPES[0];
const random = makeRandom(261);
const one = xentropy.logSoftmax({
  data: Float32Array.from({ length: T * C }, () => 4 * random.normal()),
  shape: [T, C],
});
const transcript = Int32Array.from({ length: S }, () => 1 + random.int(C - 1));
const alignMs = [];
for (let r = 0; r < ROUNDS; r++) alignMs.push(await timeOnce(() => xentropy.ctcForcedAlign(one, transcript), MIN_MS));
const align = median(alignMs);

const text = `# CTC

\`npm run bench:ctc\`: float32, one thread (\`init({ threads: 1 })\`; PyTorch \`torch.set_num_threads(1)\`), medians
of ${ROUNDS} rounds of at least ${MIN_MS} ms each. Log-probabilities are the log-softmax of normal logits (σ 4);
inputs of T to T − 3 frames, targets of 80–100 % of S labels, padded. \`ctcLossWithGrad\` writes into a reused \`out\`.
The plain JS recursion is reference/ctc.ts (float64 arrays, PyTorch's order of operations).

${lines.join('\n')}

${notes.join('\n')}

\`ctcForcedAlign\` of a ${S}-label transcript to ${T} frames of ${C} classes: **${fmt(align)} ms**,
${((align * 1000) / T).toFixed(2)} µs per frame.
`;
const name = globalThis.Deno ? 'deno' : process.versions.bun ? 'bun' : `node-${process.versions.node.split('.')[0]}`;
console.log(writeReport('ctc', `${name}.md`, text));
console.log(text);
