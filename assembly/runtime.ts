// What the facade asks of every build besides its kernels.

/** 1 in the SIMD builds, 0 in the scalar build. */
export function simdBuild(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

/** Room for one kernel's params block (8 bytes a param), written by the caller before each kernel call. */
const PARAMS_BLOCK = memory.data(256, 16);

/** The address of the params block. */
export function paramsBlock(): usize {
  return PARAMS_BLOCK;
}

/** e^x as every engine computes it alike (Math.exp differs between engines in its last bit): perplexity's. */
export function exp(x: f64): f64 {
  return Math.exp(x);
}

/** log(e^a + e^b) as every engine computes it alike: CTC's beam search. */
export function logAddExp(a: f64, b: f64): f64 {
  const m = max(a, b);
  if (m == -Infinity) return -Infinity;
  return Math.log(Math.exp(a - m) + Math.exp(b - m)) + m;
}
