// Row passes shared by the kernels: one pass over a contiguous row of n elements of T (f32 or f64).
// Each pass has the same shape: under ASC_FEATURE_SIMD an unrolled vector loop (reductions keep four
// independent accumulators), a one-vector loop, then a scalar tail; the scalar build is the tail alone
// run over the whole row, which is also the plain reference the SIMD path is tested against.

import { expNonPositiveVector, expScalar, expVector } from './exp';
import {
  AFFINE, CACHED_CALL_BYTES, rowBoundF32, rowScaleAheadF32, rowSumExpF32, SCALE, SCALE_AHEAD_MAX, SCALE_READS_AHEAD,
  sumAheadBounded, sumAheadMax,
} from './sum-exp';
import { sech2Scalar, sech2Vector, tanhScalar, tanhVector } from './tanh';

// @ts-ignore: decorator
@inline export function lanes<T>(): i32 {
  return 16 / sizeof<T>();
}

/** Byte address of element i of an array of T at base. */
// @ts-ignore: decorator
@inline export function at<T>(base: usize, i: i32): usize {
  return base + (<usize>i << alignof<T>());
}

/** dst[j] += src[j] for j in [0, n): one add of T per element. */
// @ts-ignore: decorator
@inline export function addInto<T>(dst: usize, src: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + lanes<T>() <= n; j += lanes<T>()) {
      const q = at<T>(dst, j);
      v128.store(q, v128.add<T>(v128.load(q), v128.load(at<T>(src, j))));
    }
  }
  for (; j < n; j++) {
    const q = at<T>(dst, j);
    store<T>(q, load<T>(q) + load<T>(at<T>(src, j)));
  }
}

/**
 * (x − m) · scale, the max-shifted logit at temperature 1 / scale; where x − m overflows to −inf (|x − m| beyond
 * the dtype's range) but x / T − m / T does not, x · scale − m · scale.
 */
// @ts-ignore: decorator
@inline export function scaledGap<T>(x: T, m: T, scale: T): T {
  const d = (x - m) * scale;
  return d == <T>-Infinity && x != <T>-Infinity && scale < 1 ? x * scale - m * scale : d;
}

/** A compensated sum's value: sum + compensation, or sum alone once it is ±inf or NaN. */
// @ts-ignore: decorator
@inline export function withCompensation(sum: f64, compensation: f64): f64 {
  return isFinite(sum) ? sum + compensation : sum;
}

/** Elements per block of partial sums in rowSumExp (SIMD path). */
// @ts-ignore: decorator
@inline const SUM_BLOCK: i32 = 1024;

// @ts-ignore: decorator
@inline export function horizontalMax<T>(v: v128): T {
  if (sizeof<T>() == 4) {
    return <T>max(
      max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)),
      max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)),
    );
  }
  return <T>max(f64x2.extract_lane(v, 0), f64x2.extract_lane(v, 1));
}

// @ts-ignore: decorator
@inline export function horizontalSum<T>(v: v128): T {
  if (sizeof<T>() == 4) {
    const low = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1);
    return <T>(low + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3)));
  }
  return <T>(f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1));
}

/**
 * max_j x_j, the shift of every exp (−inf for n = 0). The vector loop uses pmax (one instruction, where
 * max is a NaN-propagating sequence), so a NaN lane may be passed over: the row's outputs are NaN
 * anyway, since exp(NaN − m) makes the sum of exps NaN.
 */
export function rowMax<T>(x: usize, n: i32): T {
  let m = <T>-Infinity;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const L = lanes<T>();
    if (n >= L) {
      let m0 = v128.splat<T>(m), m1 = m0, m2 = m0, m3 = m0;
      for (; sizeof<T>() == 4 && i + 4 * L <= n; i += 4 * L) {
        const p = at<T>(x, i);
        m0 = v128.pmax<T>(m0, v128.load(p));
        m1 = v128.pmax<T>(m1, v128.load(p, 16));
        m2 = v128.pmax<T>(m2, v128.load(p, 32));
        m3 = v128.pmax<T>(m3, v128.load(p, 48));
      }
      for (; i + L <= n; i += L) m0 = v128.pmax<T>(m0, v128.load(at<T>(x, i)));
      m = horizontalMax<T>(v128.max<T>(v128.max<T>(m0, m1), v128.max<T>(m2, m3)));
    }
  }
  for (; i < n; i++) m = max<T>(m, load<T>(at<T>(x, i)));
  return m;
}

/**
 * rowMax<T> of a row first in its call (or after one that did not read it ahead) whose exps will be kept: in the
 * relaxed build it also reads whether the row is bounded (keptRowBounded), as the pass before it would have, so that
 * the row's exps need no clamp either (the max the same, but for a NaN, where the row's outputs are NaN anyway).
 */
// @ts-ignore: decorator
@inline export function rowMaxKept<T>(x: usize, n: i32): T {
  if (SCALE_READS_AHEAD && sizeof<T>() == 4) {
    rowBoundF32(x, n);
    aheadBounded = sumAheadBounded;
    return <T>sumAheadMax;
  }
  return rowMax<T>(x, n);
}

/** Whether the row of the last rowMaxKept is bounded (rowSumExp's `bounded`; false but in the relaxed build). */
// @ts-ignore: decorator
@inline export function keptRowBounded(): bool {
  return SCALE_READS_AHEAD && aheadBounded;
}

/** How a row pass sees x_j: as it is, (x_j − shift) · a (a temperature), or a · tanh(x_j · b) (a softcap). */
// @ts-ignore: decorator
@inline export const PLAIN: i32 = 0;
// @ts-ignore: decorator
@inline export const SCALED: i32 = 1;
// @ts-ignore: decorator
@inline export const CAPPED: i32 = 2;

/** The logit minus the shift, as `mode` sees it (a, b: the scale, or the cap and its inverse). */
// @ts-ignore: decorator
@inline function shiftedVector<T>(v: v128, shift: v128, mode: i32, a: v128, b: v128): v128 {
  if (mode == CAPPED) return v128.sub<T>(v128.mul<T>(a, tanhVector<T>(v128.mul<T>(v, b))), shift);
  const d = v128.sub<T>(v, shift);
  return mode == SCALED ? v128.mul<T>(d, a) : d;
}

// @ts-ignore: decorator
@inline function shiftedScalar<T>(v: T, shift: T, mode: i32, a: T, b: T): T {
  if (mode == CAPPED) return a * tanhScalar<T>(v * b) - shift;
  return mode == SCALED ? (v - shift) * a : v - shift;
}

/** A softcapped logit c · tanh(x / c), with invCap = 1 / c. */
// @ts-ignore: decorator
@inline export function softcapScalar<T>(x: T, cap: T, invCap: T): T {
  return cap * tanhScalar<T>(x * invCap);
}

/**
 * Σ_j exp(x_j − shift); when `out` is not 0 it also stores out_j = exp(x_j − shift) (x_j as `mode` sees
 * it). `anySign` allows x_j − shift > 0 (torch.logsumexp's shift of 0 for an infinite max, or a shift
 * that is a rounded log-sum-exp); otherwise shift is the row's max.
 * The SIMD path keeps 4·L partial sums of T over blocks of SUM_BLOCK elements and adds each block's
 * total into an f64 sum; the scalar path adds every term into an f64 sum, compensated (Neumaier) for
 * f64 data. Either way long rows (C = 32000 and more) lose no more than a few ulps.
 */
// @ts-ignore: decorator
@inline function expOfShifted<T>(v: v128, shift: v128, anySign: bool, mode: i32, a: v128, b: v128): v128 {
  const d = shiftedVector<T>(v, shift, mode, a, b);
  return anySign ? expVector<T>(d) : expNonPositiveVector<T>(d);
}

// @ts-ignore: decorator
@inline function sumExpOf<T>(
  x: usize, n: i32, shift: T, out: usize, anySign: bool, mode: i32, a: T, b: T, next: usize,
): f64 {
  let i = 0;
  let sum: f64 = 0;
  let compensation: f64 = 0;
  // the next row's max as rowMax<T>(next, n) takes it: the same accumulators in the same order
  let nextMax = <T>-Infinity;
  if (ASC_FEATURE_SIMD) {
    const L = lanes<T>();
    const shiftV = v128.splat<T>(shift);
    const aV = v128.splat<T>(a);
    const bV = v128.splat<T>(b);
    let m0 = v128.splat<T>(nextMax), m1 = m0, m2 = m0, m3 = m0;
    // four vectors at a time, but for a softcap: its tanh keeps the core busy one vector at a time (half the code,
    // for the download budget; ~5 % slower)
    while (mode != CAPPED && sizeof<T>() == 4 && i + 4 * L <= n) {
      const blockEnd = min(n, i + SUM_BLOCK);
      let s0 = v128.splat<T>(0), s1 = s0, s2 = s0, s3 = s0;
      for (; i + 4 * L <= blockEnd; i += 4 * L) {
        const p = at<T>(x, i);
        if (next) {
          const q = at<T>(next, i);
          m0 = v128.pmax<T>(m0, v128.load(q));
          m1 = v128.pmax<T>(m1, v128.load(q, 16));
          m2 = v128.pmax<T>(m2, v128.load(q, 32));
          m3 = v128.pmax<T>(m3, v128.load(q, 48));
        }
        const e0 = expOfShifted<T>(v128.load(p), shiftV, anySign, mode, aV, bV);
        const e1 = expOfShifted<T>(v128.load(p, 16), shiftV, anySign, mode, aV, bV);
        const e2 = expOfShifted<T>(v128.load(p, 32), shiftV, anySign, mode, aV, bV);
        const e3 = expOfShifted<T>(v128.load(p, 48), shiftV, anySign, mode, aV, bV);
        if (out) {
          const q = at<T>(out, i);
          v128.store(q, e0);
          v128.store(q, e1, 16);
          v128.store(q, e2, 32);
          v128.store(q, e3, 48);
        }
        s0 = v128.add<T>(s0, e0);
        s1 = v128.add<T>(s1, e1);
        s2 = v128.add<T>(s2, e2);
        s3 = v128.add<T>(s3, e3);
      }
      sum += <f64>horizontalSum<T>(v128.add<T>(v128.add<T>(s0, s1), v128.add<T>(s2, s3)));
    }
    // one vector at a time: the rest of the row, or all of a softcapped one (one partial sum per lane: blocks of a
    // quarter as many elements, for as many terms per partial sum as above)
    while (i + L <= n) {
      const blockEnd = min(n, i + SUM_BLOCK / 4);
      let s0 = v128.splat<T>(0);
      for (; i + L <= blockEnd; i += L) {
        const e = expOfShifted<T>(v128.load(at<T>(x, i)), shiftV, anySign, mode, aV, bV);
        if (out) v128.store(at<T>(out, i), e);
        if (next) m0 = v128.pmax<T>(m0, v128.load(at<T>(next, i)));
        s0 = v128.add<T>(s0, e);
      }
      sum += <f64>horizontalSum<T>(s0);
    }
    if (next && n >= L) nextMax = horizontalMax<T>(v128.max<T>(v128.max<T>(m0, m1), v128.max<T>(m2, m3)));
  }
  for (; i < n; i++) {
    if (next) nextMax = max<T>(nextMax, load<T>(at<T>(next, i)));
    const e = expScalar<T>(shiftedScalar<T>(load<T>(at<T>(x, i)), shift, mode, a, b));
    if (out) store<T>(at<T>(out, i), e);
    if (sizeof<T>() == 8) {
      const t = sum + <f64>e;
      compensation += abs(sum) >= abs(<f64>e) ? sum - t + <f64>e : <f64>e - t + sum;
      sum = t;
    } else {
      sum += <f64>e;
    }
  }
  if (next) aheadMax = <f64>nextMax;
  return withCompensation(sum, compensation);
}

/** The max of the row a pass was given as `next`, exact in f64 (f32 widens exactly). */
let aheadMax: f64 = 0;

/**
 * rowMax<T> of the row whose address the last rowSumExp got as `next` (not 0). Each pass reads the next row
 * while its exps compute, so the max pass no longer waits on memory by itself (bench/NOTES.md).
 */
export function takeAheadMax<T>(): T {
  return <T>aheadMax;
}

/** Whether that row, shifted by its max, needs no clamp in its exps: rowSumExp's `bounded` for it. */
let aheadBounded = false;
export function takeAheadBounded(): bool {
  return aheadBounded;
}

/**
 * Σ_j exp(x_j − shift) with shift = the row's max (every x_j − shift ≤ 0 or NaN: the fast exp), as the f64 sum (not
 * rounded to T); with `next` not 0 it also takes the max of the n elements there, for takeAheadMax. f32 rows in the
 * SIMD builds take ./sum-exp.ts's loop: the same bits, faster (but a sum alone in the relaxed build: see there).
 */
export function rowSumExp<T>(x: usize, n: i32, shift: T, out: usize, next: usize, bounded: bool = false): f64 {
  if (ASC_FEATURE_SIMD && sizeof<T>() == 4) {
    const sum = rowSumExpF32(x, n, <f32>shift, out, next, bounded);
    if (next) aheadMax = <f64>sumAheadMax;
    aheadBounded = sumAheadBounded;
    return sum;
  }
  aheadBounded = false;
  return sumExpOf<T>(x, n, shift, out, false, PLAIN, 1, 1, next);
}

/** Σ_j exp((x_j − shift) · scale), scale > 0 and shift the row's max (a softmax at temperature 1 / scale), as the
 * f64 sum (not rounded to T). */
export function rowSumExpScaledWide<T>(x: usize, n: i32, shift: T, scale: T, out: usize): f64 {
  return sumExpOf<T>(x, n, shift, out, false, SCALED, scale, 1, 0); // (· 1 is exact: no separate unscaled copy)
}

/** rowSumExp for any shift (x_j − shift may be positive or +inf), as the f64 sum (not rounded to T). */
export function rowSumExpAnySign<T>(x: usize, n: i32, shift: T, out: usize): f64 {
  return sumExpOf<T>(x, n, shift, out, true, PLAIN, 1, 1, 0);
}

/** rowSumExpAnySign of the softcapped row cap · tanh(x_j · invCap). */
export function rowSumExpCapped<T>(x: usize, n: i32, shift: T, cap: T, invCap: T, out: usize): T {
  return <T>sumExpOf<T>(x, n, shift, out, true, CAPPED, cap, invCap, 0);
}

/**
 * Σ_j w_j · (x_j − shift), or Σ_j (x_j − shift) when `w` is 0; summed like rowSumExp (f64 across
 * blocks, compensated in the scalar f64 path).
 */
export function rowWeightedSumShifted<T>(x: usize, w: usize, n: i32, shift: T): T {
  return weightedSumOf<T>(x, w, n, shift, PLAIN, 1, 1);
}

/** rowWeightedSumShifted of the softcapped row cap · tanh(x_j · invCap). */
export function rowWeightedSumCapped<T>(x: usize, w: usize, n: i32, shift: T, cap: T, invCap: T): T {
  return weightedSumOf<T>(x, w, n, shift, CAPPED, cap, invCap);
}

// @ts-ignore: decorator
@inline function weightedSumOf<T>(x: usize, w: usize, n: i32, shift: T, mode: i32, a: T, b: T): T {
  let i = 0;
  let sum: f64 = 0;
  let compensation: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    const L = lanes<T>();
    const shiftV = v128.splat<T>(shift);
    const aV = v128.splat<T>(a);
    const bV = v128.splat<T>(b);
    const one = v128.splat<T>(1);
    const U = sizeof<T>() == 4 ? 2 : 1; // vectors per step: float64 takes one (the download budget)
    while (i + U * L <= n) {
      const blockEnd = min(n, i + SUM_BLOCK);
      let s0 = v128.splat<T>(0), s1 = s0;
      for (; i + U * L <= blockEnd; i += U * L) {
        const p = at<T>(x, i);
        const q = at<T>(w, i);
        const d0 = shiftedVector<T>(v128.load(p), shiftV, mode, aV, bV);
        s0 = v128.add<T>(s0, v128.mul<T>(w ? v128.load(q) : one, d0));
        if (U == 2) {
          const d1 = shiftedVector<T>(v128.load(p, 16), shiftV, mode, aV, bV);
          s1 = v128.add<T>(s1, v128.mul<T>(w ? v128.load(q, 16) : one, d1));
        }
      }
      sum += <f64>horizontalSum<T>(v128.add<T>(s0, s1));
    }
  }
  for (; i < n; i++) {
    const d = shiftedScalar<T>(load<T>(at<T>(x, i)), shift, mode, a, b);
    const v = <f64>(w ? load<T>(at<T>(w, i)) * d : d);
    if (sizeof<T>() == 8) {
      const t = sum + v;
      compensation += abs(sum) >= abs(v) ? sum - t + v : v - t + sum;
      sum = t;
    } else {
      sum += v;
    }
  }
  return <T>withCompensation(sum, compensation);
}

/** y_j = y_j · sech²(x_j · invCap), in place: the chain rule through a softcap cap · tanh(x · invCap). */
export function rowTimesSoftcapSlope<T>(y: usize, x: usize, n: i32, invCap: T): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const L = lanes<T>();
    const bV = v128.splat<T>(invCap);
    for (; i + L <= n; i += L) {
      const p = at<T>(y, i);
      v128.store(p, v128.mul<T>(v128.load(p), sech2Vector<T>(v128.mul<T>(v128.load(at<T>(x, i)), bV))));
    }
  }
  for (; i < n; i++) {
    const p = at<T>(y, i);
    store<T>(p, load<T>(p) * sech2Scalar<T>(load<T>(at<T>(x, i)) * invCap));
  }
}

/** out_j = (x_j − shift) − c: log-softmax with shift = max and c = log Σ exp. `out` may be `x`. */
export function rowSubtractTwice<T>(x: usize, out: usize, n: i32, shift: T, c: T): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const L = lanes<T>();
    const shiftV = v128.splat<T>(shift);
    const cV = v128.splat<T>(c);
    for (; i + L <= n; i += L) {
      v128.store(at<T>(out, i), v128.sub<T>(v128.sub<T>(v128.load(at<T>(x, i)), shiftV), cV));
    }
  }
  for (; i < n; i++) store<T>(at<T>(out, i), load<T>(at<T>(x, i)) - shift - c);
}

/** y_j = a · y_j + b, in place. */
export function rowAffine<T>(y: usize, n: i32, a: T, b: T): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const L = lanes<T>();
    const aV = v128.splat<T>(a);
    const bV = v128.splat<T>(b);
    for (; i + L <= n; i += L) {
      const p = at<T>(y, i);
      v128.store(p, v128.add<T>(v128.mul<T>(aV, v128.load(p)), bV));
    }
  }
  for (; i < n; i++) {
    const p = at<T>(y, i);
    store<T>(p, a * load<T>(p) + b);
  }
}

/**
 * Whether a row of n elements whose exps are kept, in a call of `rows` rows, reads the next row's max in its scale
 * pass: rowSumExp given no next row, then rowScaleReadingAhead (f32, relaxed build). The exp pass, without the
 * lookahead, spills fewer registers: 1.04–1.08× where the next row is in cache when the scale pass reads it, that is
 * for rows of up to 2,560 elements, and for any row in a call whose input spans at most 1 MiB: a chunk of plain
 * arrays copied in just before (the pipeline's chunks hold about 1 MiB of input beside as much output), or a small
 * call. Longer rows of a resident tensor read it during the exps, whose work hides its loads (bench/NOTES.md).
 */
// @ts-ignore: decorator
@inline export function scaleReadsAhead<T>(rows: i32, n: i32): bool {
  if (!SCALE_READS_AHEAD || sizeof<T>() != 4) return false;
  return n <= SCALE_AHEAD_MAX || <i64>rows * n * sizeof<T>() <= CACHED_CALL_BYTES;
}

/**
 * rowScale, rowAffine or rowAxpby (`mode`: SCALE, AFFINE, AXPBY of ./sum-exp.ts; b and w as they take them) of a row
 * whose exp pass was given no next row (scaleReadsAhead): it reads `next` for takeAheadMax. (Where scaleReadsAhead
 * never holds, only the form itself.)
 */
export function rowScaleReadingAhead<T>(
  y: usize, n: i32, a: T, next: usize, mode: i32 = SCALE, b: T = 0, w: usize = 0,
): void {
  if (SCALE_READS_AHEAD && sizeof<T>() == 4) {
    rowScaleAheadF32(y, n, <f32>a, <f32>b, w, next, mode);
    aheadMax = <f64>sumAheadMax;
    aheadBounded = sumAheadBounded;
  } else if (mode == SCALE) {
    rowScale<T>(y, n, a);
  } else if (mode == AFFINE) {
    rowAffine<T>(y, n, a, b);
  } else {
    rowAxpby<T>(y, w, n, a, b);
  }
}

/** y_j = a · y_j, in place (softmax's normalisation, and the gradient without smoothing). */
export function rowScale<T>(y: usize, n: i32, a: T): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const L = lanes<T>();
    const aV = v128.splat<T>(a);
    // four vectors a step: the loop's own count, compare and branch were a third of its ops
    for (; i + 4 * L <= n; i += 4 * L) {
      const p = at<T>(y, i);
      v128.store(p, v128.mul<T>(aV, v128.load(p)));
      v128.store(p, v128.mul<T>(aV, v128.load(p, 16)), 16);
      v128.store(p, v128.mul<T>(aV, v128.load(p, 32)), 32);
      v128.store(p, v128.mul<T>(aV, v128.load(p, 48)), 48);
    }
    for (; i + L <= n; i += L) {
      const p = at<T>(y, i);
      v128.store(p, v128.mul<T>(aV, v128.load(p)));
    }
  }
  for (; i < n; i++) {
    const p = at<T>(y, i);
    store<T>(p, a * load<T>(p));
  }
}

/** y_j = a · y_j + b · w_j, in place. */
export function rowAxpby<T>(y: usize, w: usize, n: i32, a: T, b: T): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const L = lanes<T>();
    const aV = v128.splat<T>(a);
    const bV = v128.splat<T>(b);
    for (; i + L <= n; i += L) {
      const p = at<T>(y, i);
      v128.store(p, v128.add<T>(v128.mul<T>(aV, v128.load(p)), v128.mul<T>(bV, v128.load(at<T>(w, i)))));
    }
  }
  for (; i < n; i++) {
    const p = at<T>(y, i);
    store<T>(p, a * load<T>(p) + b * load<T>(at<T>(w, i)));
  }
}

/** y_j = 0 for the whole row. */
export function rowZero<T>(y: usize, n: i32): void {
  memory.fill(y, 0, <usize>n << alignof<T>());
}
