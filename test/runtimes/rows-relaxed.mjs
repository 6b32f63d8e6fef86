// Run by test/correctness/row-independence.test.ts on Node 22, 24 and 26: in the relaxed-SIMD build, each row of a
// batch gives what it gives alone, bit for bit. There a row whose elements are all within 86 of its max (read by a
// pass over the row before it, or with its own max where it comes first) takes its exps without the clamp, so the
// rows below straddle that bound: a range of exactly 86, one float past it, 120 (a subnormal exp), −inf, NaN and
// −1e38; and rows short and long, whose next row's max is read by the exp pass or by the scale pass after it. Prints
// JSON: the build, the batches tried and the first differences.
import * as x from '../../dist/index.js';

const CLASSES = [17, 64, 1000, 1031, 2560, 2561];
const PAST = Math.fround(-66.00000762939453); // 20 − 86, less one float
const PLANTED = { within: -66, past: PAST, far: -100, '-inf': -Infinity, nan: Number.NaN, huge: -1e38, plain: 0 };

function seeded(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A row with a max of 20: random within 86 of it, or one value at its range's edge or past it. */
function row(classes, kind, next) {
  const values = Array.from({ length: classes }, () => 20 - 80 * next());
  const at = () => Math.floor(next() * classes);
  values[at()] = 20;
  values[at()] = PLANTED[kind];
  // a NaN beside a value far below: the min read ahead may pass both over, but the row's values are NaN either way
  if (kind === 'nan') values[at()] = -100;
  return values;
}

/** A class weight for the logits' classes (0.5 to 2). */
const weightOf = (logits) => Float32Array.from({ length: logits.shape[1] }, (_, j) => 0.5 + ((j * 37) % 16) / 10);

function outputs(logits, targets, probabilities) {
  const none = { reduction: 'none', ignoreIndex: -100 };
  return [
    x.softmax(logits).data,
    x.crossEntropyWithGrad(logits, targets, { ...none, reduction: 'sum' }).grad.data,
    x.crossEntropyWithGrad(logits, targets, { reduction: 'sum', labelSmoothing: 0.1 }).grad.data,
    x.crossEntropyWithGrad(logits, targets, { reduction: 'sum', labelSmoothing: 0.1, weight: weightOf(logits) }).grad
      .data,
    x.crossEntropyWithGrad(logits, targets, none).loss.data,
    x.crossEntropyWithGrad(logits, probabilities, { reduction: 'sum' }).grad.data,
  ];
}

/** Rows of `classes` (a batch of `rows`, or 2 to 7), each against itself alone; `resident`: logits in WebAssembly
 * memory, so that the kernel sees them in one call (over 1 MiB: the exp pass reads long rows ahead there). */
function tryBatch(classes, seed, rows, resident) {
  const next = seeded(seed * 7919 + classes);
  rows ??= 2 + Math.floor(next() * 6);
  const values = [];
  for (let r = 0; r < rows; r++) values.push(...row(classes, kinds[Math.floor(next() * kinds.length)], next));
  const targets = Int32Array.from({ length: rows }, () => (next() < 0.2 ? -100 : Math.floor(next() * classes)));
  const probabilities = Float32Array.from({ length: rows * classes }, () => next());
  const logits = resident ? x.allocTensor(Float32Array, [rows, classes]) : { shape: [rows, classes] };
  if (resident) logits.data.set(values);
  else logits.data = Float32Array.from(values);
  const batch = outputs(logits, targets, { data: probabilities, shape: [rows, classes] });
  batches++;
  for (let r = 0; r < rows; r++) {
    const slice = (a) => a.slice(r * classes, (r + 1) * classes);
    const alone = outputs({ data: Float32Array.from(slice(values)), shape: [1, classes] }, targets.subarray(r, r + 1), {
      data: slice(probabilities),
      shape: [1, classes],
    });
    alone.forEach((expected, k) => {
      const per = expected.length;
      const got = batch[k].subarray(r * per, (r + 1) * per);
      const j = got.findIndex((v, i) => !Object.is(v, expected[i]));
      if (j >= 0 && differences.length < 10) {
        differences.push(`output ${k}, row ${r} of [${rows}, ${classes}], seed ${seed}: ${got[j]} vs ${expected[j]}`);
      }
    });
  }
  if (resident) logits.free();
}

await x.init({ threads: 1, warnings: false });
const kinds = Object.keys(PLANTED);
const differences = [];
let batches = 0;
for (const classes of CLASSES) for (let seed = 1; seed <= 12; seed++) tryBatch(classes, seed);
for (let seed = 1; seed <= 3; seed++) tryBatch(2561, seed, 110, true);
console.log(JSON.stringify({ build: x.wasmBuild(), batches, differences }));
