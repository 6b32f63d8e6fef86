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
