// Fused distillation from hidden states (linearDistillKlDivWithGrad, linearJsdWithGrad, linearTvdWithGrad), float32,
// one thread, the teacher given as its hidden states and head: its time against linearCrossEntropyWithGrad at the
// same shape plus one teacher matmul (the library's matmul kernel, X_T · W_Tᵀ in the chunks the fused call makes),
// the issue's target being ≤ 1.3× that; and the WebAssembly memory the fused call takes, against the two models'
// logits it never holds. At the first shape also a teacher given as logits, against linearCrossEntropyWithGrad alone.
// Medians of the rounds go to bench/results/linear-distill/<runtime>.md (node-24.md, …).
// Run: npm run bench:linear-distill; another Node:
//   runtimes/node_modules/node24/bin/node bench/suites/linear-distill.mjs
import * as xentropy from '../../build/internal/internal.js';
import { makeRandom } from '../../build/reference.mjs';
import { writeReport } from '../lib/report.mjs';
import { median } from '../lib/timing.mjs';

const SHAPES = (process.env.BENCH_SHAPES ?? '4096x512x32000,4096x512x128256')
  .split(',')
  .map((s) => s.split('x').map(Number));
/** Rounds at the first shape, and at the others (a call at V = 128,256 takes about a minute). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUNDS_LARGE = Number(process.env.BENCH_ROUNDS_LARGE ?? 2);
const TARGET = 1.3;

const time = (fn) => {
  const start = performance.now();
  fn();
  return performance.now() - start;
};
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** Rows per chunk the fused calls make by default (src/families/linear-distill-call.ts): 32 MiB of each array. */
const chunkRows = (N, V) => Math.min(N, Math.max(4, Math.floor((32 * 2 ** 20) / (4 * V) / 4) * 4));

/**
 * One teacher matmul as the fused call makes it: per chunk of rows, logitsᵀ [V × n] = W_T · X_chunkᵀ; with `into`,
 * each chunk's logits are also moved to rows of `into` [N × V] (the teacher's logits, for the call that takes them).
 */
function teacherMatMul(X, W, N, d, V, into) {
  const kernels = xentropy.wasm('bench');
  const n = chunkRows(N, V);
  const base = kernels.scratch(4 * (W.length + d * n + V * n) + 64) >>> 0;
  new Float32Array(kernels.memory.buffer).set(W, base / 4);
  const [xT, c] = [base + 4 * W.length, base + 4 * (W.length + d * n)];
  return () => {
    for (let start = 0; start < N; start += n) {
      const rows = Math.min(n, N - start);
      const heap = new Float32Array(kernels.memory.buffer);
      for (let i = 0; i < rows; i++) for (let p = 0; p < d; p++) heap[xT / 4 + p * rows + i] = X[(start + i) * d + p];
      kernels.matmulF32(base, d, 1, xT, c, V, rows, d, 0);
      if (!into) continue;
      const out = new Float32Array(kernels.memory.buffer, c, V * rows);
      for (let i = 0; i < rows; i++) for (let j = 0; j < V; j++) into[(start + i) * V + j] = out[j * rows + i];
    }
  };
}

/** A problem: student and teacher hidden states and heads (the teacher's logits twice as wide), and targets. */
function problem(N, d, V) {
  const random = makeRandom(4);
  const normal = (length, scale) => Float32Array.from({ length }, () => scale * random.normal());
  return {
    input: { data: normal(N * d, 1), shape: [N, d] },
    linearWeight: { data: normal(V * d, 0.05), shape: [V, d] },
    teacher: {
      input: { data: normal(N * d, 1), shape: [N, d] },
      linearWeight: { data: normal(V * d, 0.1), shape: [V, d] },
    },
    target: Int32Array.from({ length: N }, () => random.int(V)),
  };
}

/** WebAssembly memory a call takes from fresh memory. */
async function memoryOf(call) {
  await xentropy.release();
  call();
  return xentropy.wasmMemoryBytes();
}

await xentropy.init({ threads: 1 });
const build = xentropy.wasmBuild();
const lines = [
  '| N, d, V | call | time | × (linearCrossEntropyWithGrad + teacher matmul) | target | WebAssembly memory | ' +
    'logits it never holds |',
  '| --- | --- | ---: | ---: | :---: | ---: | ---: |',
];
for (const [index, [N, d, V]] of SHAPES.entries()) {
  const p = problem(N, d, V);
  const logitsBytes = 2 * N * V * 4;
  const calls = {
    'linearDistillKlDivWithGrad (T = 2)': () =>
      xentropy.linearDistillKlDivWithGrad(p.input, p.linearWeight, p.teacher, { temperature: 2 }),
    ...(index === 0
      ? {
          'linearJsdWithGrad (β = 0.5)': () => xentropy.linearJsdWithGrad(p.input, p.linearWeight, p.teacher),
          linearTvdWithGrad: () => xentropy.linearTvdWithGrad(p.input, p.linearWeight, p.teacher),
        }
      : {}),
  };
  const lce = () => xentropy.linearCrossEntropyWithGrad(p.input, p.linearWeight, p.target);
  // at the first shape, a teacher given as its logits too (made here by the same matmul)
  const teacherLogits = index === 0 ? { data: new Float32Array(N * V), shape: [N, V] } : undefined;
  if (teacherLogits) {
    teacherMatMul(p.teacher.input.data, p.teacher.linearWeight.data, N, d, V, teacherLogits.data)();
    calls['linearDistillKlDivWithGrad (T = 2), teacher logits'] = () =>
      xentropy.linearDistillKlDivWithGrad(p.input, p.linearWeight, teacherLogits, { temperature: 2 });
  }
  const memory = {};
  // (the teacher's logits, when given, are the caller's: the memory counted is the call's own)
  for (const [name, call] of Object.entries(calls)) memory[name] = await memoryOf(call);
  const lceMemory = await memoryOf(lce);
  const matmul = teacherMatMul(p.teacher.input.data, p.teacher.linearWeight.data, N, d, V);
  const times = { lce: [], matmul: [], ...Object.fromEntries(Object.keys(calls).map((k) => [k, []])) };
  const rounds = index === 0 ? ROUNDS : ROUNDS_LARGE;
  for (let r = 0; r < rounds; r++) {
    times.lce.push(time(lce));
    times.matmul.push(time(matmul));
    for (const [name, call] of Object.entries(calls)) times[name].push(time(call));
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  const base = m.lce + m.matmul;
  const shape = `${N}, ${d}, ${V}`;
  lines.push(`| ${shape} | linearCrossEntropyWithGrad | ${seconds(m.lce)} | | | ${mb(lceMemory)} | |`);
  lines.push(`| ${shape} | one teacher matmul (X_T · W_Tᵀ, 2·N·d·V flop) | ${seconds(m.matmul)} | | | | |`);
  for (const name of Object.keys(calls)) {
    // a teacher given as logits needs no teacher matmul: against linearCrossEntropyWithGrad alone
    const given = name.endsWith('teacher logits');
    const ratio = m[name] / (given ? m.lce : base);
    const against = given ? ' (× linearCrossEntropyWithGrad alone)' : '';
    const call = `${name}${given ? '' : ", teacher's head"}`;
    const never = mb(given ? logitsBytes / 2 : logitsBytes);
    lines.push(
      `| ${shape} | ${call} | ${seconds(m[name])} | **${ratio.toFixed(2)}×**${against} | ` +
        `${ratio <= TARGET ? '✓' : '✗'} ≤ ${TARGET} | ${mb(memory[name])} | ${never} |`,
    );
  }
  console.log(lines.slice(-2 - Object.keys(calls).length).join('\n'));
}

const text = `# Fused distillation from hidden states

\`npm run bench:linear-distill\`: float32, one thread, the ${build} build; medians of ${ROUNDS} rounds (${ROUNDS_LARGE}
beyond the first shape, where a call takes about a minute). Student and teacher both have hidden states [N, d] and a
head [V, d]; the teacher is given as its hidden states and head, so the fused call makes four products per chunk (the
two models' logits, and the student's two gradient products) where linearCrossEntropyWithGrad makes three. The
target is the issue's: at most ${TARGET}× linearCrossEntropyWithGrad at the same shape plus one teacher matmul (the
library's matmul kernel, in the chunks the fused call makes). WebAssembly memory is what the call takes from fresh
memory (\`release()\`, then the call, then \`wasmMemoryBytes()\`): the heads, the student's weight gradient and one
chunk's arrays; the logits it never holds are both models' [N, V] in float32.

${lines.join('\n')}
`;
const name = globalThis.Deno ? 'deno' : process.versions.bun ? 'bun' : `node-${process.versions.node.split('.')[0]}`;
console.log(writeReport('linear-distill', `${name}.md`, text));
