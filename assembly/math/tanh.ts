// tanh and sech² for softcapping (Gemma 2's c · tanh(x / c)), vector and scalar:
//   tanh(u) = sign(u) · −e / (2 + e),  e = expm1(−2|u|) ∈ (−1, 0]   (no 1 − w cancellation near 0)
//   sech²(u) = 1 − tanh²(u) = 4w / (1 + w)²,  w = exp(−2|u|)          (no 1 − tanh² cancellation near ±1)
// expm1(z), z ≤ 0, is the exp of ./exp.ts without its constant term:
// z = n·ln2 + r, e^r − 1 = r · q(r) from the same polynomial, expm1 = 2^n · r·q(r) + (2^n − 1), exact
// at n = 0 where it matters. z is clamped at −40 (f32) / −80 (f64), where tanh is 1 to the last bit,
// so 2^n stays normal; NaN stays NaN.

import { expNonPositiveVector, expScalar } from './exp';
import { madd, nmadd } from './madd';

// @ts-ignore: decorator
@inline function expm1NonPositiveF32x4(z: v128): v128 {
  z = f32x4.pmax(z, f32x4.splat(-40));
  const t = madd<f32>(z, f32x4.splat(reinterpret<f32>(0x3FB8AA3B)), f32x4.splat(12582912.0));
  const n = f32x4.sub(t, f32x4.splat(12582912.0));
  const ni = i32x4.sub(t, i32x4.splat(0x4B400000));
  let r = nmadd<f32>(n, f32x4.splat(reinterpret<f32>(0x3F317200)), z);
  r = nmadd<f32>(n, f32x4.splat(reinterpret<f32>(0x35BFBE8E)), r);
  let q = f32x4.splat(reinterpret<f32>(0x3AB5738E)); // the coefficients of exp.ts's polynomial
  q = madd<f32>(q, r, f32x4.splat(reinterpret<f32>(0x3C0933C1)));
  q = madd<f32>(q, r, f32x4.splat(reinterpret<f32>(0x3D2AAC11)));
  q = madd<f32>(q, r, f32x4.splat(reinterpret<f32>(0x3E2AAA0D)));
  q = madd<f32>(q, r, f32x4.splat(reinterpret<f32>(0x3EFFFFFE)));
  q = madd<f32>(q, r, f32x4.splat(<f32>1.0));
  const scale = i32x4.shl(i32x4.add(ni, i32x4.splat(127)), 23);
  return madd<f32>(f32x4.mul(q, r), scale, f32x4.sub(scale, f32x4.splat(1)));
}

// @ts-ignore: decorator
@inline function expm1NonPositiveF64x2(z: v128): v128 {
  z = f64x2.pmax(z, f64x2.splat(-80));
  const t = madd<f64>(z, f64x2.splat(reinterpret<f64>(0x3FF71547652B82FE)), f64x2.splat(6755399441055744.0));
  const n = f64x2.sub(t, f64x2.splat(6755399441055744.0));
  const ni = i64x2.sub(t, i64x2.splat(0x4338000000000000));
  let r = nmadd<f64>(n, f64x2.splat(reinterpret<f64>(0x3FE62E42FEE00000)), z);
  r = nmadd<f64>(n, f64x2.splat(reinterpret<f64>(0x3DEA39EF35793C76)), r);
  let q = f64x2.splat(1.6059043836821613e-10); // 1/13!, then 1/k! down to 1/1!
  q = madd<f64>(q, r, f64x2.splat(2.08767569878681e-9));
  q = madd<f64>(q, r, f64x2.splat(2.505210838544172e-8));
  q = madd<f64>(q, r, f64x2.splat(2.755731922398589e-7));
  q = madd<f64>(q, r, f64x2.splat(2.7557319223985893e-6));
  q = madd<f64>(q, r, f64x2.splat(2.48015873015873e-5));
  q = madd<f64>(q, r, f64x2.splat(1.984126984126984e-4));
  q = madd<f64>(q, r, f64x2.splat(1.388888888888889e-3));
  q = madd<f64>(q, r, f64x2.splat(8.333333333333333e-3));
  q = madd<f64>(q, r, f64x2.splat(4.1666666666666664e-2));
  q = madd<f64>(q, r, f64x2.splat(1.6666666666666666e-1));
  q = madd<f64>(q, r, f64x2.splat(0.5));
  q = madd<f64>(q, r, f64x2.splat(1.0));
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
