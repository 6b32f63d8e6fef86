// The shipped kernels and, for the accuracy tests and the passes bench only, each build's vector exp, log, log1p,
// tanh and sech² over an array: build/math/xentropy.<build>.wasm, which no package ships.
export * from '../index';
export { lossParamOffset } from './params-layout';
import { EXP, EXP_NON_POSITIVE, LOG, LOG1P, LOG1P_OF_UNIT, mathBatch, SECH2, TANH } from '../kernels/exp-batch';
import {
  rowBoundF32, rowScaleAheadF32, rowSumExpF32, scaledDone, scaledExpSumsF32, scaledGapSum, sumAheadBounded, sumAheadMax,
} from '../math/sum-exp';

export function expF32(x: usize, rows: i32, cols: i32, out: usize): void { mathBatch<f32>(EXP, x, rows * cols, out); }
export function expF64(x: usize, rows: i32, cols: i32, out: usize): void { mathBatch<f64>(EXP, x, rows * cols, out); }
export function expNonPositiveF32(x: usize, rows: i32, cols: i32, out: usize): void {
  mathBatch<f32>(EXP_NON_POSITIVE, x, rows * cols, out);
}
export function expNonPositiveF64(x: usize, rows: i32, cols: i32, out: usize): void {
  mathBatch<f64>(EXP_NON_POSITIVE, x, rows * cols, out);
}
export function logF32(x: usize, rows: i32, cols: i32, out: usize): void { mathBatch<f32>(LOG, x, rows * cols, out); }
export function logF64(x: usize, rows: i32, cols: i32, out: usize): void { mathBatch<f64>(LOG, x, rows * cols, out); }
export function log1pF32(x: usize, rows: i32, cols: i32, out: usize): void {
  mathBatch<f32>(LOG1P, x, rows * cols, out);
}
export function log1pF64(x: usize, rows: i32, cols: i32, out: usize): void {
  mathBatch<f64>(LOG1P, x, rows * cols, out);
}

export function tanhF32(x: usize, rows: i32, cols: i32, out: usize): void { mathBatch<f32>(TANH, x, rows * cols, out); }
export function tanhF64(x: usize, rows: i32, cols: i32, out: usize): void { mathBatch<f64>(TANH, x, rows * cols, out); }
export function sech2F32(x: usize, rows: i32, cols: i32, out: usize): void {
  mathBatch<f32>(SECH2, x, rows * cols, out);
}
export function sech2F64(x: usize, rows: i32, cols: i32, out: usize): void {
  mathBatch<f64>(SECH2, x, rows * cols, out);
}
// log1p on [0, 1], the softplus tail of binaryCrossEntropyWithLogits and logSigmoid
export function log1pOfUnitF32(x: usize, rows: i32, cols: i32, out: usize): void {
  mathBatch<f32>(LOG1P_OF_UNIT, x, rows * cols, out);
}
export function log1pOfUnitF64(x: usize, rows: i32, cols: i32, out: usize): void {
  mathBatch<f64>(LOG1P_OF_UNIT, x, rows * cols, out);
}

// the row Σ exp of the forward and the gradient (SIMD builds; NaN in the scalar build), and the next row's max it took
export function rowSumExpF32At(x: usize, n: i32, shift: f32, out: usize, next: usize, bounded: i32): f64 {
  return ASC_FEATURE_SIMD ? rowSumExpF32(x, n, shift, out, next, bounded != 0) : NaN;
}
// the scale pass that reads the next row where the exp pass did not (SIMD builds), into sumAheadMax and its bound
export function rowScaleAheadF32At(y: usize, n: i32, a: f32, b: f32, w: usize, next: usize, mode: i32): void {
  if (ASC_FEATURE_SIMD) rowScaleAheadF32(y, n, a, b, w, next, mode);
}
// a row's max and bound read alone, for a row first in its call (SIMD builds)
export function rowBoundF32At(x: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) rowBoundF32(x, n);
}
export function sumAheadMaxF32(): f32 {
  return sumAheadMax;
}
export function sumAheadBoundedF32(): i32 {
  return sumAheadBounded ? 1 : 0;
}
// the scoring rows' Σ exp at a temperature (SIMD builds; NaN in the scalar build), its Σ e·d and the elements it took
export function scaledExpSumsF32At(row: usize, n: i32, m: f32, scale: f32, entropy: i32): f64 {
  return ASC_FEATURE_SIMD ? scaledExpSumsF32(row, n, m, scale, entropy != 0) : NaN;
}
export function scaledGapSumF32(): f64 {
  return scaledGapSum;
}
export function scaledDoneF32(): i32 {
  return scaledDone;
}
