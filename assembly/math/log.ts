// Vector natural log and log1p for f32x4 and f64x2, and the scalar versions both builds share.
//
// log(x): x = 2^k · m with m in [√½, √2) (subnormals are first scaled by 2^25 or 2^54), f = m − 1,
// s = f / (2 + f), and log(m) = 2·atanh(s) = 2s + s·R with R = 2s²/3 + 2s⁴/5 + …, evaluated as
// f − (f²/2 − s·(f²/2 + R)) so that f, exact, leads. |s| ≤ 0.1716 so s² ≤ 0.0295, and R stops where the
// next term is below 2e-9 (f32, up to s⁸) or 3e-17 (f64, up to s²⁰) relative.
// log(x) = k·ln2_hi + (log(m) + k·ln2_lo).
// Special cases: log(0) = −inf, log(x < 0) = NaN, log(+inf) = +inf, log(NaN) = NaN.
// log1p(x) = log(u) + (x − (u − 1)) / u with u = 1 + x (the rounding of u corrected to first order);
// x itself where u rounds to 1, +inf at +inf, −inf at −1.
// Measured error (test/correctness/log.test.ts): log f32 at most 0.85 ulp over every 2053rd positive float
// (subnormals included), f64 1.0 ulp from Math.log; log1p f32 at most 1.44 ulp over every 2053rd float
// of (−1, 3.4e38], f64 1.0 ulp from Math.log1p.

import { madd } from './madd';

// @ts-ignore: decorator
@inline const F32_LN2_HI: f32 = reinterpret<f32>(0x3F317200); // 0.693145751953125
// @ts-ignore: decorator
@inline const F32_LN2_LO: f32 = reinterpret<f32>(0x35BFBE8E); // 1.42860677e-6
// @ts-ignore: decorator
@inline const F32_SQRT2: f32 = reinterpret<f32>(0x3FB504F3); // 1.41421354
// @ts-ignore: decorator
@inline const F32_MIN_NORMAL: f32 = reinterpret<f32>(0x00800000); // 2^-126
// @ts-ignore: decorator
@inline const F64_LN2_HI: f64 = reinterpret<f64>(0x3FE62E42FEE00000); // 0.6931471803691238
// @ts-ignore: decorator
@inline const F64_LN2_LO: f64 = reinterpret<f64>(0x3DEA39EF35793C76); // 1.9082149292705877e-10
// @ts-ignore: decorator
@inline const F64_SQRT2: f64 = reinterpret<f64>(0x3FF6A09E667F3BCD); // 1.4142135623730951
// @ts-ignore: decorator
@inline const F64_MIN_NORMAL: f64 = reinterpret<f64>(0x0010000000000000); // 2^-1022

/** log(x) for four f32 lanes. */
// @ts-ignore: decorator
@inline export function logF32x4(x: v128): v128 {
  // subnormals: scale by 2^25 and take 25 off the exponent
  const tiny = f32x4.lt(x, f32x4.splat(F32_MIN_NORMAL));
  const bits = v128.bitselect(f32x4.mul(x, f32x4.splat(33554432.0)), x, tiny); // 2^25
  let k = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(127));
  k = i32x4.sub(k, v128.and(tiny, i32x4.splat(25)));
  let m = v128.or(v128.and(bits, i32x4.splat(0x007FFFFF)), i32x4.splat(0x3F800000)); // [1, 2)
  const big = f32x4.gt(m, f32x4.splat(F32_SQRT2));
  m = v128.bitselect(f32x4.mul(m, f32x4.splat(0.5)), m, big);
  k = i32x4.sub(k, big); // big lanes are −1: k + 1
  const f = f32x4.sub(m, f32x4.splat(1.0));
  const s = f32x4.div(f, f32x4.add(f32x4.splat(2.0), f));
  const z = f32x4.mul(s, s);
  // R = 2z/3 + 2z²/5 + 2z³/7 + 2z⁴/9, log(1 + f) = f − (f²/2 − s·(f²/2 + R)) = 2s + s·R
  let r = f32x4.splat(<f32>(2.0 / 9.0));
  r = madd<f32>(r, z, f32x4.splat(<f32>(2.0 / 7.0)));
  r = madd<f32>(r, z, f32x4.splat(<f32>(2.0 / 5.0)));
  r = madd<f32>(r, z, f32x4.splat(<f32>(2.0 / 3.0)));
  r = f32x4.mul(r, z);
  const halfSquare = f32x4.mul(f32x4.mul(f, f), f32x4.splat(0.5));
  const logM = f32x4.sub(f, f32x4.sub(halfSquare, f32x4.mul(s, f32x4.add(halfSquare, r))));
  const kf = f32x4.convert_i32x4_s(k);
  const low = f32x4.add(logM, f32x4.mul(kf, f32x4.splat(F32_LN2_LO)));
  let result = f32x4.add(f32x4.mul(kf, f32x4.splat(F32_LN2_HI)), low);
  // special cases, one per line
  result = v128.bitselect(f32x4.splat(-Infinity), result, f32x4.eq(x, f32x4.splat(0)));
  result = v128.bitselect(f32x4.splat(NaN), result, f32x4.lt(x, f32x4.splat(0)));
  result = v128.bitselect(x, result, f32x4.eq(x, f32x4.splat(Infinity)));
  result = v128.bitselect(x, result, f32x4.ne(x, x)); // NaN
  return result;
}

/** log(x) for two f64 lanes. */
// @ts-ignore: decorator
@inline export function logF64x2(x: v128): v128 {
  const tiny = f64x2.lt(x, f64x2.splat(F64_MIN_NORMAL));
  const bits = v128.bitselect(f64x2.mul(x, f64x2.splat(18014398509481984.0)), x, tiny); // 2^54
  // the exponent field sits in the high 32-bit word of each lane
  const high = v128.shuffle<i32>(bits, bits, 1, 3, 1, 3);
  let k = i32x4.sub(v128.and(i32x4.shr_u(high, 20), i32x4.splat(0x7FF)), i32x4.splat(1023));
  const tinyLow = v128.shuffle<i32>(tiny, tiny, 0, 2, 0, 2);
  k = i32x4.sub(k, v128.and(tinyLow, i32x4.splat(54)));
  let m = v128.or(v128.and(bits, i64x2.splat(0x000FFFFFFFFFFFFF)), i64x2.splat(0x3FF0000000000000));
  const big = f64x2.gt(m, f64x2.splat(F64_SQRT2));
  m = v128.bitselect(f64x2.mul(m, f64x2.splat(0.5)), m, big);
  k = i32x4.sub(k, v128.shuffle<i32>(big, big, 0, 2, 0, 2));
  const f = f64x2.sub(m, f64x2.splat(1.0));
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2.0), f));
  const z = f64x2.mul(s, s);
  // R = Σ 2z^k/(2k+1) for k = 1 … 10, log(1 + f) = f − (f²/2 − s·(f²/2 + R))
  let r = f64x2.splat(2.0 / 21.0);
  r = madd<f64>(r, z, f64x2.splat(2.0 / 19.0));
  r = madd<f64>(r, z, f64x2.splat(2.0 / 17.0));
  r = madd<f64>(r, z, f64x2.splat(2.0 / 15.0));
  r = madd<f64>(r, z, f64x2.splat(2.0 / 13.0));
  r = madd<f64>(r, z, f64x2.splat(2.0 / 11.0));
  r = madd<f64>(r, z, f64x2.splat(2.0 / 9.0));
  r = madd<f64>(r, z, f64x2.splat(2.0 / 7.0));
  r = madd<f64>(r, z, f64x2.splat(2.0 / 5.0));
  r = madd<f64>(r, z, f64x2.splat(2.0 / 3.0));
  r = f64x2.mul(r, z);
  const halfSquare = f64x2.mul(f64x2.mul(f, f), f64x2.splat(0.5));
  const logM = f64x2.sub(f, f64x2.sub(halfSquare, f64x2.mul(s, f64x2.add(halfSquare, r))));
  const kf = f64x2.convert_low_i32x4_s(k);
  const low = f64x2.add(logM, f64x2.mul(kf, f64x2.splat(F64_LN2_LO)));
  let result = f64x2.add(f64x2.mul(kf, f64x2.splat(F64_LN2_HI)), low);
  result = v128.bitselect(f64x2.splat(-Infinity), result, f64x2.eq(x, f64x2.splat(0)));
  result = v128.bitselect(f64x2.splat(NaN), result, f64x2.lt(x, f64x2.splat(0)));
  result = v128.bitselect(x, result, f64x2.eq(x, f64x2.splat(Infinity)));
  result = v128.bitselect(x, result, f64x2.ne(x, x));
  return result;
}

/** log(x) for one vector of T lanes. */
// @ts-ignore: decorator
@inline export function logVector<T>(x: v128): v128 {
  if (sizeof<T>() == 4) return logF32x4(x);
  return logF64x2(x);
}

/** log1p(x) for one vector of T lanes. */
// @ts-ignore: decorator
@inline export function log1pVector<T>(x: v128): v128 {
  const one = v128.splat<T>(1);
  const u = v128.add<T>(one, x);
  const correction = v128.div<T>(v128.sub<T>(x, v128.sub<T>(u, one)), u);
  let result = v128.add<T>(logVector<T>(u), correction);
  result = v128.bitselect(x, result, v128.eq<T>(u, one)); // |x| below half an ulp of 1
  result = v128.bitselect(x, result, v128.eq<T>(x, v128.splat<T>(<T>Infinity)));
  result = v128.bitselect(v128.splat<T>(<T>-Infinity), result, v128.eq<T>(u, v128.splat<T>(0)));
  return result;
}

/**
 * log1p(e) for lanes e in [0, 1] or NaN: the softplus tail log1p(exp(−|x|)). With k = [e ≥ ½], 1 + e = 2^k·(1 + f)
 * for f = e or (e − 1)/2, both exact (Sterbenz), so 1 + e is never rounded and needs no correction; then log(1 + f)
 * as in log(x) above, |s| ≤ 0.2 (one more term of R for that). One division, no special cases: about a third of
 * log1pVector's work. Measured (test/correctness/log.test.ts): f32 at most 0.83 ulp over every 997th float of
 * [0, 1], f64 1.0 ulp from Math.log1p.
 */
// @ts-ignore: decorator
@inline export function log1pOfUnitVector<T>(e: v128): v128 {
  const half = log1pConstant<T>(HALF);
  const upper = v128.ge<T>(e, half); // false for NaN
  const f = v128.bitselect(v128.mul<T>(v128.sub<T>(e, log1pConstant<T>(ONE)), half), e, upper);
  const s = v128.div<T>(f, v128.add<T>(log1pConstant<T>(TWO), f));
  const z = v128.mul<T>(s, s);
  let r = log1pConstant<T>(R0);
  if (sizeof<T>() == 4) {
    r = madd<T>(r, z, log1pConstant<T>(R0 + 1));
    r = madd<T>(r, z, log1pConstant<T>(R0 + 2));
    r = madd<T>(r, z, log1pConstant<T>(R0 + 3));
    r = madd<T>(r, z, log1pConstant<T>(R0 + 4));
  } else {
    for (let k = 1; k <= 10; k++) r = madd<T>(r, z, log1pConstant<T>(R0 + k));
  }
  r = v128.mul<T>(r, z);
  const halfSquare = v128.mul<T>(v128.mul<T>(f, f), half);
  const logM = v128.sub<T>(f, v128.sub<T>(halfSquare, v128.mul<T>(s, v128.add<T>(halfSquare, r))));
  const ln2Hi = log1pConstant<T>(LN2_HI_AT), ln2Lo = log1pConstant<T>(LN2_LO_AT);
  return v128.add<T>(v128.and(upper, ln2Hi), v128.add<T>(logM, v128.and(upper, ln2Lo)));
}

/**
 * log1pOfUnitVector's constants, read from memory (each splat over the lanes as it loads) rather than written as v128
 * constants, which V8 13.6 (Node 24) rebuilds inside the loop from a general register at every use (./exp.ts's
 * F32X4_EXP): ½, 1, 2, ln 2 in two parts, then R's coefficients 2/(2j+1), highest first.
 */
const F32_LOG1P = memory.data<f32>([
  0.5, 1.0, 2.0, F32_LN2_HI, F32_LN2_LO,
  <f32>(2.0 / 11.0), <f32>(2.0 / 9.0), <f32>(2.0 / 7.0), <f32>(2.0 / 5.0), <f32>(2.0 / 3.0),
]);
const F64_LOG1P = memory.data<f64>([
  0.5, 1.0, 2.0, F64_LN2_HI, F64_LN2_LO,
  2.0 / 23.0, 2.0 / 21.0, 2.0 / 19.0, 2.0 / 17.0, 2.0 / 15.0, 2.0 / 13.0, 2.0 / 11.0, 2.0 / 9.0, 2.0 / 7.0,
  2.0 / 5.0, 2.0 / 3.0,
]);
// @ts-ignore: decorator
@inline const HALF = 0, ONE = 1, TWO = 2, LN2_HI_AT = 3, LN2_LO_AT = 4, R0 = 5;

/** 1 in every lane of T, from memory (see F32_LOG1P): for the loops whose v128 constants V8 13.6 rebuilds. */
// @ts-ignore: decorator
@inline export function vectorOne<T>(): v128 {
  return log1pConstant<T>(ONE);
}

/** The vector of log1pOfUnitVector's constant `index` in T. */
// @ts-ignore: decorator
@inline function log1pConstant<T>(index: i32): v128 {
  if (sizeof<T>() == 4) return v128.load32_splat(F32_LOG1P + (<usize>index << 2));
  return v128.load64_splat(F64_LOG1P + (<usize>index << 3));
}

/** Scalar log1p in T (AssemblyScript's std). */
// @ts-ignore: decorator
@inline export function log1pScalar<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>Mathf.log1p(<f32>x);
  return <T>Math.log1p(<f64>x);
}
