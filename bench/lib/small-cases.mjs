// The small calls' cases, shared by bench/suites/small-calls.mjs (Node) and small-calls.html (each browser engine):
// the library's calls on 10 to 40,960 values and the loops a user would write by hand in plain JS (float32 in and
// out, Math.exp and Math.log), with the targets ("Performance, round three", item 2).
import { seededValues } from './values.mjs';

// The hand-written loops: what a user writes instead of a library (stable: the max subtracted first).
function naiveCrossEntropy(x, rows, cols, target) {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[o + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(x[o + c] - max);
    total += Math.log(sum) + max - x[o + target[r]];
  }
  return Math.fround(total / rows);
}

function naiveCrossEntropyWithGrad(x, rows, cols, target, out) {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[o + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(x[o + c] - max);
      out[o + c] = e;
      sum += e;
    }
    for (let c = 0; c < cols; c++) out[o + c] = out[o + c] / sum / rows;
    out[o + target[r]] -= 1 / rows;
    total += Math.log(sum) + max - x[o + target[r]];
  }
  return { loss: Math.fround(total / rows), grad: out };
}

const naiveSoftmax = (x, log) => naiveSoftmaxInto(x, log, new Float32Array(x.length));

function naiveSoftmaxInto(x, log, out) {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) max = Math.max(max, x[i]);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i] - max);
  const lse = Math.log(sum) + max;
  for (let i = 0; i < x.length; i++) out[i] = log ? x[i] - lse : Math.exp(x[i] - max) / sum;
  return out;
}

function naiveBceWithLogits(x, y) {
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    total += Math.max(v, 0) - v * y[i] + Math.log1p(Math.exp(-Math.abs(v)));
  }
  return Math.fround(total / x.length);
}

/**
 * The cases, on `xentropy` (the library's module, in Node or in a page): each a label, the library's call, the
 * hand-written one, and its target in µs (or none).
 */
export function smallCases(xentropy) {
  const list = [];
  for (const rows of [1, 8, 64, 512, 4096]) {
    const x = seededValues(rows * 10, rows);
    const input = { data: x, shape: [rows, 10] };
    const target = Array.from({ length: rows }, (_, i) => (i * 7) % 10);
    const out = new Float32Array(rows * 10);
    const naiveOut = new Float32Array(rows * 10);
    list.push({
      label: `crossEntropy [${rows}, 10]`,
      lib: () => xentropy.crossEntropy(input, target),
      naive: () => naiveCrossEntropy(x, rows, 10, target),
      limit: rows === 1 ? 1.0 : undefined,
      evenFrom: rows >= 8,
    });
    list.push({
      label: `crossEntropyWithGrad [${rows}, 10], out reused`,
      lib: () => xentropy.crossEntropyWithGrad(input, target, { out }),
      naive: () => naiveCrossEntropyWithGrad(x, rows, 10, target, naiveOut),
      limit: rows === 1 ? 1.2 : undefined,
      evenFrom: rows >= 8,
    });
  }
  for (const n of [10, 100]) {
    const x = seededValues(n, n + 1);
    const input = { data: x, shape: [n] };
    const y = { data: seededValues(n, n + 2).map((v) => (v + 4) / 8), shape: [n] };
    const even = n >= 80;
    const [out, naiveOut] = [new Float32Array(n), new Float32Array(n)];
    list.push({ label: `softmax [${n}]`, lib: () => xentropy.softmax(input), naive: () => naiveSoftmax(x, false) });
    list.push({
      label: `logSoftmax [${n}]`,
      lib: () => xentropy.logSoftmax(input),
      naive: () => naiveSoftmax(x, true),
    });
    list.push({
      label: `binaryCrossEntropyWithLogits [${n}]`,
      lib: () => xentropy.binaryCrossEntropyWithLogits(input, y),
      naive: () => naiveBceWithLogits(x, y.data),
    });
    for (const c of list.slice(-3)) Object.assign(c, { limit: 1.0, evenFrom: even });
    // the floor of a fresh result: the typed array alone (beyond 64 bytes V8 gives it a backing store of its own)
    list.push({
      label: `new Float32Array(${n}) alone`,
      lib: () => new Float32Array(n),
      naive: () => new Float32Array(n),
    });
    // with out reused: no fresh result (V8 gives a typed array of more than 64 bytes a backing store of its own)
    for (const [name, log, fn] of [
      ['softmax', false, xentropy.softmax],
      ['logSoftmax', true, xentropy.logSoftmax],
    ]) {
      list.push({
        label: `${name} [${n}], out reused`,
        lib: () => fn(input, { out }),
        naive: () => naiveSoftmaxInto(x, log, naiveOut),
        evenFrom: even,
      });
    }
  }
  return list;
}

/** µs per call of `fn`, called for at least `ms` (the result kept live). */
export function microseconds(fn, ms) {
  let reps = 0;
  let sink = 0;
  const start = performance.now();
  let now = start;
  do {
    for (let i = 0; i < 100; i++) sink += fn() === undefined ? 1 : 0;
    reps += 100;
    now = performance.now();
  } while (now - start < ms);
  if (sink < 0) console.log(sink);
  return ((now - start) * 1000) / reps;
}
