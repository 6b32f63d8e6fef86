// The one driver of the elementwise losses: loss_i = w_i · ℓ(x_i, y_i) and, when `grad` is not 0,
// grad_i = g_i · w_i · ∂ℓ/∂x_i with g_i = gradScale · (gradOutput ? gradOutput[i] : 1).
// The data is seen as rows × cols (cols = the last dim): `weight` and `posWeight` hold one value per
// element (perElement = 1) or one per column, broadcast over the rows. The driver returns Σ loss_i (in
// f64 across spans of SPAN elements) and stores each loss_i when `lossOut` is not 0.
//
// A loss is an unmanaged class L (one per file beside this one) whose fields are its own params (Huber's
// delta, focal's α and γ; none for most), and four inlined methods of (x, y, posWeight; a loss ignores the
// posWeight it has no use for):
//   value<T>, grad<T>     on scalars of T: the plain reference, and the scalar build;
//   valueV<T>, gradV<T>   on v128 of T: the SIMD build's loop.
// The receiver is the loss's part of the kernel's params block (`changetype<L>(lossParams)`); each
// instantiation is its own inlined copy of the loop.

import { at, horizontalSum } from '../../math/rows';

// @ts-ignore: decorator
@inline const SPAN: i32 = 1024;

/** Σ loss over elements [start, end) of one row; see the file comment for the arguments. */
// @ts-ignore: decorator
@inline function span<L, T>(
  x: usize, y: usize, w: usize, pw: usize, start: i32, end: i32,
  lossOut: usize, grad: usize, gradScale: T, gradOutput: usize, loss: L,
): T {
  let i = start;
  let total = <T>0;
  if (ASC_FEATURE_SIMD) {
    const L = 16 / sizeof<T>();
    const one = v128.splat<T>(1);
    const scaleV = v128.splat<T>(gradScale);
    let sum = v128.splat<T>(0);
    for (; i + L <= end; i += L) {
      const xv = v128.load(at<T>(x, i));
      const yv = v128.load(at<T>(y, i));
      const pwv = pw ? v128.load(at<T>(pw, i)) : one;
      const wv = w ? v128.load(at<T>(w, i)) : one;
      const value = v128.mul<T>(wv, loss.valueV<T>(xv, yv, pwv));
      if (lossOut) v128.store(at<T>(lossOut, i), value);
      sum = v128.add<T>(sum, value);
      if (grad) {
        const g = gradOutput ? v128.mul<T>(scaleV, v128.load(at<T>(gradOutput, i))) : scaleV;
        v128.store(at<T>(grad, i), v128.mul<T>(v128.mul<T>(g, wv), loss.gradV<T>(xv, yv, pwv)));
      }
    }
    total = horizontalSum<T>(sum);
  }
  for (; i < end; i++) {
    const xi = load<T>(at<T>(x, i));
    const yi = load<T>(at<T>(y, i));
    const pwi = pw ? load<T>(at<T>(pw, i)) : <T>1;
    const wi = w ? load<T>(at<T>(w, i)) : <T>1;
    const value = wi * loss.value<T>(xi, yi, pwi);
    if (lossOut) store<T>(at<T>(lossOut, i), value);
    total += value;
    if (grad) {
      const g = gradOutput ? gradScale * load<T>(at<T>(gradOutput, i)) : gradScale;
      store<T>(at<T>(grad, i), g * wi * loss.grad<T>(xi, yi, pwi));
    }
  }
  return total;
}

// @ts-ignore: decorator
@inline export function elementwiseLoss<L, T>(
  x: usize, y: usize, rows: i32, cols: i32, weight: usize, weightPerElement: i32,
  posWeight: usize, posWeightPerElement: i32,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize, lossParams: usize,
): f64 {
  const loss = changetype<L>(lossParams);
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    const w = weight ? (weightPerElement ? at<T>(weight, offset) : weight) : 0;
    const pw = posWeight ? (posWeightPerElement ? at<T>(posWeight, offset) : posWeight) : 0;
    for (let start = 0; start < cols; start += SPAN) {
      total += <f64>span<L, T>(
        at<T>(x, offset), at<T>(y, offset), w, pw, start, min(cols, start + SPAN),
        lossOut ? at<T>(lossOut, offset) : 0, grad ? at<T>(grad, offset) : 0, <T>gradScale,
        gradOutput ? at<T>(gradOutput, offset) : 0, loss,
      );
    }
  }
  return total;
}
