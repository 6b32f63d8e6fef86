// The WebAssembly exports: each kernel instantiated for f32 and f64, nothing else. Pointers are byte
// addresses in WebAssembly memory. src/core/kernels.ts declares every export here with its arguments, in
// this order; test/kernel-table.test.ts holds the two together.

import { crossEntropyIndexRows, crossEntropyProbRows } from './kernels/cross-entropy';
import { entropyRows } from './kernels/entropy';
import { logSoftmaxRows } from './kernels/log-softmax';
import { columnSums, matmulRows } from './kernels/matmul';
import { logSumExpRows, logSumExpWideRows } from './kernels/log-sum-exp';
import { BinaryCrossEntropy } from './kernels/losses/binary-cross-entropy';
import { BinaryCrossEntropyWithLogits } from './kernels/losses/binary-cross-entropy-with-logits';
import { elementwiseLoss } from './kernels/losses/driver';
import { KlDiv, KlDivLogTarget } from './kernels/losses/kl-div';
import { MeanSquaredError } from './kernels/losses/mse';
import { SigmoidFocal } from './kernels/losses/sigmoid-focal';
import { nllLossRows } from './kernels/nll-loss';
import { logSigmoidBatch, sigmoidBatch } from './kernels/sigmoid';
import { softmaxRows } from './kernels/softmax';
import { softmaxEntropyRows } from './kernels/softmax-entropy';
import { tokenLogProbsRows } from './kernels/token-log-probs';
import { topKRows } from './kernels/top-k';
import { swapLastTwoDims } from './kernels/transpose';

export { allocate, release, scratch } from './scratch';

/** 1 in the SIMD build, 0 in the scalar build. */
export function simdBuild(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

// Row kernels: rows of `cols` contiguous elements.
export function logSumExpF32(x: usize, rows: i32, cols: i32, out: usize): void {
  logSumExpRows<f32>(x, rows, cols, out);
}
export function logSumExpF64(x: usize, rows: i32, cols: i32, out: usize): void {
  logSumExpRows<f64>(x, rows, cols, out);
}
export function logSumExpWideF32(x: usize, rows: i32, cols: i32, out: usize): void {
  logSumExpWideRows<f32>(x, rows, cols, out);
}
export function logSumExpWideF64(x: usize, rows: i32, cols: i32, out: usize): void {
  logSumExpWideRows<f64>(x, rows, cols, out);
}
export function softmaxF32(x: usize, rows: i32, cols: i32, out: usize): void { softmaxRows<f32>(x, rows, cols, out); }
export function softmaxF64(x: usize, rows: i32, cols: i32, out: usize): void { softmaxRows<f64>(x, rows, cols, out); }
export function logSoftmaxF32(x: usize, rows: i32, cols: i32, out: usize): void {
  logSoftmaxRows<f32>(x, rows, cols, out);
}
export function logSoftmaxF64(x: usize, rows: i32, cols: i32, out: usize): void {
  logSoftmaxRows<f64>(x, rows, cols, out);
}
export function entropyF32(x: usize, rows: i32, cols: i32, out: usize): void { entropyRows<f32>(x, rows, cols, out); }
export function entropyF64(x: usize, rows: i32, cols: i32, out: usize): void { entropyRows<f64>(x, rows, cols, out); }

export function crossEntropyIndexF32(
  x: usize, rows: i32, cols: i32, targets: usize, weight: usize, smoothing: f32,
  softcap: f32, zScale: f32, zGrad: f64, lseIn: usize, vocabStart: i32, vocabSize: i32, safe: i32,
  lossOut: usize, zLossOut: usize, lseOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  crossEntropyIndexRows<f32>(
    x, rows, cols, targets, weight, smoothing, softcap, zScale, zGrad, lseIn, vocabStart, vocabSize, safe,
    lossOut, zLossOut, lseOut, grad, gradScale, gradOutput,
  );
}
export function crossEntropyIndexF64(
  x: usize, rows: i32, cols: i32, targets: usize, weight: usize, smoothing: f64,
  softcap: f64, zScale: f64, zGrad: f64, lseIn: usize, vocabStart: i32, vocabSize: i32, safe: i32,
  lossOut: usize, zLossOut: usize, lseOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  crossEntropyIndexRows<f64>(
    x, rows, cols, targets, weight, smoothing, softcap, zScale, zGrad, lseIn, vocabStart, vocabSize, safe,
    lossOut, zLossOut, lseOut, grad, gradScale, gradOutput,
  );
}
export function crossEntropyProbF32(
  x: usize, targets: usize, rows: i32, cols: i32, weight: usize, smoothing: f32,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  crossEntropyProbRows<f32>(x, targets, rows, cols, weight, smoothing, lossOut, grad, gradScale, gradOutput);
}
export function crossEntropyProbF64(
  x: usize, targets: usize, rows: i32, cols: i32, weight: usize, smoothing: f64,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  crossEntropyProbRows<f64>(x, targets, rows, cols, weight, smoothing, lossOut, grad, gradScale, gradOutput);
}
export function nllLossF32(
  picked: usize, rows: i32, cols: i32, targets: usize, weight: usize,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  nllLossRows<f32>(picked, rows, cols, targets, weight, lossOut, grad, gradScale, gradOutput);
}
export function nllLossF64(
  picked: usize, rows: i32, cols: i32, targets: usize, weight: usize,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  nllLossRows<f64>(picked, rows, cols, targets, weight, lossOut, grad, gradScale, gradOutput);
}

// Language-model scoring at temperature 1 / scale (kernels/token-log-probs, softmax-entropy, top-k).
export function tokenLogProbsF32(x: usize, rows: i32, cols: i32, targets: usize, scale: f32, out: usize): void {
  tokenLogProbsRows<f32>(x, rows, cols, targets, scale, out);
}
export function tokenLogProbsF64(x: usize, rows: i32, cols: i32, targets: usize, scale: f64, out: usize): void {
  tokenLogProbsRows<f64>(x, rows, cols, targets, scale, out);
}
export function softmaxEntropyF32(x: usize, rows: i32, cols: i32, scale: f32, out: usize): void {
  softmaxEntropyRows<f32>(x, rows, cols, scale, out);
}
export function softmaxEntropyF64(x: usize, rows: i32, cols: i32, scale: f64, out: usize): void {
  softmaxEntropyRows<f64>(x, rows, cols, scale, out);
}
export function topKF32(
  x: usize, rows: i32, cols: i32, k: i32, scale: f32, values: usize, indices: usize, targets: usize, tokenOut: usize,
): void {
  topKRows<f32>(x, rows, cols, k, scale, values, indices, targets, tokenOut);
}
export function topKF64(
  x: usize, rows: i32, cols: i32, k: i32, scale: f64, values: usize, indices: usize, targets: usize, tokenOut: usize,
): void {
  topKRows<f64>(x, rows, cols, k, scale, values, indices, targets, tokenOut);
}

// Elementwise kernels: rows · cols elements.
export function sigmoidF32(x: usize, rows: i32, cols: i32, out: usize): void { sigmoidBatch<f32>(x, rows * cols, out); }
export function sigmoidF64(x: usize, rows: i32, cols: i32, out: usize): void { sigmoidBatch<f64>(x, rows * cols, out); }
export function logSigmoidF32(x: usize, rows: i32, cols: i32, out: usize): void {
  logSigmoidBatch<f32>(x, rows * cols, out);
}
export function logSigmoidF64(x: usize, rows: i32, cols: i32, out: usize): void {
  logSigmoidBatch<f64>(x, rows * cols, out);
}

// The fused linear + cross-entropy's products (kernels/matmul): C (+)= A · B, A read through strides.
export function matmulF32(
  a: usize, rowStride: i32, innerStride: i32, b: usize, c: usize, m: i32, n: i32, k: i32, accumulate: i32,
): void {
  matmulRows<f32>(a, rowStride, innerStride, b, c, m, n, k, accumulate);
}
export function matmulF64(
  a: usize, rowStride: i32, innerStride: i32, b: usize, c: usize, m: i32, n: i32, k: i32, accumulate: i32,
): void {
  matmulRows<f64>(a, rowStride, innerStride, b, c, m, n, k, accumulate);
}
export function columnSumsF32(g: usize, rows: i32, n: i32, c: usize, accumulate: i32): void {
  columnSums<f32>(g, rows, n, c, accumulate);
}
export function columnSumsF64(g: usize, rows: i32, n: i32, c: usize, accumulate: i32): void {
  columnSums<f64>(g, rows, n, c, accumulate);
}

// (outer, a, b) → (outer, b, a): the pipeline's move of a non-last dim to the end, and back.
export function swapLastTwoDimsF32(x: usize, out: usize, outer: i32, a: i32, b: i32): void {
  swapLastTwoDims<f32>(x, out, outer, a, b);
}
export function swapLastTwoDimsF64(x: usize, out: usize, outer: i32, a: i32, b: i32): void {
  swapLastTwoDims<f64>(x, out, outer, a, b);
}

// Elementwise losses, one driver instantiated per loss (assembly/kernels/losses/): return Σ loss.
export function binaryCrossEntropyF32(
  x: usize, y: usize, rows: i32, cols: i32, weight: usize, weightPerElement: i32,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  return elementwiseLoss<BinaryCrossEntropy, f32>(
    x, y, rows, cols, weight, weightPerElement, 0, 0, 0, 0, lossOut, grad, gradScale, gradOutput,
  );
}
export function binaryCrossEntropyF64(
  x: usize, y: usize, rows: i32, cols: i32, weight: usize, weightPerElement: i32,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  return elementwiseLoss<BinaryCrossEntropy, f64>(
    x, y, rows, cols, weight, weightPerElement, 0, 0, 0, 0, lossOut, grad, gradScale, gradOutput,
  );
}
export function binaryCrossEntropyWithLogitsF32(
  x: usize, y: usize, rows: i32, cols: i32,
  weight: usize, weightPerElement: i32, posWeight: usize, posWeightPerElement: i32,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  return elementwiseLoss<BinaryCrossEntropyWithLogits, f32>(
    x, y, rows, cols, weight, weightPerElement, posWeight, posWeightPerElement, 0, 0,
    lossOut, grad, gradScale, gradOutput,
  );
}
export function binaryCrossEntropyWithLogitsF64(
  x: usize, y: usize, rows: i32, cols: i32,
  weight: usize, weightPerElement: i32, posWeight: usize, posWeightPerElement: i32,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  return elementwiseLoss<BinaryCrossEntropyWithLogits, f64>(
    x, y, rows, cols, weight, weightPerElement, posWeight, posWeightPerElement, 0, 0,
    lossOut, grad, gradScale, gradOutput,
  );
}
export function klDivF32(
  x: usize, y: usize, rows: i32, cols: i32, lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  return elementwiseLoss<KlDiv, f32>(x, y, rows, cols, 0, 0, 0, 0, 0, 0, lossOut, grad, gradScale, gradOutput);
}
export function klDivF64(
  x: usize, y: usize, rows: i32, cols: i32, lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  return elementwiseLoss<KlDiv, f64>(x, y, rows, cols, 0, 0, 0, 0, 0, 0, lossOut, grad, gradScale, gradOutput);
}
export function klDivLogTargetF32(
  x: usize, y: usize, rows: i32, cols: i32, lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  return elementwiseLoss<KlDivLogTarget, f32>(x, y, rows, cols, 0, 0, 0, 0, 0, 0, lossOut, grad, gradScale, gradOutput);
}
export function klDivLogTargetF64(
  x: usize, y: usize, rows: i32, cols: i32, lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  return elementwiseLoss<KlDivLogTarget, f64>(x, y, rows, cols, 0, 0, 0, 0, 0, 0, lossOut, grad, gradScale, gradOutput);
}
export function mseLossF32(
  x: usize, y: usize, rows: i32, cols: i32, lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  return elementwiseLoss<MeanSquaredError, f32>(
    x, y, rows, cols, 0, 0, 0, 0, 0, 0, lossOut, grad, gradScale, gradOutput,
  );
}
export function mseLossF64(
  x: usize, y: usize, rows: i32, cols: i32, lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  return elementwiseLoss<MeanSquaredError, f64>(
    x, y, rows, cols, 0, 0, 0, 0, 0, 0, lossOut, grad, gradScale, gradOutput,
  );
}
export function sigmoidFocalLossF32(
  x: usize, y: usize, rows: i32, cols: i32, alpha: f64, gamma: f64,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  return elementwiseLoss<SigmoidFocal, f32>(
    x, y, rows, cols, 0, 0, 0, 0, alpha, gamma, lossOut, grad, gradScale, gradOutput,
  );
}
export function sigmoidFocalLossF64(
  x: usize, y: usize, rows: i32, cols: i32, alpha: f64, gamma: f64,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  return elementwiseLoss<SigmoidFocal, f64>(
    x, y, rows, cols, 0, 0, 0, 0, alpha, gamma, lossOut, grad, gradScale, gradOutput,
  );
}
