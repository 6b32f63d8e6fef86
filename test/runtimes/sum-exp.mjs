// The row Σ exp of the forward and the gradient (assembly/math/sum-exp.ts) held to what it stands for, in one math
// build (build/math/): every stored exp is the vector exp of ./exp.ts bit for bit, the sum is that exp's sum in the
// blocks and partial sums of rows.ts bit for bit, the sum without stores is the same sum (in the relaxed build: the
// sum of the exp with ln2 in one part, as fused multiply-adds round it, in two partial sums), and the next row's max
// is its max; and the scoring rows' Σ exp at a temperature (scaledExpSumsF32) sums that exp's values as score.ts did.
// Imported by test/correctness/sum-exp.test.ts for the SIMD build; run as a script with the build's name
// (`node sum-exp.mjs relaxed`) on the runtimes that have relaxed SIMD. Prints the failures as JSON.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const f32 = Math.fround;
const same = (a, b) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** The sum of `e` as rows.ts's sumExpOf adds it: 16 at a time into four f32 partial sums per block of 1024 (with
 * `paired`, two: e_0 and e_2 into one, e_1 and e_3 into the other), one vector at a time into one per block of 256,
 * then one by one; each block's total into an f64. */
function blockedSum(e, paired = false) {
  const n = e.length;
  let sum = 0;
  let i = 0;
  const lanesTotal = (s) => f32(f32(s[0] + s[1]) + f32(s[2] + s[3]));
  const add = (a, b) => a.map((x, l) => f32(x + b[l]));
  while (i + 16 <= n) {
    const end = Math.min(n, i + 1024);
    const parts = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    for (; i + 16 <= end; i += 16) {
      for (let v = 0; v < 4; v++) {
        const part = paired ? parts[v % 2] : parts[v];
        for (let l = 0; l < 4; l++) part[l] = f32(part[l] + e[i + 4 * v + l]);
      }
    }
    sum += lanesTotal(paired ? add(parts[0], parts[1]) : add(add(parts[0], parts[1]), add(parts[2], parts[3])));
  }
  while (i + 4 <= n) {
    const end = Math.min(n, i + 256);
    const part = [0, 0, 0, 0];
    for (; i + 4 <= end; i += 4) for (let l = 0; l < 4; l++) part[l] = f32(part[l] + e[i + l]);
    sum += lanesTotal(part);
  }
  for (; i < n; i++) sum += e[i];
  return sum;
}

/** a·b + c rounded once to float32 (a, b, c float32): the product is exact in float64, the sum's error exact by
 * TwoSum, and a sum on a float32 midpoint goes the way its error points. */
function fusedMultiplyAdd(a, b, c) {
  const p = a * b;
  const s = p + c;
  const back = s - p;
  const error = p - (s - back) + (c - back);
  const r = f32(s);
  const other = 2 * s - r; // the float32 on the far side of s, when s is their midpoint
  if (error === 0 || r === s || f32(other) !== other) return r;
  return error > 0 ? Math.max(r, other) : Math.min(r, other);
}

const LOG2E = f32(Math.LOG2E);
const LN2 = f32(f32(0.693145751953125) + f32(1.42860677e-6)); // ln 2 in one part
const POLYNOMIAL = [0.0013843642, 0.0083741555, 0.041668002, 0.16666432, 0.49999994, 1, 1].map(f32);

/** The relaxed build's exp of d ≤ 0 in a sum alone: clamped at −86, n = nearest(d·log2 e) (never a tie there), r =
 * d − n·ln2 in one fused multiply-add, e^r by Horner, times 2^n. */
function onePartExp(d) {
  if (Number.isNaN(d)) return d;
  const x = Math.max(d, -86);
  const n = Math.round(x * LOG2E);
  const r = f32(x - n * LN2); // exact in float64 before the rounding
  const q = POLYNOMIAL.reduce((acc, c, k) => (k === 0 ? c : fusedMultiplyAdd(acc, r, c)));
  return q * 2 ** n;
}

const bitsOf = (values) => new Uint32Array(values.buffer, values.byteOffset, values.length);

/** The sums of score.ts's loop: 8 at a time into two f32 partial sums per block of 1024, each block's total (the
 * lanes added as horizontalSum adds them) into an f64, up to the last whole step; and the elements taken. */
function blockedPairSum(e) {
  const lanesTotal = (s) => f32(f32(s[0] + s[1]) + f32(s[2] + s[3]));
  let [sum, i] = [0, 0];
  while (i + 8 <= e.length) {
    const end = Math.min(e.length, i + 1024);
    const parts = [
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ];
    for (; i + 8 <= end; i += 8)
      for (let v = 0; v < 2; v++)
        for (let l = 0; l < 4; l++) {
          parts[v][l] = f32(parts[v][l] + e[i + 4 * v + l]);
        }
    sum += lanesTotal(parts[0].map((x, l) => f32(x + parts[1][l])));
  }
  return { sum, taken: i };
}

/** The failures of score.ts's loop at a temperature on row x: its e_j = exp(max((x_j − m)·scale, lowest)) are the
 * vector exp's, and its Σ e_j and Σ e_j·d_j are their blocked sums; without the entropy's sum, in the relaxed build,
 * Σ e_j is that of the exp with ln2 in one part. */
function scaledFailures(k, x, n, m, xAt, scratchAt, where, fused) {
  const failures = [];
  for (const scale of [1, 0.7, 3]) {
    const d = x.map((v) => Math.max(f32(f32(v - m) * f32(scale)), -3.4028234663852886e38));
    const view = new Float32Array(k.memory.buffer, scratchAt, n);
    view.set(d);
    k.expNonPositiveF32(scratchAt, n, 1, scratchAt);
    const e = view.slice();
    const sums = blockedPairSum(e);
    const expected = [sums.sum, blockedPairSum(e.map((v, j) => f32(v * d[j]))).sum, sums.taken];
    const got = [k.scaledExpSumsF32At(xAt, n, m, scale, 1), k.scaledGapSumF32(), k.scaledDoneF32()];
    if (!got.every((v, i) => same(v, expected[i])))
      failures.push(`${where}, scale ${scale}: Σe, Σe·d and the elements taken ${got}, not ${expected}`);
    const alone = k.scaledExpSumsF32At(xAt, n, m, scale, 0);
    const aloneExpected = fused ? blockedPairSum(d.map(onePartExp)).sum : sums.sum;
    if (!same(alone, aloneExpected)) failures.push(`${where}, scale ${scale}: Σe alone ${alone}, not ${aloneExpected}`);
  }
  return failures;
}

/**
 * The next row's bound, taken while the exps were kept: every element at most 86 below the row's max; and for such a
 * row, its exps without the clamp (`bounded`) have the vector exp's bits and the blocked sum.
 */
function boundedFailures(k, nextRow, n, nextAt, nextOutAt, shiftedAt, where, relaxed) {
  const max = nextRow.reduce((m, v) => Math.max(m, v), -Infinity);
  const bounded = relaxed && f32(nextRow.reduce((m, v) => Math.min(m, v), Infinity) - max) >= -86;
  if (k.sumAheadBoundedF32() !== Number(bounded)) return [`${where}: next row bounded ${k.sumAheadBoundedF32()}`];
  if (!bounded) return [];
  const view = (at) => new Float32Array(k.memory.buffer, at, n);
  const sum = k.rowSumExpF32At(nextAt, n, max, nextOutAt, 0, 1);
  view(shiftedAt).set(nextRow.map((v) => f32(v - max)));
  k.expNonPositiveF32(shiftedAt, n, 1, shiftedAt);
  const [e, exact] = [view(nextOutAt), view(shiftedAt)];
  const bad = e.findIndex((v, j) => !same(v, exact[j]));
  if (bad >= 0) return [`${where}: bounded exp(${nextRow[bad]} − ${max}) = ${e[bad]}, not ${exact[bad]}`];
  return same(sum, blockedSum(e)) ? [] : [`${where}: bounded sum ${sum}, the blocked sum of the exps ${blockedSum(e)}`];
}

/**
 * A row's exps kept without a next row (the exp pass where the scale pass reads ahead): the same exps and sum; then
 * that scale pass in each of its forms (a · e, a · e + b, a · e + b · w): each value rounded as rowScale, rowAffine
 * and rowAxpby round it, and the next row's max and bound, as the exp pass would take them; and the same max and bound
 * read alone (a row first in its call).
 */
function scaleAheadFailures(k, [x, e, sum], nextRow, [xAt, nextAt, outAt, wAt], where, relaxed) {
  const n = x.length;
  let shift = -Infinity; // the max, passing NaN over
  for (const v of x) if (v > shift) shift = v;
  const view = new Float32Array(k.memory.buffer, outAt, n);
  const alone = k.rowSumExpF32At(xAt, n, shift, outAt, 0, 0);
  const bad = view.findIndex((v, j) => !same(v, e[j]));
  if (bad >= 0) return [`${where}: exp ${bad} kept without a next row ${view[bad]}, not ${e[bad]}`];
  if (!same(alone, sum)) return [`${where}: sum kept without a next row ${alone}, not ${sum}`];
  const w = Float32Array.from({ length: n }, (_, j) => 0.5 + ((j * 37) % 11) / 7);
  new Float32Array(k.memory.buffer, wAt, n).set(w);
  const [a, b] = [f32(1 / sum), f32(-0.01 / 3)];
  const forms = [(v) => f32(v * a), (v) => f32(f32(v * a) + b), (v, j) => f32(f32(v * a) + f32(b * w[j]))];
  const max = nextRow.reduce((m, v) => Math.max(m, v), -Infinity);
  const bounded = relaxed && f32(nextRow.reduce((m, v) => Math.min(m, v), Infinity) - max) >= -86;
  for (const [mode, form] of forms.entries()) {
    view.set(e);
    k.rowScaleAheadF32At(outAt, n, a, b, wAt, nextAt, mode);
    const off = view.findIndex((v, j) => !same(v, form(e[j], j)));
    if (off >= 0) return [`${where}: form ${mode}, value ${off} ${view[off]}, not ${form(e[off], off)}`];
    if (!same(k.sumAheadMaxF32(), max)) return [`${where}: form ${mode}, next max ${k.sumAheadMaxF32()}, not ${max}`];
    if (k.sumAheadBoundedF32() !== Number(bounded)) return [`${where}: form ${mode}, bound ${k.sumAheadBoundedF32()}`];
  }
  k.rowBoundF32At(nextAt, n);
  if (!same(k.sumAheadMaxF32(), max)) return [`${where}: the row's max read alone ${k.sumAheadMaxF32()}, not ${max}`];
  const boundAlone = k.sumAheadBoundedF32();
  if (boundAlone !== Number(bounded)) return [`${where}: the row's bound read alone ${boundAlone}`];
  return [];
}

/** A row of n values: random, or with the values an exp must get right planted among them. */
function row(n, seed, family) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const values = Float32Array.from({ length: n }, () => (next() - 0.5) * (family === 'wide' ? 400 : 16));
  if (family === 'edges') {
    // a max of 0, so that each planted value is the exp's argument itself: around the clamp at −86, subnormal results
    const planted = [-Infinity, -1e38, -1e-40, -85.99, -86, -86.01, -87.5, -103.3, -104, -150, -0, 0];
    for (let j = 0; j < n; j++) values[j] = next() < 0.5 ? planted[Math.floor(next() * planted.length)] : -16 * next();
    if (n > 0) values[0] = 0;
  }
  // a max of 20 and a range of 86 at most (the exps need no clamp), or one float past it (−66's neighbour below)
  if (family === 'within 86' || family === 'past 86') {
    const lowest = family === 'within 86' ? -66 : -66.00000762939453;
    for (let j = 0; j < n; j++) values[j] = next() < 0.25 ? lowest : 20 - 86 * next();
    if (n > 0) values[Math.floor(next() * n)] = 20;
  }
  if (family === 'nan' && n > 0) values[Math.floor(next() * n)] = Number.NaN;
  // NaNs with payloads (quiet, negative, signalling), whose low bits an exp must not turn into a number
  const payloads = [0x7fc00001, 0xffc001ff, 0x7f800001, 0x7fc00100];
  if (family === 'nan payloads') for (const bits of payloads) if (n > 0) bitsOf(values)[Math.floor(next() * n)] = bits;
  return values;
}

const LENGTHS = [0, 1, 3, 4, 5, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, 257, 1000, 1023, 1024, 1025, 1040, 2049];

/** The failures (at most 20) of the build's row Σ exp, in words. */
export function sumExpFailures(build) {
  const bytes = readFileSync(new URL(`../../build/math/xentropy.${build}.wasm`, import.meta.url));
  const k = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { abort() {} } }).exports;
  const failures = [];
  const fail = (what) => failures.length < 20 && failures.push(what);
  for (const n of LENGTHS) {
    for (const family of ['plain', 'wide', 'edges', 'nan', 'nan payloads', 'within 86', 'past 86']) {
      const x = row(n, n * 7 + family.length, family);
      const nextRow = row(n, n * 13 + 1, family.startsWith('nan') ? 'plain' : family);
      let shift = -Infinity; // the max, passing NaN over
      for (const v of x) if (v > shift) shift = v;
      const base = k.scratch(20 * (n + 4)) >>> 0;
      const view = (at) => new Float32Array(k.memory.buffer, at, n);
      const [xAt, nextAt, outAt, shiftedAt, nextOutAt] = [0, 4, 8, 12, 16].map((a) => base + a * n + 16);
      view(xAt).set(x);
      view(nextAt).set(nextRow);
      view(shiftedAt).set(x.map((v) => f32(v - shift)));
      const where = `${build}, n ${n}, ${family}`;
      const stored = k.rowSumExpF32At(xAt, n, shift, outAt, nextAt, 0);
      const e = view(outAt).slice();
      k.expNonPositiveF32(shiftedAt, n, 1, shiftedAt);
      const exact = view(shiftedAt);
      const bad = e.findIndex((v, j) => !same(v, exact[j]));
      if (bad >= 0) fail(`${where}: stored exp(${x[bad]} − ${shift}) = ${e[bad]}, the vector exp gives ${exact[bad]}`);
      if (!same(stored, blockedSum(e))) fail(`${where}: sum ${stored}, the blocked sum of the exps ${blockedSum(e)}`);
      const nextMax = nextRow.reduce((m, v) => Math.max(m, v), -Infinity);
      if (!same(k.sumAheadMaxF32(), nextMax)) fail(`${where}: next row's max ${k.sumAheadMaxF32()}, not ${nextMax}`);
      const fused = build.startsWith('relaxed');
      for (const why of boundedFailures(k, nextRow, n, nextAt, nextOutAt, shiftedAt, where, fused)) fail(why);
      const alone = k.rowSumExpF32At(xAt, n, shift, 0, 0, 0);
      // (the last n mod 4 take Mathf.exp, as where the exps are kept)
      const vectorExp = (v, j) => (j < n - (n % 4) ? onePartExp(f32(v - shift)) : e[j]);
      const expected = fused ? blockedSum(x.map(vectorExp), true) : stored;
      if (!same(alone, expected)) fail(`${where}: the sum without stores ${alone}, not ${expected}`);
      for (const why of scaledFailures(k, x, n, shift, xAt, shiftedAt, where, fused)) fail(why);
      const at = [xAt, nextAt, nextOutAt, shiftedAt];
      for (const why of scaleAheadFailures(k, [x, e, stored], nextRow, at, where, fused)) fail(why);
    }
  }
  return failures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(sumExpFailures(process.argv[2])));
