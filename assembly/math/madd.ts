// Multiply-add on vectors of T: fused (one rounding) in the relaxed-SIMD build where the hardware has FMA,
// two roundings otherwise. The polynomials of exp and log are written with these, so the relaxed build
// gets FMA and the plain SIMD build stays exactly as it was.

/** a·b + c */
// @ts-ignore: decorator
@inline export function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(v128.mul<T>(a, b), c);
}

/** c − a·b */
// @ts-ignore: decorator
@inline export function nmadd<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_nmadd<T>(a, b, c);
  return v128.sub<T>(c, v128.mul<T>(a, b));
}

/** a·b + c for one value of T, rounded as madd rounds each lane (the matmul's scalar tail and its replica). */
// @ts-ignore: decorator
@inline export function maddScalar<T>(a: T, b: T, c: T): T {
  if (ASC_FEATURE_RELAXED_SIMD) {
    const v = v128.relaxed_madd<T>(v128.splat<T>(a), v128.splat<T>(b), v128.splat<T>(c));
    return sizeof<T>() == 4 ? <T>f32x4.extract_lane(v, 0) : <T>f64x2.extract_lane(v, 0);
  }
  return a * b + c;
}
