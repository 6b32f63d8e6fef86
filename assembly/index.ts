// The WebAssembly exports: each kernel instantiated for f32 and f64. Pointers are byte addresses in
// WebAssembly memory (scratch or caller-owned blocks); the facade (src/bindings/) validates every
// argument before calling in.

import { crossEntropyIndexRows, crossEntropyProbRows } from './kernels/cross-entropy';
import { BCE, BCE_WITH_LOGITS, elementwiseLoss, KL_DIV, KL_DIV_LOG_TARGET, MSE } from './kernels/elementwise-losses';
import { entropyRows } from './kernels/entropy';
import { EXP, EXP_NON_POSITIVE, LOG, LOG1P, mathBatch } from './kernels/exp-batch';
import { logSigmoidBatch, sigmoidBatch } from './kernels/sigmoid';
import { logSoftmaxRows } from './kernels/log-softmax';
import { logSumExpRows } from './kernels/log-sum-exp';
import { softmaxRows } from './kernels/softmax';
import { swapLastTwoDims } from './kernels/transpose';

export { allocate, release, scratch } from './scratch';

/** 1 in the SIMD build, 0 in the scalar build. */
export function simdBuild(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

export function logSumExpF32(x: usize, rows: i32, cols: i32, out: usize): void { logSumExpRows<f32>(x, rows, cols, out); }
export function logSumExpF64(x: usize, rows: i32, cols: i32, out: usize): void { logSumExpRows<f64>(x, rows, cols, out); }

export function softmaxF32(x: usize, rows: i32, cols: i32, out: usize): void { softmaxRows<f32>(x, rows, cols, out); }
export function softmaxF64(x: usize, rows: i32, cols: i32, out: usize): void { softmaxRows<f64>(x, rows, cols, out); }

export function logSoftmaxF32(x: usize, rows: i32, cols: i32, out: usize): void { logSoftmaxRows<f32>(x, rows, cols, out); }
export function logSoftmaxF64(x: usize, rows: i32, cols: i32, out: usize): void { logSoftmaxRows<f64>(x, rows, cols, out); }

export function crossEntropyIndexF32(
  x: usize, rows: i32, classes: i32, targets: usize, weight: usize, smoothing: f32,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  crossEntropyIndexRows<f32>(x, rows, classes, targets, weight, smoothing, lossOut, grad, gradScale, gradOutput);
}
export function crossEntropyIndexF64(
  x: usize, rows: i32, classes: i32, targets: usize, weight: usize, smoothing: f64,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  crossEntropyIndexRows<f64>(x, rows, classes, targets, weight, smoothing, lossOut, grad, gradScale, gradOutput);
}

export function crossEntropyProbF32(
  x: usize, targets: usize, rows: i32, classes: i32, weight: usize, smoothing: f32,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  crossEntropyProbRows<f32>(x, targets, rows, classes, weight, smoothing, lossOut, grad, gradScale, gradOutput);
}
export function crossEntropyProbF64(
  x: usize, targets: usize, rows: i32, classes: i32, weight: usize, smoothing: f64,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  crossEntropyProbRows<f64>(x, targets, rows, classes, weight, smoothing, lossOut, grad, gradScale, gradOutput);
}

export function swapLastTwoDimsF32(src: usize, dst: usize, outer: i32, a: i32, b: i32): void { swapLastTwoDims<f32>(src, dst, outer, a, b); }
export function swapLastTwoDimsF64(src: usize, dst: usize, outer: i32, a: i32, b: i32): void { swapLastTwoDims<f64>(src, dst, outer, a, b); }

export function expF32(x: usize, n: i32, out: usize): void { mathBatch<f32>(EXP, x, n, out); }
export function expF64(x: usize, n: i32, out: usize): void { mathBatch<f64>(EXP, x, n, out); }
export function expNonPositiveF32(x: usize, n: i32, out: usize): void { mathBatch<f32>(EXP_NON_POSITIVE, x, n, out); }
export function expNonPositiveF64(x: usize, n: i32, out: usize): void { mathBatch<f64>(EXP_NON_POSITIVE, x, n, out); }
export function logF32(x: usize, n: i32, out: usize): void { mathBatch<f32>(LOG, x, n, out); }
export function logF64(x: usize, n: i32, out: usize): void { mathBatch<f64>(LOG, x, n, out); }
export function log1pF32(x: usize, n: i32, out: usize): void { mathBatch<f32>(LOG1P, x, n, out); }
export function log1pF64(x: usize, n: i32, out: usize): void { mathBatch<f64>(LOG1P, x, n, out); }

export function sigmoidF32(x: usize, n: i32, out: usize): void { sigmoidBatch<f32>(x, n, out); }
export function sigmoidF64(x: usize, n: i32, out: usize): void { sigmoidBatch<f64>(x, n, out); }
export function logSigmoidF32(x: usize, n: i32, out: usize): void { logSigmoidBatch<f32>(x, n, out); }
export function logSigmoidF64(x: usize, n: i32, out: usize): void { logSigmoidBatch<f64>(x, n, out); }

export function entropyF32(p: usize, rows: i32, cols: i32, out: usize): void { entropyRows<f32>(p, rows, cols, out); }
export function entropyF64(p: usize, rows: i32, cols: i32, out: usize): void { entropyRows<f64>(p, rows, cols, out); }

// Each op is its own inlined copy of the kernel, so that the op's branches fold away.
// @ts-ignore: decorator
@inline function elementwiseLossOf<T>(
  op: i32, x: usize, y: usize, rows: i32, cols: i32, weight: usize, weightPerElement: i32,
  posWeight: usize, posWeightPerElement: i32, lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  if (op == BCE) return elementwiseLoss<T>(BCE, x, y, rows, cols, weight, weightPerElement, posWeight, posWeightPerElement, lossOut, grad, gradScale, gradOutput);
  if (op == BCE_WITH_LOGITS) return elementwiseLoss<T>(BCE_WITH_LOGITS, x, y, rows, cols, weight, weightPerElement, posWeight, posWeightPerElement, lossOut, grad, gradScale, gradOutput);
  if (op == KL_DIV) return elementwiseLoss<T>(KL_DIV, x, y, rows, cols, weight, weightPerElement, posWeight, posWeightPerElement, lossOut, grad, gradScale, gradOutput);
  if (op == KL_DIV_LOG_TARGET) return elementwiseLoss<T>(KL_DIV_LOG_TARGET, x, y, rows, cols, weight, weightPerElement, posWeight, posWeightPerElement, lossOut, grad, gradScale, gradOutput);
  return elementwiseLoss<T>(MSE, x, y, rows, cols, weight, weightPerElement, posWeight, posWeightPerElement, lossOut, grad, gradScale, gradOutput);
}

/** Elementwise loss `op` (0 BCE, 1 BCE with logits, 2 KL, 3 KL with log target, 4 MSE) in f32; returns Σ loss. */
export function elementwiseLossF32(
  op: i32, x: usize, y: usize, rows: i32, cols: i32, weight: usize, weightPerElement: i32,
  posWeight: usize, posWeightPerElement: i32, lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  return elementwiseLossOf<f32>(op, x, y, rows, cols, weight, weightPerElement, posWeight, posWeightPerElement, lossOut, grad, gradScale, gradOutput);
}

/** As elementwiseLossF32, in f64. */
export function elementwiseLossF64(
  op: i32, x: usize, y: usize, rows: i32, cols: i32, weight: usize, weightPerElement: i32,
  posWeight: usize, posWeightPerElement: i32, lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  return elementwiseLossOf<f64>(op, x, y, rows, cols, weight, weightPerElement, posWeight, posWeightPerElement, lossOut, grad, gradScale, gradOutput);
}
