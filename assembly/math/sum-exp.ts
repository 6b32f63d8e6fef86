// Σ_j exp(x_j − max) of an f32 row, and the exps themselves when they are kept (SIMD builds): the sum of the forward
// cross-entropy, logSumExp and logSoftmax, and the exps of softmax and the gradient; and the scoring rows' sums at a
// temperature (../kernels/score.ts). The same exp as ./exp.ts's expNonPositiveF32x4 and the same sums as before,
// bit for bit, faster (but a sum alone in the relaxed build, below):
// - the constants are loaded once, before the loop, into locals V8 keeps in registers: loaded at every use, as in
//   ./exp.ts, the loads were this loop's limit (bench/NOTES.md);
// - 2^n goes straight into the exponent bits of the polynomial's value (t's low bits shifted are n << 23), which
//   holds while e^x is normal: x ≥ −86 after a clamp. A NaN lane adds nothing there (a NaN's payload would have
//   made it a number). A vector with a lane below the clamp takes ./exp.ts's exp where the exps are kept; in a sum
//   alone such a lane gives about e^−86 (< 2^−124) instead of less, and the sum, which holds exp(0) = 1, comes out
//   the same.
// - A sum alone in the relaxed build (the forward, logSumExp, logSoftmax; the scoring rows without the entropy)
//   reduces with ln2 in one part, and the rows' loop adds into two partial sums, not four: 12 % faster, the
//   scoring rows' 1.2–1.35× (bench/NOTES.md). Its terms are off by n·1.9e−9 relative (n·ln2's
//   rounding), where a term is 2^n of the largest, so the sum is within about 4e−8 of the two-part one's; it is not
//   the gradient's sum bit for bit there, and test/runtimes/sum-exp.mjs holds it to its own reference.
// - Where the exps are kept (relaxed build), a row whose elements are all within 86 of its max, as the min read with
//   the next row's max shows, skips the clamp and the test for lanes below it: 1.1–1.2× faster, the same bits.
// - Where the exps are kept (relaxed build), rows of up to 2,560 elements, and every row of a call whose input spans
//   at most 1 MiB, leave the next row's max and min to the scale pass after them (rowScaleAheadF32): the exp loop
//   without them spills fewer registers, 1.02–1.08×. A row first in its call reads its own with its max
//   (rowBoundF32), so that it too can skip the clamp.

import {
  expNonPositiveF32x4, F32_NORMAL_CLAMP, f32ExpConstant, LN2_HI, LN2_LO, LOG2E, MAGIC, NORMAL_MIN, ONE, Q0,
} from './exp';
import { madd, nmadd } from './madd';
import { at, horizontalMax, horizontalSum } from './rows';

/** Elements per block of f32 partial sums, each block's total added into the f64 sum (as sumExpOf's). */
// @ts-ignore: decorator
@inline const BLOCK: i32 = 1024;
/** A sum alone in the relaxed build adds into two partial sums per step of 16 (four otherwise). */
// @ts-ignore: decorator
@inline const PAIRED_SUMS = ASC_FEATURE_RELAXED_SIMD;

/** The max of the row `next` that the last rowSumExpF32 took (−inf without one). */
export let sumAheadMax: f32 = 0;
/**
 * Whether the last rowSumExpF32 kept its exps and found every element of the row `next` at most 86 below its max
 * (x − max ≥ −86 in f32), so that that row's exps, shifted by that max, need no clamp: rowSumExpF32's `bounded`.
 */
export let sumAheadBounded = false;
/** Bounded rows skip the clamp in the relaxed build (in the plain SIMD build, 4 % for 0.35 KB gzipped: not taken). */
// @ts-ignore: decorator
@inline const BOUNDED_ROWS = ASC_FEATURE_RELAXED_SIMD;
/**
 * Rows of up to this many elements whose exps are kept read the next row's max and min in their scale pass
 * (rowScaleAheadF32), not in the exp pass, as do the rows of a call whose input spans at most CACHED_CALL_BYTES
 * (relaxed build; the download budget keeps the SIMD build as it was): ./rows.ts's scaleReadsAhead.
 */
// @ts-ignore: decorator
@inline export const SCALE_AHEAD_MAX: i32 = 2560;
// @ts-ignore: decorator
@inline export const CACHED_CALL_BYTES: i64 = 1 << 20;
// @ts-ignore: decorator
@inline export const SCALE_READS_AHEAD = ASC_FEATURE_RELAXED_SIMD;

/**
 * exp(d) for d ≤ 0 or NaN, the constants in locals; below the clamp about e^−86, unless `exact`: then a vector with
 * a lane below it takes expNonPositiveF32x4, so that every lane has that exp's bits. In the relaxed build (fused
 * multiply-adds) `magic` is the rounding magic plus 127, so that t's low bits shifted are 2^n itself, a multiply
 * (exact: the result is normal) in place of the integer add; and without `exact`, ln2High is ln2 in one part: the
 * fused n·ln2 is rounded once, off by n·1.9e−9 relative (≤ 2.4e−7 at n = −124, on a term below 2^−123). With
 * `bounded` (every d ≥ −86: the clamp would change no lane) there is neither clamp nor test.
 */
// @ts-ignore: decorator
@inline export function expTerm(
  d: v128, exact: bool, bounded: bool, clamp: v128, log2e: v128, magic: v128, ln2High: v128, ln2Low: v128,
  c6: v128, c5: v128, c4: v128, c3: v128, c2: v128, one: v128,
): v128 {
  const clamped = bounded ? d : f32x4.pmax(d, clamp);
  const t = madd<f32>(clamped, log2e, magic);
  const n = f32x4.sub(t, magic);
  const high = nmadd<f32>(n, ln2High, clamped);
  const r = ASC_FEATURE_RELAXED_SIMD && !exact ? high : nmadd<f32>(n, ln2Low, high);
  let q = madd<f32>(c6, r, c5);
  q = madd<f32>(q, r, c4);
  q = madd<f32>(q, r, c3);
  q = madd<f32>(q, r, c2);
  q = madd<f32>(q, r, one);
  let e: v128;
  // a NaN lane stays NaN: its payload's low bits, shifted into t's exponent field or added, would make it a number,
  // so the multiply takes them with a NaN, and the add after min_u drops them (t ≤ magic as bits but in NaN lanes)
  if (ASC_FEATURE_RELAXED_SIMD) e = f32x4.mul(madd<f32>(q, r, one), i32x4.shl(t, 23));
  else e = i32x4.add(madd<f32>(q, r, one), i32x4.shl(i32x4.min_u(t, magic), 23));
  if (exact && !bounded && v128.any_true(f32x4.lt(d, clamp))) e = expNonPositiveF32x4(d);
  return e;
}

/**
 * expTerm's magic and ln2 (high part) for this build: in the relaxed build the magic plus 127, and ln2 in one part
 * (high + low, rounded) where `exact` is false.
 */
// @ts-ignore: decorator
@inline export function termMagic(): v128 {
  const magic = f32ExpConstant(MAGIC);
  return ASC_FEATURE_RELAXED_SIMD ? i32x4.add(magic, i32x4.splat(127)) : magic;
}

// @ts-ignore: decorator
@inline export function termLn2High(exact: bool): v128 {
  const high = f32ExpConstant(LN2_HI);
  return ASC_FEATURE_RELAXED_SIMD && !exact ? f32x4.add(high, f32ExpConstant(LN2_LO)) : high;
}

// @ts-ignore: decorator
@inline function horizontalMin(v: v128): f32 {
  const low01 = min(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1));
  return min(low01, min(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/** The running max and min of the next row, with four more vectors of it. */
// @ts-ignore: decorator
@inline function max4(m: v128, q0: v128, q1: v128, q2: v128, q3: v128): v128 {
  return f32x4.pmax(m, f32x4.pmax(f32x4.pmax(q0, q1), f32x4.pmax(q2, q3)));
}

// @ts-ignore: decorator
@inline function min4(m: v128, q0: v128, q1: v128, q2: v128, q3: v128): v128 {
  return f32x4.pmin(m, f32x4.pmin(f32x4.pmin(q0, q1), f32x4.pmin(q2, q3)));
}

/** The next row's max and bound, read by a pass that kept exps (`withMin`), for sumAheadMax and sumAheadBounded. */
// @ts-ignore: decorator
@inline function setAhead(m: f32, low: f32, next: usize, withMin: bool): void {
  sumAheadMax = m;
  // (f32.min takes a NaN lane; a NaN that pmin passed over may hide a lower value, but that row's sum is NaN, and so
  // is every value scaled from its exps)
  sumAheadBounded = BOUNDED_ROWS && withMin && next != 0 && low - m >= F32_NORMAL_CLAMP;
}

// @ts-ignore: decorator
@inline function sumExpLoop(
  x: usize, n: i32, shift: f32, out: usize, next: usize, keep: bool, bounded: bool, ahead: bool = true,
): f64 {
  const clamp = f32ExpConstant(NORMAL_MIN), log2e = f32ExpConstant(LOG2E), magic = termMagic();
  const ln2High = termLn2High(keep), ln2Low = f32ExpConstant(LN2_LO), one = f32ExpConstant(ONE);
  const c6 = f32ExpConstant(Q0), c5 = f32ExpConstant(Q0 + 1), c4 = f32ExpConstant(Q0 + 2);
  const c3 = f32ExpConstant(Q0 + 3), c2 = f32ExpConstant(Q0 + 4);
  const shiftV = f32x4.splat(shift);
  const paired = PAIRED_SUMS && !keep;
  let nextMax = f32x4.splat(-Infinity);
  let nextMin = f32x4.splat(Infinity);
  let sum: f64 = 0;
  let i = 0;
  while (i + 16 <= n) {
    const blockEnd = min(n, i + BLOCK);
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    for (; i + 16 <= blockEnd; i += 16) {
      const p = at<f32>(x, i);
      if (ahead && next) {
        const q = at<f32>(next, i);
        const q0 = v128.load(q), q1 = v128.load(q, 16), q2 = v128.load(q, 32), q3 = v128.load(q, 48);
        nextMax = max4(nextMax, q0, q1, q2, q3);
        if (BOUNDED_ROWS && keep) nextMin = min4(nextMin, q0, q1, q2, q3);
      }
      const d0 = f32x4.sub(v128.load(p), shiftV);
      const d1 = f32x4.sub(v128.load(p, 16), shiftV);
      const d2 = f32x4.sub(v128.load(p, 32), shiftV);
      const d3 = f32x4.sub(v128.load(p, 48), shiftV);
      const e0 = expTerm(d0, keep, bounded, clamp, log2e, magic, ln2High, ln2Low, c6, c5, c4, c3, c2, one);
      const e1 = expTerm(d1, keep, bounded, clamp, log2e, magic, ln2High, ln2Low, c6, c5, c4, c3, c2, one);
      const e2 = expTerm(d2, keep, bounded, clamp, log2e, magic, ln2High, ln2Low, c6, c5, c4, c3, c2, one);
      const e3 = expTerm(d3, keep, bounded, clamp, log2e, magic, ln2High, ln2Low, c6, c5, c4, c3, c2, one);
      if (keep) {
        const o = at<f32>(out, i);
        v128.store(o, e0);
        v128.store(o, e1, 16);
        v128.store(o, e2, 32);
        v128.store(o, e3, 48);
      }
      if (paired) {
        s0 = f32x4.add(f32x4.add(s0, e0), e2);
        s1 = f32x4.add(f32x4.add(s1, e1), e3);
      } else {
        s0 = f32x4.add(s0, e0);
        s1 = f32x4.add(s1, e1);
        s2 = f32x4.add(s2, e2);
        s3 = f32x4.add(s3, e3);
      }
    }
    sum += <f64>horizontalSum<f32>(paired ? f32x4.add(s0, s1) : f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)));
  }
  while (i + 4 <= n) {
    const blockEnd = min(n, i + BLOCK / 4);
    let s0 = f32x4.splat(0);
    for (; i + 4 <= blockEnd; i += 4) {
      if (ahead && next) {
        const q = v128.load(at<f32>(next, i));
        nextMax = f32x4.pmax(nextMax, q);
        if (BOUNDED_ROWS && keep) nextMin = f32x4.pmin(nextMin, q);
      }
      const d = f32x4.sub(v128.load(at<f32>(x, i)), shiftV);
      const e = expTerm(d, keep, bounded, clamp, log2e, magic, ln2High, ln2Low, c6, c5, c4, c3, c2, one);
      if (keep) v128.store(at<f32>(out, i), e);
      s0 = f32x4.add(s0, e);
    }
    sum += <f64>horizontalSum<f32>(s0);
  }
  let m = horizontalMax<f32>(nextMax);
  let low = horizontalMin(nextMin);
  for (; i < n; i++) {
    if (ahead && next) {
      const v = load<f32>(at<f32>(next, i));
      m = max<f32>(m, v);
      if (BOUNDED_ROWS && keep) low = min<f32>(low, v);
    }
    const e = Mathf.exp(load<f32>(at<f32>(x, i)) - shift);
    if (keep) store<f32>(at<f32>(out, i), e);
    sum += <f64>e;
  }
  setAhead(m, low, next, keep);
  return sum;
}

/**
 * Σ_j exp(x_j − shift) over n f32 elements, shift their max, as an f64 (not rounded to f32), and out_j =
 * exp(x_j − shift) when `out` is not 0: ./rows.ts's rowSumExp<f32>, bit for bit. With `next` not 0 it also takes
 * the max of the n elements there into sumAheadMax, while the exps compute (one partial max, not rowMax's four:
 * the same value, except that a NaN may be passed over differently, where the row's sum is NaN anyway), and where it
 * keeps the exps, whether that row is bounded (sumAheadBounded). With `bounded` (this row's: every x_j − shift ≥
 * −86) the exps skip the clamp and its test for lanes below it, 1.1–1.2× faster and the same bits (bench/NOTES.md).
 * Kept exps without `next` (relaxed build) take a loop compiled without the lookahead, which spills fewer registers.
 */
export function rowSumExpF32(x: usize, n: i32, shift: f32, out: usize, next: usize, bounded: bool): f64 {
  if (!out) return sumExpLoop(x, n, shift, 0, next, false, false);
  if (SCALE_READS_AHEAD && !next) {
    if (bounded) return sumExpLoop(x, n, shift, out, 0, true, true, false);
    return sumExpLoop(x, n, shift, out, 0, true, false, false);
  }
  if (BOUNDED_ROWS && bounded) return sumExpLoop(x, n, shift, out, next, true, true);
  return sumExpLoop(x, n, shift, out, next, true, false);
}

/** Σ_j e_j·d_j of the last scaledExpSumsF32 (with `entropy`), and the elements it took. */
export let scaledGapSum: f64 = 0;
export let scaledDone: i32 = 0;

/**
 * ../kernels/score.ts's vector loop in f32, its constants in registers: over whole steps of 8 elements of `row`,
 * d_j = max((z_j − m) · scale, lowest) and e_j = exp(d_j) (./exp.ts's vector exp, bit for bit); returns Σ e_j, with
 * `entropy` Σ e_j·d_j into scaledGapSum, and the elements taken into scaledDone. Two partial sums per block of 1024,
 * each block's total added in f64: that loop's sums, bit for bit; but without `entropy` in the relaxed build, a sum
 * alone: its exp reduces with ln2 in one part, as rowSumExpF32's sum alone, and a lane below the clamp adds e^−86.
 */
export function scaledExpSumsF32(row: usize, n: i32, m: f32, scale: f32, entropy: bool): f64 {
  if (ASC_FEATURE_RELAXED_SIMD && !entropy) return scaledSumsLoop(row, n, m, scale, false, false);
  return scaledSumsLoop(row, n, m, scale, entropy, true);
}

// @ts-ignore: decorator
@inline function scaledSumsLoop(row: usize, n: i32, m: f32, scale: f32, entropy: bool, exact: bool): f64 {
  const clamp = f32ExpConstant(NORMAL_MIN), log2e = f32ExpConstant(LOG2E), magic = termMagic();
  const ln2High = termLn2High(exact), ln2Low = f32ExpConstant(LN2_LO), one = f32ExpConstant(ONE);
  const c6 = f32ExpConstant(Q0), c5 = f32ExpConstant(Q0 + 1), c4 = f32ExpConstant(Q0 + 2);
  const c3 = f32ExpConstant(Q0 + 3), c2 = f32ExpConstant(Q0 + 4);
  const mV = f32x4.splat(m), scaleV = f32x4.splat(scale), lowestV = f32x4.splat(-3.4028234663852886e38);
  let s: f64 = 0, g: f64 = 0;
  let j = 0;
  while (j + 8 <= n) {
    const blockEnd = min(n, j + BLOCK);
    let s0 = f32x4.splat(0), s1 = s0, g0 = s0, g1 = s0;
    for (; j + 8 <= blockEnd; j += 8) {
      const p = at<f32>(row, j);
      // (a sum alone leaves −inf to the exp's clamp, which takes it as it takes lowest)
      let d0 = f32x4.mul(f32x4.sub(v128.load(p), mV), scaleV);
      let d1 = f32x4.mul(f32x4.sub(v128.load(p, 16), mV), scaleV);
      if (exact) {
        d0 = f32x4.pmax(d0, lowestV);
        d1 = f32x4.pmax(d1, lowestV);
      }
      const e0 = expTerm(d0, exact, false, clamp, log2e, magic, ln2High, ln2Low, c6, c5, c4, c3, c2, one);
      const e1 = expTerm(d1, exact, false, clamp, log2e, magic, ln2High, ln2Low, c6, c5, c4, c3, c2, one);
      s0 = f32x4.add(s0, e0);
      s1 = f32x4.add(s1, e1);
      if (entropy) {
        g0 = f32x4.add(g0, f32x4.mul(e0, d0));
        g1 = f32x4.add(g1, f32x4.mul(e1, d1));
      }
    }
    s += <f64>horizontalSum<f32>(f32x4.add(s0, s1));
    g += <f64>horizontalSum<f32>(f32x4.add(g0, g1));
  }
  scaledGapSum = g;
  scaledDone = j;
  return s;
}

/**
 * The scale pass's forms: y_j = a · y_j; a · y_j + b (label smoothing); a · y_j + b · w_j (and class weights); and
 * none, the next row read alone (rowBoundF32).
 */
// @ts-ignore: decorator
@inline export const SCALE = 0, AFFINE = 1, AXPBY = 2, READ = 3;

// @ts-ignore: decorator
@inline function scaledVector(mode: i32, aV: v128, bV: v128, y: v128, w: usize): v128 {
  const ay = f32x4.mul(aV, y);
  if (mode == SCALE) return ay;
  return f32x4.add(ay, mode == AFFINE ? bV : f32x4.mul(bV, v128.load(w)));
}

// @ts-ignore: decorator
@inline function scaledScalar(mode: i32, a: f32, b: f32, y: f32, w: usize): f32 {
  if (mode == SCALE) return a * y;
  return a * y + (mode == AFFINE ? b : b * load<f32>(w));
}

/**
 * ./rows.ts's rowScale (rowAffine, rowAxpby for `mode`: the same bits), where the exp pass that wrote y was given no
 * next row: this pass reads the max of the n elements at `next` into sumAheadMax, and whether that row is bounded
 * into sumAheadBounded, as rowSumExpF32 would have (the same partial max, the same value).
 */
export function rowScaleAheadF32(y: usize, n: i32, a: f32, b: f32, w: usize, next: usize, mode: i32): void {
  if (mode == SCALE) scaleAheadLoop(y, n, a, b, w, next, SCALE);
  else if (mode == AFFINE) scaleAheadLoop(y, n, a, b, w, next, AFFINE);
  else scaleAheadLoop(y, n, a, b, w, next, AXPBY);
}

/**
 * The max of the n elements at x into sumAheadMax, and whether the row is bounded into sumAheadBounded, as the pass
 * before it would read them: for a row first in its call whose exps will be kept.
 */
export function rowBoundF32(x: usize, n: i32): void {
  scaleAheadLoop(0, n, 0, 0, 0, x, READ);
}

// @ts-ignore: decorator
@inline function scaleAheadLoop(y: usize, n: i32, a: f32, b: f32, w: usize, next: usize, mode: i32): void {
  const aV = f32x4.splat(a), bV = f32x4.splat(b);
  let nextMax = f32x4.splat(-Infinity);
  let nextMin = f32x4.splat(Infinity);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = at<f32>(y, i), u = at<f32>(w, i);
    if (next) {
      const q = at<f32>(next, i);
      const q0 = v128.load(q), q1 = v128.load(q, 16), q2 = v128.load(q, 32), q3 = v128.load(q, 48);
      nextMax = max4(nextMax, q0, q1, q2, q3);
      if (BOUNDED_ROWS) nextMin = min4(nextMin, q0, q1, q2, q3);
    }
    if (mode == READ) continue;
    v128.store(p, scaledVector(mode, aV, bV, v128.load(p), u));
    v128.store(p, scaledVector(mode, aV, bV, v128.load(p, 16), u + 16), 16);
    v128.store(p, scaledVector(mode, aV, bV, v128.load(p, 32), u + 32), 32);
    v128.store(p, scaledVector(mode, aV, bV, v128.load(p, 48), u + 48), 48);
  }
  for (; i + 4 <= n; i += 4) {
    const p = at<f32>(y, i);
    if (next) {
      const q = v128.load(at<f32>(next, i));
      nextMax = f32x4.pmax(nextMax, q);
      if (BOUNDED_ROWS) nextMin = f32x4.pmin(nextMin, q);
    }
    if (mode != READ) v128.store(p, scaledVector(mode, aV, bV, v128.load(p), at<f32>(w, i)));
  }
  let m = horizontalMax<f32>(nextMax);
  let low = horizontalMin(nextMin);
  for (; i < n; i++) {
    if (next) {
      const v = load<f32>(at<f32>(next, i));
      m = max<f32>(m, v);
      if (BOUNDED_ROWS) low = min<f32>(low, v);
    }
    const p = at<f32>(y, i);
    if (mode != READ) store<f32>(p, scaledScalar(mode, a, b, load<f32>(p), at<f32>(w, i)));
  }
  setAhead(m, low, next, true);
}
