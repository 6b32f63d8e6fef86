// Distillation: distillKlDiv (T = 2), jsd (β = 0.5) and tvd on float32 logits, one thread, forward and forward +
// gradient (into a reused `out`), against PyTorch CPU's composition of the same divergence from torch ops, forward +
// backward (one thread), the loop users write by hand (bench/peers/naive.mjs), and the memory-copy floor (reading
// both inputs and writing the gradient once).
// Losses are checked against each other before anything is timed. Medians of the rounds go to
// bench/results/distill/<runtime>.md (node-24.md, …).
// Run: npm run bench:distill   (PyTorch from Debian's python3-torch, where installed); another Node:
//   runtimes/node_modules/node24/bin/node bench/suites/distill.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { makeRandom } from '../../build/reference.mjs';
import * as xentropy from '../../dist/index.js';
import { writeReport } from '../lib/report.mjs';
import { median, timeOnce } from '../lib/timing.mjs';
import { naiveDistillWithGrad } from '../peers/naive.mjs';
import { pytorchAvailable } from '../peers/pytorch.mjs';

const SHAPES = (process.env.BENCH_SHAPES ?? '8192x1000,256x32000').split(',').map((s) => s.split('x').map(Number));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MIN_MS = 300;
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const DIVERGENCES = {
  distillKlDiv: {
    loss: xentropy.distillKlDiv,
    withGrad: xentropy.distillKlDivWithGrad,
    options: { temperature: 2 },
    naive: ['kl', 2],
  },
  jsd: {
    loss: xentropy.jsd,
    withGrad: xentropy.jsdWithGrad,
    options: { beta: 0.5 },
    naive: ['jsd', 1],
  },
  tvd: { loss: xentropy.tvd, withGrad: xentropy.tvdWithGrad, options: {}, naive: ['tvd', 1] },
};

/** A problem: a teacher's logits (σ 3) and a student's near them (the teacher's plus noise of σ 1.5). */
function problem([rows, V]) {
  const random = makeRandom(27);
  const teacher = Float32Array.from({ length: rows * V }, () => 3 * random.normal());
  const student = teacher.map((t) => t + 1.5 * random.normal());
  return { rows, V, student, teacher };
}

function pytorch(p) {
  const dir = mkdtempSync(join(os.tmpdir(), 'xentropy-distill-'));
  try {
    writeFileSync(join(dir, 'student'), p.student);
    writeFileSync(join(dir, 'teacher'), p.teacher);
    const script = new URL('../peers/pytorch_distill.py', import.meta.url).pathname;
    const run = spawnSync(PYTHON, [script, dir, p.rows, p.V, ROUNDS, MIN_MS].map(String), { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`PyTorch peer failed: ${run.stderr}`);
    return JSON.parse(run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const check = (what, got, want) => {
  if (!(Math.abs(got - want) <= 1e-4 * Math.abs(want) + 1e-6))
    throw new Error(`${what}: loss ${got}, xentropy ${want}`);
};
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const ratio = (r) => `**${r.toFixed(2)}×**`;

await xentropy.init({ threads: 1 });
const withTorch = pytorchAvailable();
const lines = [
  '| function | rows × V | forward | forward + gradient | copy floor | PyTorch forward + backward | × PyTorch | ' +
    'plain JS | × plain JS |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
for (const shape of SHAPES) {
  const p = problem(shape);
  const args = [
    { data: p.student, shape: [p.rows, p.V] },
    { data: p.teacher, shape: [p.rows, p.V] },
  ];
  const out = new Float32Array(p.student.length);
  const copy = new Float32Array(p.student.length);
  const floor = [];
  const copies = () => {
    copy.set(p.student);
    copy.set(p.teacher);
    out.set(copy);
  };
  for (let r = 0; r < ROUNDS; r++) floor.push(await timeOnce(copies, MIN_MS));
  const torch = withTorch ? pytorch(p) : undefined;
  for (const [name, { loss: lossOf, withGrad, options, naive }] of Object.entries(DIVERGENCES)) {
    const loss = lossOf(...args, options);
    const plain = () => naiveDistillWithGrad(naive[0], p.student, p.teacher, p.rows, p.V, naive[1], out);
    check(`${name}: plain JS`, plain(), loss);
    if (torch) check(`${name}: PyTorch`, torch[name]['forward + gradient'].loss, loss);
    const [forward, both, js] = [[], [], []];
    for (let r = 0; r < ROUNDS; r++) {
      js.push(await timeOnce(plain, MIN_MS));
      forward.push(await timeOnce(() => lossOf(...args, options), MIN_MS));
      both.push(await timeOnce(() => withGrad(...args, { ...options, out }), MIN_MS));
    }
    const [f, b] = [median(forward), median(both)];
    const torchMs = torch ? median(torch[name]['forward + gradient'].ms) : Number.NaN;
    const jsMs = median(js);
    lines.push(
      `| ${name} | ${p.rows} × ${p.V} | ${fmt(f)} ms | ${fmt(b)} ms | ${fmt(median(floor))} ms | ` +
        `${torch ? `${fmt(torchMs)} ms` : '—'} | ${torch ? ratio(torchMs / b) : '—'} | ${fmt(jsMs)} ms | ` +
        `${ratio(jsMs / b)} |`,
    );
  }
}

const text = `# Distillation

\`npm run bench:distill\`: float32, one thread (\`init({ threads: 1 })\`; PyTorch \`torch.set_num_threads(1)\`), medians
of ${ROUNDS} rounds of at least ${MIN_MS} ms each. The teacher's logits are normal (σ 3), the student's the
teacher's plus normal noise (σ 1.5). \`distillKlDiv\` at T = 2, \`jsd\` at β = 0.5. \`…WithGrad\` writes into a reused
\`out\`; "× PyTorch" and "× plain JS" compare forward + gradient. PyTorch composes each divergence from torch ops
(\`kl_div\` of two \`log_softmax\`, Liger-Kernel's chunked JSD, ½ Σ |softmax − softmax|) and differentiates it with
autograd. The plain JS is the loop users write by hand (max and log Σ exp per row, then the terms and the gradient
through the softmax, with Math.exp). The copy floor reads both inputs and writes the gradient once
(\`TypedArray.set\`).

${lines.join('\n')}
`;
const name = globalThis.Deno ? 'deno' : process.versions.bun ? 'bun' : `node-${process.versions.node.split('.')[0]}`;
console.log(writeReport('distill', `${name}.md`, text));
