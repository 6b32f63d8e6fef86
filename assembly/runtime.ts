// What the facade asks of every build besides its kernels.

import { GROUP_SCRATCH_BYTES, setGroupScratch } from './math/group-rows';

/** 1 in the SIMD builds, 0 in the scalar build. */
export function simdBuild(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

/** Room for one kernel's params block (8 bytes a param), written by the caller before each kernel call. */
// @ts-ignore: decorator
@inline const PARAMS_BYTES: i32 = 256;
/** The params block: static memory, or in a threads build, part of the instance's own block (setInstanceBlock): its
 * instances share their memory, and each, as it starts, would write a static block's zeros over a running call's. */
let paramsAt: usize = ASC_FEATURE_THREADS ? 0 : memory.data(PARAMS_BYTES, 16);

/** The address of the params block. */
export function paramsBlock(): usize {
  return paramsAt;
}

/** Bytes of a threads build's instance block: its params block and its short rows' scratch (./math/group-rows.ts). */
export function instanceBlockBytes(): i32 {
  return PARAMS_BYTES + GROUP_SCRATCH_BYTES;
}

/** Gives a threads build's instance its block (instanceBlockBytes at `at`, 16-aligned), before its first call. */
export function setInstanceBlock(at: usize): void {
  paramsAt = at;
  setGroupScratch(at + PARAMS_BYTES);
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
