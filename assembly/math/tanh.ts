// tanh and sech² for softcapping (Gemma 2's c · tanh(x / c)), vector and scalar:
//   tanh(u) = sign(u) · −e / (2 + e),  e = expm1(−2|u|) ∈ (−1, 0]   (no 1 − w cancellation near 0)
//   sech²(u) = 1 − tanh²(u) = 4w / (1 + w)²,  w = exp(−2|u|)          (no 1 − tanh² cancellation near ±1)
// expm1(z), z ≤ 0, is the exp of ./exp.ts without its constant term:
// z = n·ln2 + r, e^r − 1 = r · q(r) from the same polynomial, expm1 = 2^n · r·q(r) + (2^n − 1), exact
// at n = 0 where it matters. z is clamped at −40 (f32) / −80 (f64), where tanh is 1 to the last bit,
// so 2^n stays normal; NaN stays NaN.

import {
  expNonPositiveVector, expQuotientF32x4, expQuotientF64x2, expScalar, F32_LN2_HI, F32_LN2_LO, F32_LOG2E,
  F32_ROUND_MAGIC, F64_LN2_HI, F64_LN2_LO, F64_LOG2E, F64_ROUND_MAGIC,
} from './exp';
import { madd, nmadd } from './madd';

// @ts-ignore: decorator
@inline function expm1NonPositiveF32x4(z: v128): v128 {
  z = f32x4.pmax(z, f32x4.splat(-40));
  const t = madd<f32>(z, f32x4.splat(F32_LOG2E), f32x4.splat(F32_ROUND_MAGIC));
  const n = f32x4.sub(t, f32x4.splat(F32_ROUND_MAGIC));
  const ni = i32x4.sub(t, i32x4.splat(0x4B400000));
  let r = nmadd<f32>(n, f32x4.splat(F32_LN2_HI), z);
  r = nmadd<f32>(n, f32x4.splat(F32_LN2_LO), r);
  const q = expQuotientF32x4(r);
  const scale = i32x4.shl(i32x4.add(ni, i32x4.splat(127)), 23);
  return madd<f32>(f32x4.mul(q, r), scale, f32x4.sub(scale, f32x4.splat(1)));
}

// @ts-ignore: decorator
@inline function expm1NonPositiveF64x2(z: v128): v128 {
  z = f64x2.pmax(z, f64x2.splat(-80));
  const t = madd<f64>(z, f64x2.splat(F64_LOG2E), f64x2.splat(F64_ROUND_MAGIC));
  const n = f64x2.sub(t, f64x2.splat(F64_ROUND_MAGIC));
  const ni = i64x2.sub(t, i64x2.splat(0x4338000000000000));
  let r = nmadd<f64>(n, f64x2.splat(F64_LN2_HI), z);
  r = nmadd<f64>(n, f64x2.splat(F64_LN2_LO), r);
  const q = expQuotientF64x2(r);
  const scale = i64x2.shl(i64x2.add(ni, i64x2.splat(1023)), 52);
  return madd<f64>(f64x2.mul(q, r), scale, f64x2.sub(scale, f64x2.splat(1)));
}

/** expm1(−2|u|) for one vector of T lanes. */
// @ts-ignore: decorator
@inline function expm1OfMinusTwiceAbs<T>(u: v128): v128 {
  const z = v128.mul<T>(v128.abs<T>(u), v128.splat<T>(-2));
  if (sizeof<T>() == 4) return expm1NonPositiveF32x4(z);
  return expm1NonPositiveF64x2(z);
}

/** tanh(u) for one vector of T lanes. */
// @ts-ignore: decorator
@inline export function tanhVector<T>(u: v128): v128 {
  const e = expm1OfMinusTwiceAbs<T>(u);
  const magnitude = v128.abs<T>(v128.div<T>(e, v128.add<T>(e, v128.splat<T>(2))));
  const sign = v128.and(u, v128.splat<T>(<T>-0.0));
  return v128.or(magnitude, sign);
}

/** sech²(u) = 1 − tanh²(u) for one vector of T lanes (the derivative of tanh). */
// @ts-ignore: decorator
@inline export function sech2Vector<T>(u: v128): v128 {
  const w = expNonPositiveVector<T>(v128.mul<T>(v128.abs<T>(u), v128.splat<T>(-2)));
  const d = v128.add<T>(w, v128.splat<T>(1));
  return v128.div<T>(v128.mul<T>(v128.splat<T>(4), w), v128.mul<T>(d, d));
}

// @ts-ignore: decorator
@inline function expm1Scalar<T>(z: T): T {
  if (sizeof<T>() == 4) return <T>Mathf.expm1(<f32>z);
  return <T>Math.expm1(<f64>z);
}

/** Scalar tanh in T, by the same formula. */
// @ts-ignore: decorator
@inline export function tanhScalar<T>(u: T): T {
  const e = expm1Scalar<T>(<T>-2 * abs<T>(u));
  return copysign<T>(-e / (e + <T>2), u);
}

/** Scalar sech² in T, by the same formula. */
// @ts-ignore: decorator
@inline export function sech2Scalar<T>(u: T): T {
  const w = expScalar<T>(<T>-2 * abs<T>(u));
  const d = w + <T>1;
  return <T>4 * w / (d * d);
}

/** c · tanh(x · invCap) on each lane (not inlined: a softcapped row and its target's logit share its code and its
 * rounding). */
function softcapVector<T>(x: v128, cap: T, invCap: T): v128 {
  return v128.mul<T>(v128.splat<T>(cap), tanhVector<T>(v128.mul<T>(x, v128.splat<T>(invCap))));
}

/** c · tanh(x / c) of one value, rounded as softcapRow rounds each element. */
export function softcapOne<T>(x: T, cap: T): T {
  if (!ASC_FEATURE_SIMD) return cap * tanhScalar<T>(x * (<T>1 / cap));
  const v = softcapVector<T>(v128.splat<T>(x), cap, <T>1 / cap);
  return sizeof<T>() == 4 ? <T>f32x4.extract_lane(v, 0) : <T>f64x2.extract_lane(v, 0);
}

/** Softcaps n values in place: c · tanh(x / c), every one rounded alike (the tail through softcapOne). */
export function softcapRow<T>(row: usize, n: i32, cap: T): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const invCap = <T>1 / cap;
    for (; i + 16 / sizeof<T>() <= n; i += 16 / sizeof<T>()) {
      const p = row + (<usize>i << alignof<T>());
      v128.store(p, softcapVector<T>(v128.load(p), cap, invCap));
    }
  }
  for (; i < n; i++) {
    const p = row + (<usize>i << alignof<T>());
    store<T>(p, softcapOne<T>(load<T>(p), cap));
  }
}
