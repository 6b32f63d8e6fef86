// Vector exp for f32x4 and f64x2, and the scalar exp both builds share.
//
// exp(x) = 2^n · e^r with n = nearest(x · log2(e)) and r = x − n·ln2 (Cody–Waite: ln2 split in a
// high part whose product with n is exact and a low correction), |r| ≤ ln2/2 ≈ 0.3466.
// n is rounded by adding and subtracting 1.5·2^23 (1.5·2^52), whose low mantissa bits then hold n
// as an integer: no float-to-int conversion, which x86 engines lower to a long sequence.
// e^r is a degree-6 minimax polynomial for f32 (scripts/fit-exp-polynomial.py, relative error 1.7e-8)
// and the degree-13 Taylor polynomial for f64 (first term left out below 4.3e-18 relative).
// 2^n is built from exponent bits in two halves, 2^(n>>1) · 2^(n−(n>>1)), so that n from −150 to
// 128 (f32) or −1076 to 1024 (f64) scales correctly into subnormals and to +inf without a branch.
// Inputs are clamped first: below the clamp the result rounds to 0, above it to +inf; NaN stays NaN
// (pmin/pmax keep their first operand when the comparison is false).
// Measured error (test/correctness/exp.test.ts): f32 at most 1.28 ulp over every 257th float of [−104, 88.72];
// f64 at most 1.0 ulp from Math.exp over 2^20 random points of [−745, 709.78].

// f32 constants
import { madd, nmadd } from './madd';

// @ts-ignore: decorator
@inline export const F32_LOG2E: f32 = reinterpret<f32>(0x3FB8AA3B); // 1.44269504
// @ts-ignore: decorator
@inline export const F32_LN2_HI: f32 = reinterpret<f32>(0x3F317200); // 0.693145751953125, 9 trailing zero bits
// @ts-ignore: decorator
@inline export const F32_LN2_LO: f32 = reinterpret<f32>(0x35BFBE8E); // 1.42860677e-6
// @ts-ignore: decorator
@inline export const F32_ROUND_MAGIC: f32 = 12582912.0; // 1.5·2^23: adding it rounds |v| < 2^22 to an integer
// @ts-ignore: decorator
@inline const F32_EXP_MIN: f32 = -104.0; // exp below this rounds to 0 (least subnormal is e^−103.28)
// @ts-ignore: decorator
@inline const F32_EXP_MAX: f32 = 89.0; // exp above 88.7228 overflows to +inf
// @ts-ignore: decorator
@inline export const F32_NORMAL_CLAMP: f32 = -86.0; // ./sum-exp.ts's clamp: e^x normal, so 2^n can go into the exponent

// f64 constants
// @ts-ignore: decorator
@inline export const F64_LOG2E: f64 = reinterpret<f64>(0x3FF71547652B82FE); // 1.4426950408889634
// @ts-ignore: decorator
@inline export const F64_LN2_HI: f64 = reinterpret<f64>(0x3FE62E42FEE00000); // 0.6931471803691238, 21 zero bits
// @ts-ignore: decorator
@inline export const F64_LN2_LO: f64 = reinterpret<f64>(0x3DEA39EF35793C76); // 1.9082149292705877e-10
// @ts-ignore: decorator
@inline export const F64_ROUND_MAGIC: f64 = 6755399441055744.0; // 1.5·2^52: adding it rounds |v| < 2^51 to an integer
// @ts-ignore: decorator
@inline const F64_EXP_MIN: f64 = -746.0; // exp below this rounds to 0 (least subnormal is e^−744.44)
// @ts-ignore: decorator
@inline const F64_EXP_MAX: f64 = 710.0; // exp above 709.7827 overflows to +inf

/** e^x for four f32 lanes. */
// @ts-ignore: decorator
@inline export function expF32x4(x: v128): v128 {
  return expF32x4Of(x, false);
}

/**
 * e^x for four f32 lanes known to be ≤ 0 or NaN (x − max): no upper clamp, and 2^n as 2^(n+64)·2^−64,
 * one integer add instead of two halves (n ≥ −150 keeps 2^(n+64) normal). The same bits as expF32x4.
 */
// @ts-ignore: decorator
@inline export function expNonPositiveF32x4(x: v128): v128 {
  return expF32x4Of(x, true);
}

/**
 * The f32 exp's constants, four lanes each, read from memory rather than written as v128 constants: V8 13.6
 * (Node 24) rebuilds each v128 constant inside the loop from a general register (movq, vmovq, vpunpcklqdq: three
 * instructions per use) where V8 12.4 (Node 20) kept it in a register; a load from memory is one instruction in
 * both (bench/NOTES.md).
 */
const F32X4_EXP = memory.data<f32>(
  [
    F32_EXP_MIN, F32_EXP_MIN, F32_EXP_MIN, F32_EXP_MIN,
    F32_EXP_MAX, F32_EXP_MAX, F32_EXP_MAX, F32_EXP_MAX,
    F32_LOG2E, F32_LOG2E, F32_LOG2E, F32_LOG2E,
    F32_ROUND_MAGIC, F32_ROUND_MAGIC, F32_ROUND_MAGIC, F32_ROUND_MAGIC,
    F32_LN2_HI, F32_LN2_HI, F32_LN2_HI, F32_LN2_HI,
    F32_LN2_LO, F32_LN2_LO, F32_LN2_LO, F32_LN2_LO,
    1.0, 1.0, 1.0, 1.0,
    5.421010862427522e-20, 5.421010862427522e-20, 5.421010862427522e-20, 5.421010862427522e-20, // 2^-64
    0.0013843642, 0.0013843642, 0.0013843642, 0.0013843642,
    0.0083741555, 0.0083741555, 0.0083741555, 0.0083741555,
    0.041668002, 0.041668002, 0.041668002, 0.041668002,
    0.16666432, 0.16666432, 0.16666432, 0.16666432,
    0.49999994, 0.49999994, 0.49999994, 0.49999994,
    F32_NORMAL_CLAMP, F32_NORMAL_CLAMP, F32_NORMAL_CLAMP, F32_NORMAL_CLAMP,
  ],
  16,
);
const I32X4_EXP = memory.data<i32>(
  [0x4B400000, 0x4B400000, 0x4B400000, 0x4B400000, 191, 191, 191, 191, 127, 127, 127, 127],
  16,
);
// @ts-ignore: decorator
@inline const EXP_MIN = 0, EXP_MAX = 1, TWO_M64 = 7;
// @ts-ignore: decorator
@inline export const LOG2E = 2, MAGIC = 3, LN2_HI = 4, LN2_LO = 5, ONE = 6, Q0 = 8, NORMAL_MIN = 13;

/** The f32 exp's constant vector at `index` of its table, for a loop that loads it once (./sum-exp.ts). */
// @ts-ignore: decorator
@inline export function f32ExpConstant(index: i32): v128 {
  return vectorAt(F32X4_EXP, index);
}

/** The f64 exp's constants, two lanes each, from memory for the same reason as F32X4_EXP. */
const F64X2_EXP = memory.data<f64>(
  [
    F64_EXP_MIN, F64_EXP_MIN, F64_EXP_MAX, F64_EXP_MAX, F64_LOG2E, F64_LOG2E, F64_ROUND_MAGIC, F64_ROUND_MAGIC,
    F64_LN2_HI, F64_LN2_HI, F64_LN2_LO, F64_LN2_LO, 1.0, 1.0,
    7.458340731200207e-155, 7.458340731200207e-155, // 2^-512
    1.6059043836821613e-10, 1.6059043836821613e-10, // 1/13!
    2.08767569878681e-9, 2.08767569878681e-9, // 1/12!
    2.505210838544172e-8, 2.505210838544172e-8, // 1/11!
    2.755731922398589e-7, 2.755731922398589e-7, // 1/10!
    2.7557319223985893e-6, 2.7557319223985893e-6, // 1/9!
    2.48015873015873e-5, 2.48015873015873e-5, // 1/8!
    1.984126984126984e-4, 1.984126984126984e-4, // 1/7!
    1.388888888888889e-3, 1.388888888888889e-3, // 1/6!
    8.333333333333333e-3, 8.333333333333333e-3, // 1/5!
    4.1666666666666664e-2, 4.1666666666666664e-2, // 1/4!
    1.6666666666666666e-1, 1.6666666666666666e-1, // 1/3!
    0.5, 0.5, // 1/2!
  ],
  16,
);
const I64X2_EXP = memory.data<i64>([0x4338000000000000, 0x4338000000000000, 1535, 1535, 1023, 1023], 16);
// @ts-ignore: decorator
@inline const F64_MIN = 0, F64_MAX = 1, F64_LOG2E_AT = 2, F64_MAGIC = 3, F64_LN2_HI_AT = 4, F64_LN2_LO_AT = 5;
// @ts-ignore: decorator
@inline const F64_ONE = 6, F64_TWO_M512 = 7, F64_Q0 = 8;

/** The `index`-th vector of a constant table. */
// @ts-ignore: decorator
@inline function vectorAt(table: usize, index: i32): v128 {
  return v128.load(table + (<usize>index << 4));
}

// @ts-ignore: decorator
@inline function expF32x4Of(x: v128, nonPositive: bool): v128 {
  x = f32x4.pmax(x, vectorAt(F32X4_EXP, EXP_MIN));
  if (!nonPositive) x = f32x4.pmin(x, vectorAt(F32X4_EXP, EXP_MAX));
  // n = nearest(x·log2 e) by the round-to-integer magic of 1.5·2^23; its low bits are n as an i32
  const t = madd<f32>(x, vectorAt(F32X4_EXP, LOG2E), vectorAt(F32X4_EXP, MAGIC));
  const n = f32x4.sub(t, vectorAt(F32X4_EXP, MAGIC));
  const ni = i32x4.sub(t, vectorAt(I32X4_EXP, 0)); // 0x4B400000, the magic's bits
  let r = nmadd<f32>(n, vectorAt(F32X4_EXP, LN2_HI), x);
  r = nmadd<f32>(n, vectorAt(F32X4_EXP, LN2_LO), r);
  const p = madd<f32>(expQuotientF32x4(r), r, vectorAt(F32X4_EXP, ONE));
  if (nonPositive) {
    const scale = i32x4.shl(i32x4.add(ni, vectorAt(I32X4_EXP, 1)), 23); // 127 + 64
    return f32x4.mul(f32x4.mul(p, scale), vectorAt(F32X4_EXP, TWO_M64));
  }
  const half = i32x4.shr_s(ni, 1);
  const scaleA = i32x4.shl(i32x4.add(half, vectorAt(I32X4_EXP, 2)), 23); // 127
  const scaleB = i32x4.shl(i32x4.add(i32x4.sub(ni, half), vectorAt(I32X4_EXP, 2)), 23);
  return f32x4.mul(f32x4.mul(p, scaleA), scaleB);
}

/**
 * q(r) with e^r = 1 + r · q(r), |r| ≤ ln2/2: Horner on the minimax coefficients of
 * scripts/fit-exp-polynomial.py (relative error 1.7e-8). Shared with expm1 (./tanh.ts), which takes r · q(r).
 */
// @ts-ignore: decorator
@inline export function expQuotientF32x4(r: v128): v128 {
  let q = vectorAt(F32X4_EXP, Q0); // 0x3AB5738E
  q = madd<f32>(q, r, vectorAt(F32X4_EXP, Q0 + 1)); // 0x3C0933C1
  q = madd<f32>(q, r, vectorAt(F32X4_EXP, Q0 + 2)); // 0x3D2AAC11
  q = madd<f32>(q, r, vectorAt(F32X4_EXP, Q0 + 3)); // 0x3E2AAA0D
  q = madd<f32>(q, r, vectorAt(F32X4_EXP, Q0 + 4)); // 0x3EFFFFFE
  return madd<f32>(q, r, vectorAt(F32X4_EXP, ONE));
}

/** q(r) with e^r = 1 + r · q(r) for f64 lanes: the Taylor coefficients 1/k! for k = 14 … 1, shifted by one. */
// @ts-ignore: decorator
@inline export function expQuotientF64x2(r: v128): v128 {
  let q = vectorAt(F64X2_EXP, F64_Q0); // 1/13!
  q = madd<f64>(q, r, vectorAt(F64X2_EXP, F64_Q0 + 1)); // 1/12!
  q = madd<f64>(q, r, vectorAt(F64X2_EXP, F64_Q0 + 2)); // 1/11!
  q = madd<f64>(q, r, vectorAt(F64X2_EXP, F64_Q0 + 3)); // 1/10!
  q = madd<f64>(q, r, vectorAt(F64X2_EXP, F64_Q0 + 4)); // 1/9!
  q = madd<f64>(q, r, vectorAt(F64X2_EXP, F64_Q0 + 5)); // 1/8!
  q = madd<f64>(q, r, vectorAt(F64X2_EXP, F64_Q0 + 6)); // 1/7!
  q = madd<f64>(q, r, vectorAt(F64X2_EXP, F64_Q0 + 7)); // 1/6!
  q = madd<f64>(q, r, vectorAt(F64X2_EXP, F64_Q0 + 8)); // 1/5!
  q = madd<f64>(q, r, vectorAt(F64X2_EXP, F64_Q0 + 9)); // 1/4!
  q = madd<f64>(q, r, vectorAt(F64X2_EXP, F64_Q0 + 10)); // 1/3!
  q = madd<f64>(q, r, vectorAt(F64X2_EXP, F64_Q0 + 11)); // 1/2!
  return madd<f64>(q, r, vectorAt(F64X2_EXP, F64_ONE));
}

/** e^x for two f64 lanes. */
// @ts-ignore: decorator
@inline export function expF64x2(x: v128): v128 {
  return expF64x2Of(x, false);
}

/** e^x for two f64 lanes known to be ≤ 0 or NaN, as expNonPositiveF32x4 (2^n as 2^(n+512)·2^−512). */
// @ts-ignore: decorator
@inline export function expNonPositiveF64x2(x: v128): v128 {
  return expF64x2Of(x, true);
}

// @ts-ignore: decorator
@inline function expF64x2Of(x: v128, nonPositive: bool): v128 {
  x = f64x2.pmax(x, vectorAt(F64X2_EXP, F64_MIN));
  if (!nonPositive) x = f64x2.pmin(x, vectorAt(F64X2_EXP, F64_MAX));
  // n = nearest(x·log2 e) by the round-to-integer magic of 1.5·2^52; its low bits are n as an i64
  const t = madd<f64>(x, vectorAt(F64X2_EXP, F64_LOG2E_AT), vectorAt(F64X2_EXP, F64_MAGIC));
  const n = f64x2.sub(t, vectorAt(F64X2_EXP, F64_MAGIC));
  const ni = i64x2.sub(t, vectorAt(I64X2_EXP, 0)); // 0x4338000000000000, the magic's bits
  let r = nmadd<f64>(n, vectorAt(F64X2_EXP, F64_LN2_HI_AT), x);
  r = nmadd<f64>(n, vectorAt(F64X2_EXP, F64_LN2_LO_AT), r);
  const p = madd<f64>(expQuotientF64x2(r), r, vectorAt(F64X2_EXP, F64_ONE));
  if (nonPositive) {
    const scale = i64x2.shl(i64x2.add(ni, vectorAt(I64X2_EXP, 1)), 52); // 1023 + 512
    return f64x2.mul(f64x2.mul(p, scale), vectorAt(F64X2_EXP, F64_TWO_M512));
  }
  const half = i64x2.shr_s(ni, 1);
  const scaleA = i64x2.shl(i64x2.add(half, vectorAt(I64X2_EXP, 2)), 52); // 1023
  const scaleB = i64x2.shl(i64x2.add(i64x2.sub(ni, half), vectorAt(I64X2_EXP, 2)), 52);
  return f64x2.mul(f64x2.mul(p, scaleA), scaleB);
}

/** e^x for one vector of T lanes. */
// @ts-ignore: decorator
@inline export function expVector<T>(x: v128): v128 {
  if (sizeof<T>() == 4) return expF32x4(x);
  return expF64x2(x);
}

/** e^x for one vector of T lanes that are ≤ 0 or NaN (the same bits as expVector, cheaper). */
// @ts-ignore: decorator
@inline export function expNonPositiveVector<T>(x: v128): v128 {
  if (sizeof<T>() == 4) return expNonPositiveF32x4(x);
  return expNonPositiveF64x2(x);
}

/** Scalar e^x in T: the AssemblyScript standard library's correctly-rounded-within-1-ulp exp. */
// @ts-ignore: decorator
@inline export function expScalar<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>Mathf.exp(<f32>x);
  return <T>Math.exp(<f64>x);
}

/** Scalar natural log in T. */
// @ts-ignore: decorator
@inline export function logScalar<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>Mathf.log(<f32>x);
  return <T>Math.log(<f64>x);
}
