// Short rows side by side (assembly/math/group-rows.ts: rows of at most 31 elements, sixteen at a time, four per
// vector, transposed in registers) held to what they stand for, in one math build (build/math/), bit for bit: each
// row's max taken in order, its exps the build's vector exp, their sum added in order in float64 and rounded once, its
// log the build's vector log; softmax e_j · (1 / Σ), logSoftmax (x_j − max) − log Σ, logSumExp max + log Σ, written
// in place or not, for every width from 0 to 31 and row counts that leave a last group or run part full, with nothing
// written past an array; crossEntropy's loss and gradient (kernels/cross-entropy-narrow.ts) for the widths it groups,
// up to 63. Imported by test/correctness/group-rows.test.ts for the SIMD build; run as a script with the
// build's name (`node group-rows.mjs relaxed`) on the runtimes that have relaxed SIMD. Prints the failures as JSON.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const f32 = Math.fround;
const same = (a, b) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** n values from a seed: random, wide, or with the values an exp and a max must get right planted among them. */
function values(n, seed, family) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const out = Float32Array.from({ length: n }, () => (next() - 0.5) * (family === 'wide' ? 400 : 16));
  const planted = {
    edges: [-Infinity, -1e38, 1e38, -1e-40, 1e-45, -85.99, -86.01, -103.3, -104, -150, -0, 0],
    infinities: [Infinity, -Infinity, 3],
    nans: [Number.NaN, -Infinity, 2],
  }[family];
  if (planted) for (let j = 0; j < n; j++) if (next() < 0.3) out[j] = planted[Math.floor(next() * planted.length)];
  return out;
}

/** The group path's results for rows of n, from the build's own vector exp and log (`k`: its exports). */
function expected(k, x, rows, n) {
  const scratch = k.scratch(16 * (n + 8)) >>> 0;
  const vectorMap = (op, v) => {
    const padded = Math.ceil(v.length / 4) * 4; // every value through the vector loop
    const view = new Float32Array(k.memory.buffer, scratch, padded);
    view.fill(0);
    view.set(v);
    k[op](scratch, padded, 1, scratch);
    return new Float32Array(k.memory.buffer, scratch, v.length).slice();
  };
  const [softmax, logSoftmax, lse] = [new Float32Array(rows * n), new Float32Array(rows * n), []];
  const [exps, sums, maxes, logSums] = [new Float32Array(rows * n), [], [], []];
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * n, (r + 1) * n);
    let m = n > 0 ? row[0] : -Infinity; // f32x4.pmax in order: a NaN first stays, a NaN after is passed over
    for (let j = 1; j < n; j++) if (m < row[j]) m = row[j];
    const e = vectorMap(
      'expNonPositiveF32',
      row.map((v) => f32(v - m)),
    );
    const s = f32(e.reduce((sum, v) => sum + v, 0));
    exps.set(e, r * n);
    sums[r] = s;
    maxes[r] = m;
    const logSum = vectorMap('logF32', [s])[0];
    logSums[r] = logSum;
    const inverse = f32(1 / s);
    for (let j = 0; j < n; j++) {
      softmax[r * n + j] = f32(inverse * e[j]);
      logSoftmax[r * n + j] = f32(f32(row[j] - m) - logSum);
    }
    // (an infinite max takes the row path's shift of 0, which its own tests hold: not checked here)
    lse[r] = Number.isFinite(m) || Number.isNaN(m) ? f32(m + logSum) : undefined;
  }
  return { softmax, logSoftmax, lse, exps, sums, maxes, logSums };
}

/**
 * crossEntropyIndexF32's gradient and loss of short rows (class indices, some ignored; a class weight and a gradient
 * per row when asked), with the gradient and without, and what they stand for: e_j · a, a = (g · w_t) / Σ exp (g: the
 * row's gradient scale), as the row path scales it; the target's element a · e_t − g · w_t; an ignored row 0, or NaN
 * where its log-sum-exp is not finite; the loss −w_t · ((x_t − max) − log Σ exp), and 0 for an ignored row.
 */
function crossEntropyGradients(k, x, rows, n, want, { weighted = false, perRow = false }) {
  const targets = Int32Array.from({ length: rows }, (_, r) => (r % 5 === 3 || n === 0 ? -1 : (r * 7) % n));
  const weight = Float32Array.from({ length: n }, (_, j) => 0.5 + ((j * 37) % 16) / 10);
  const gradOutput = Float32Array.from({ length: rows }, (_, r) => (r % 3) - 0.75);
  const gradScale = 0.1;
  // x, the gradient (and a guard after it), the targets, the weight, the loss, the gradients per row, the params
  const sizes = [rows * n * 4, rows * n * 4 + 64, rows * 4, n * 4, rows * 4, rows * 4, 64];
  const padded = sizes.map((b) => Math.ceil(b / 16) * 16 + 16);
  const base = k.scratch(padded.reduce((sum, b) => sum + b, 0)) >>> 0;
  const starts = padded.map((_, i) => base + padded.slice(0, i).reduce((sum, b) => sum + b, 0));
  const [xAt, gradAt, targetsAt, weightAt, lossAt, gradOutputAt, paramsAt] = starts;
  new Uint32Array(k.memory.buffer, gradAt + rows * n * 4, 16).fill(0x7fc0dead);
  new Float32Array(k.memory.buffer, xAt, rows * n).set(x);
  new Int32Array(k.memory.buffer, targetsAt, rows).set(targets);
  new Float32Array(k.memory.buffer, weightAt, n).set(weight);
  new Float32Array(k.memory.buffer, gradOutputAt, rows).set(gradOutput);
  new Float64Array(k.memory.buffer, paramsAt, 8).set([0, 0, 0, 0, 0, n, 0, gradScale]);
  const [w, gradOutputs] = [weighted ? weightAt : 0, perRow ? gradOutputAt : 0];
  const run = (grad) => {
    k.crossEntropyIndexF32(xAt, rows, n, targetsAt, w, 0, lossAt, 0, 0, grad, gradOutputs, paramsAt);
    return Array.from(new Float32Array(k.memory.buffer, lossAt, rows));
  };
  const forwardLoss = run(0);
  const loss = run(gradAt);
  const got = [...new Float32Array(k.memory.buffer, gradAt, rows * n + 16), ...loss, ...forwardLoss];
  const wanted = new Float32Array(rows * n + 16 + 2 * rows);
  new Uint32Array(wanted.buffer, rows * n * 4, 16).fill(0x7fc0dead); // nothing written past the gradient
  const wantedLoss = wanted.subarray(rows * n + 16);
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    const row = wanted.subarray(r * n, (r + 1) * n);
    if (t < 0) {
      row.fill(Number.isFinite(want.lse[r]) ? 0 : Number.NaN);
      continue;
    }
    const e = (j) => want.exps[r * n + j];
    const g = f32(perRow ? gradScale * gradOutput[r] : gradScale);
    const wt = weighted ? weight[t] : 1;
    wantedLoss[r] = wantedLoss[rows + r] = f32(-wt * f32(f32(x[r * n + t] - want.maxes[r]) - want.logSums[r]));
    const a = f32(f32(g * wt) / want.sums[r]);
    for (let j = 0; j < n; j++) row[j] = f32(a * e(j));
    row[t] = f32(f32(f32(a * e(t)) - f32(g * wt)) + f32(0 * e(t)));
  }
  return { got, wanted };
}

// every width of the group path: softmax, logSoftmax and logSumExp up to NARROW_ROW (31); crossEntropy up to 44, and
// to GROUP_WIDEST (63) where the row path would end in a scalar tail (widths not a multiple of 4)
const WIDTHS = Array.from({ length: 64 }, (_, n) => n);
const NARROW_ROW = 31;
const groupsCrossEntropy = (n) => n <= 44 || n % 4 !== 0;
const ROWS = [1, 3, 4, 5, 15, 16, 17, 35];
const FAMILIES = ['plain', 'wide', 'edges', 'infinities', 'nans'];

/** The failures (at most 20) of the build's short rows, in words. */
export function groupRowsFailures(build) {
  const bytes = readFileSync(new URL(`../../build/math/xentropy.${build}.wasm`, import.meta.url));
  const k = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { abort() {} } }).exports;
  const failures = [];
  const fail = (what) => failures.length < 20 && failures.push(what);
  for (const n of WIDTHS) {
    for (const rows of ROWS) {
      for (const family of FAMILIES) {
        const x = values(rows * n, n * 131 + rows * 7 + family.length, family);
        const want = expected(k, x, rows, n);
        // x, out and the log-sum-exps, each followed by 16 floats of a pattern that no kernel may write over
        const [bytesOf, guard] = [rows * n * 4 + 64, 16];
        const base = k.scratch(2 * bytesOf + rows * 4 + 64) >>> 0;
        const [xAt, outAt, lseAt] = [base, base + bytesOf, base + 2 * bytesOf];
        const view = (at, length) => new Float32Array(k.memory.buffer, at, length);
        const guards = () => [xAt, outAt].map((at) => at + rows * n * 4).concat(lseAt + rows * 4);
        for (const at of guards()) new Uint32Array(k.memory.buffer, at, guard).fill(0x7fc0dead);
        const where = `${build}, ${rows} rows of ${n}, ${family}`;
        const check = (what, got, wanted) => {
          const bad = wanted.findIndex((v, i) => v !== undefined && !same(got[i], v));
          if (bad >= 0) fail(`${where}: ${what} [${bad}] ${got[bad]}, not ${wanted[bad]}`);
          for (const at of guards())
            if (new Uint32Array(k.memory.buffer, at, guard).some((v) => v !== 0x7fc0dead))
              fail(`${where}: ${what} wrote past its array`);
        };
        for (const [what, kernel] of n > NARROW_ROW
          ? []
          : [
              ['softmax', 'softmaxF32'],
              ['logSoftmax', 'logSoftmaxF32'],
            ]) {
          view(xAt, rows * n).set(x);
          k[kernel](xAt, rows, n, outAt);
          check(what, view(outAt, rows * n), want[what]);
          check(`${what} of x untouched`, view(xAt, rows * n), x);
          k[kernel](xAt, rows, n, xAt); // in place
          check(`${what} in place`, view(xAt, rows * n), want[what]);
        }
        view(xAt, rows * n).set(x);
        k.logSumExpF32(xAt, rows, n, lseAt);
        // (a row of no elements is the row path's)
        if (n > 0 && n <= NARROW_ROW) check('logSumExp', view(lseAt, rows), want.lse);
        for (const options of groupsCrossEntropy(n) ? [{}, { weighted: true, perRow: true }] : []) {
          const { got, wanted } = crossEntropyGradients(k, x, rows, n, want, options);
          const bad = wanted.findIndex((v, i) => !same(got[i], v));
          const what = `crossEntropy gradient ${JSON.stringify(options)}`;
          if (bad >= 0) fail(`${where}: ${what} [${bad}] ${got[bad]}, not ${wanted[bad]}`);
        }
      }
    }
  }
  return failures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(groupRowsFailures(process.argv[2])));
