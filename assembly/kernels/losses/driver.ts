// The one driver of the elementwise losses: loss_i = w_i · ℓ(x_i, y_i) and, when `grad` is not 0,
// grad_i = g_i · w_i · ∂ℓ/∂x_i with g_i = gradScale · (gradOutput ? gradOutput[i] : 1).
// The data is seen as rows × cols (cols = the last dim): `weight` and `posWeight` hold one value per
// element (perElement = 1) or one per column, broadcast over the rows. The driver returns Σ loss_i (in
// f64 across spans of SPAN elements) and stores each loss_i when `lossOut` is not 0.
//
// A loss is an unmanaged class L (one per file beside this one) whose fields are its own params (Huber's
// delta, focal's α and γ; none for most): they lay out its part of the kernel's params block. Its four inlined
// methods take (x, y, posWeight; a loss ignores the posWeight it has no use for) and the values of its first two
// fields, p0 and p1, which the driver loads into locals once per call (read through the receiver inside the loop,
// they were a load per vector: klDiv 1.1–1.2×, focal 1.05× the time):
//   value<T>, grad<T>     on scalars of T: the plain reference, and the scalar build;
//   valueV<T>, gradV<T>   on v128 of T: the SIMD build's loop; or, for a loss whose value and gradient share their
//                         work (an exp, σ), valueGradV<T>: the value, and with `withGrad` the gradient in GradLanes.
// Each instantiation is its own inlined copy of the loop. A loss with more than two params adds a p2 here.

import { vectorOne } from '../../math/log';
import { at, horizontalSum } from '../../math/rows';
import { gradLanes } from './grad-lanes';

// @ts-ignore: decorator
@inline const SPAN: i32 = 1024;

/** loss_i, stored (and grad_i) as asked: the plain reference, and the scalar build. */
// @ts-ignore: decorator
@inline function term<L, T>(
  x: usize, y: usize, w: usize, pw: usize, i: i32,
  lossOut: usize, grad: usize, gradScale: T, gradOutput: usize, loss: L, p0: f64, p1: f64,
): T {
  const xi = load<T>(at<T>(x, i));
  const yi = load<T>(at<T>(y, i));
  const pwi = pw ? load<T>(at<T>(pw, i)) : <T>1;
  const wi = w ? load<T>(at<T>(w, i)) : <T>1;
  const value = wi * loss.value<T>(xi, yi, pwi, p0, p1);
  if (lossOut) store<T>(at<T>(lossOut, i), value);
  if (grad) {
    const g = gradOutput ? gradScale * load<T>(at<T>(gradOutput, i)) : gradScale;
    store<T>(at<T>(grad, i), g * wi * loss.grad<T>(xi, yi, pwi, p0, p1));
  }
  return value;
}

/**
 * The scalar build's span: summed in the SIMD build's lanes (element i into lane i mod 16 / sizeof<T>, the
 * accumulators rotating), the lanes added as horizontalSum adds them, then the tail: the SIMD build's order,
 * so the same roundings and the same float32 overflow when terms come near 3.4e38.
 */
// @ts-ignore: decorator
@inline function scalarSpan<L, T>(
  x: usize, y: usize, w: usize, pw: usize, start: i32, end: i32,
  lossOut: usize, grad: usize, gradScale: T, gradOutput: usize, loss: L, p0: f64, p1: f64,
): T {
  const lanes = 16 / sizeof<T>();
  const vectorEnd = start + ((end - start) / lanes) * lanes;
  let s0 = <T>0, s1 = <T>0, s2 = <T>0, s3 = <T>0;
  let i = start;
  for (; i < vectorEnd; i++) {
    const sum = s0 + term<L, T>(x, y, w, pw, i, lossOut, grad, gradScale, gradOutput, loss, p0, p1);
    s0 = s1;
    s1 = lanes == 4 ? s2 : sum;
    s2 = s3;
    s3 = sum;
  }
  let total = lanes == 4 ? s0 + s1 + (s2 + s3) : s0 + s1;
  for (; i < end; i++) total += term<L, T>(x, y, w, pw, i, lossOut, grad, gradScale, gradOutput, loss, p0, p1);
  return total;
}

/** The last lane of v: a tail element's, loaded as the last of a vector. */
// @ts-ignore: decorator
@inline function lastLane<T>(v: v128): T {
  return sizeof<T>() == 4 ? <T>f32x4.extract_lane(v, 3) : <T>f64x2.extract_lane(v, 1);
}

/** Σ loss over elements [start, end) of one row; see the file comment for the arguments. */
// @ts-ignore: decorator
@inline function span<L, T>(
  x: usize, y: usize, w: usize, pw: usize, start: i32, end: i32,
  lossOut: usize, grad: usize, gradScale: T, gradOutput: usize, loss: L, p0: f64, p1: f64,
): T {
  if (!ASC_FEATURE_SIMD) {
    return scalarSpan<L, T>(x, y, w, pw, start, end, lossOut, grad, gradScale, gradOutput, loss, p0, p1);
  }
  // Whole vectors, then each tail element as the last lane of the vector that ends with it (the loss's vector code
  // once: its scalar methods stay out of the SIMD builds, for the download budget). The lanes before it are read, not
  // used: they lie before the element in WebAssembly memory, which holds static data below every array.
  const L = 16 / sizeof<T>();
  const one = vectorOne<T>();
  const scaleV = v128.splat<T>(gradScale);
  const vectorEnd = start + ((end - start) / L) * L;
  let sum = v128.splat<T>(0);
  let total = <T>0;
  for (let i = start; i < end; ) {
    const whole = i < vectorEnd;
    const first = whole ? i : i - (L - 1);
    const xv = v128.load(at<T>(x, first));
    const yv = v128.load(at<T>(y, first));
    const pwv = pw ? v128.load(at<T>(pw, first)) : one;
    const wv = w ? v128.load(at<T>(w, first)) : one;
    let value: v128;
    let lossGrad = one;
    if (isDefined(loss.valueGradV)) {
      // a loss whose value and gradient share their work: one inlined copy of it
      value = v128.mul<T>(wv, loss.valueGradV<T>(xv, yv, pwv, p0, p1, grad != 0));
      if (grad) lossGrad = gradLanes();
    } else {
      value = v128.mul<T>(wv, loss.valueV<T>(xv, yv, pwv, p0, p1));
      if (grad) lossGrad = loss.gradV<T>(xv, yv, pwv, p0, p1);
    }
    let g = one;
    if (grad) {
      const go = gradOutput ? v128.load(at<T>(gradOutput, first)) : one;
      g = v128.mul<T>(v128.mul<T>(v128.mul<T>(scaleV, go), wv), lossGrad);
    }
    if (whole) {
      if (lossOut) v128.store(at<T>(lossOut, i), value);
      if (grad) v128.store(at<T>(grad, i), g);
      sum = v128.add<T>(sum, value);
      i += L;
      continue;
    }
    // the tail, added after the lanes' sum (as the scalar build adds it)
    if (i == vectorEnd) total = horizontalSum<T>(sum);
    const v = lastLane<T>(value);
    if (lossOut) store<T>(at<T>(lossOut, i), v);
    if (grad) store<T>(at<T>(grad, i), lastLane<T>(g));
    total += v;
    i++;
  }
  return end > vectorEnd ? total : horizontalSum<T>(sum);
}

// @ts-ignore: decorator
@inline export function elementwiseLoss<L, T>(
  x: usize, y: usize, rows: i32, cols: i32, weight: usize, weightPerElement: i32,
  posWeight: usize, posWeightPerElement: i32,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize, lossParams: usize,
): f64 {
  const loss = changetype<L>(lossParams);
  // the loss's first two params (its params block is 256 bytes: reading past a shorter loss's is harmless)
  const p0 = load<f64>(lossParams);
  const p1 = load<f64>(lossParams, 8);
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    const w = weight ? (weightPerElement ? at<T>(weight, offset) : weight) : 0;
    const pw = posWeight ? (posWeightPerElement ? at<T>(posWeight, offset) : posWeight) : 0;
    for (let start = 0; start < cols; start += SPAN) {
      total += <f64>span<L, T>(
        at<T>(x, offset), at<T>(y, offset), w, pw, start, min(cols, start + SPAN),
        lossOut ? at<T>(lossOut, offset) : 0, grad ? at<T>(grad, offset) : 0, <T>gradScale,
        gradOutput ? at<T>(gradOutput, offset) : 0, loss, p0, p1,
      );
    }
  }
  return total;
}
