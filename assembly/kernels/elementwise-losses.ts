// The elementwise losses, fused with their gradient: loss_i = w_i · ℓ(x_i, y_i) and, when `grad` is not
// 0, grad_i = g_i · w_i · ∂ℓ/∂x_i with g_i = gradScale · (gradOutput ? gradOutput[i] : 1).
// The data is seen as rows × cols (cols = the last dim): `weight` and `posWeight` hold one value per
// element (perElement = 1) or one per column, broadcast over the rows. The kernel returns Σ loss_i
// (in f64 across blocks of SUM_BLOCK) and stores each loss_i when `lossOut` is not 0.
//
// The formulas are PyTorch's (aten/src/ATen/native/Loss.cpp and the backward formulas):
// BCE:             ℓ = (y − 1)·max(log1p(−x), −100) − y·max(log x, −100)
//                  ∂ℓ/∂x = (x − y) / max((1 − x)·x, ε), ε = float32(1e-12)
// BCE with logits: m = max(−x, 0), lw = (pw − 1)·y + 1 (pw = 1 without posWeight)
//                  ℓ = (1 − y)·x + lw·(log(exp(−m) + exp(−x − m)) + m)
//                  ∂ℓ/∂x = (pw·y + 1 − y)·σ(x) − pw·y, σ(x) = 1 / (1 + exp(−x))
// KL divergence:   ℓ = xlogy(y, y) − y·x (0·log 0 = 0),   ∂ℓ/∂x = −y
// KL, log target:  ℓ = exp(y)·(y − x),                       ∂ℓ/∂x = −exp(y)
// MSE:             ℓ = (x − y)²,                              ∂ℓ/∂x = 2·(x − y)

import { expScalar, expVector, logScalar } from '../math/exp';
import { log1pScalar, log1pVector, logVector } from '../math/log';
import { at, horizontalSum } from '../math/rows';

export const BCE = 0;
export const BCE_WITH_LOGITS = 1;
export const KL_DIV = 2;
export const KL_DIV_LOG_TARGET = 3;
export const MSE = 4;

// @ts-ignore: decorator
@inline const SPAN: i32 = 1024;
// PyTorch's EPSILON is the float 1e-12 (9.99999996e-13), for float64 input too; its golden vectors show it.
// @ts-ignore: decorator
@inline const BCE_GRAD_EPSILON: f64 = <f64><f32>1e-12;

// @ts-ignore: decorator
@inline function lossScalar<T>(op: i32, x: T, y: T, pw: T): T {
  if (op == BCE) {
    return (y - <T>1) * max(log1pScalar<T>(-x), <T>-100) - y * max(logScalar<T>(x), <T>-100);
  } else if (op == BCE_WITH_LOGITS) {
    const m = max(-x, <T>0);
    const logWeight = (pw - <T>1) * y + <T>1;
    return (<T>1 - y) * x + logWeight * (logScalar<T>(expScalar<T>(-m) + expScalar<T>(-x - m)) + m);
  } else if (op == KL_DIV) {
    return (y == <T>0 ? <T>0 : y * logScalar<T>(y)) - y * x;
  } else if (op == KL_DIV_LOG_TARGET) {
    return expScalar<T>(y) * (y - x);
  }
  const d = x - y;
  return d * d;
}

// @ts-ignore: decorator
@inline function gradScalar<T>(op: i32, x: T, y: T, pw: T): T {
  if (op == BCE) {
    return (x - y) / max((<T>1 - x) * x, <T>BCE_GRAD_EPSILON);
  } else if (op == BCE_WITH_LOGITS) {
    const sigmoid = <T>1 / (<T>1 + expScalar<T>(-x));
    return (pw * y + <T>1 - y) * sigmoid - pw * y;
  } else if (op == KL_DIV) {
    return -y;
  } else if (op == KL_DIV_LOG_TARGET) {
    return -expScalar<T>(y);
  }
  return <T>2 * (x - y);
}

// The vector code takes max/min as pmax/pmin(value, bound), one instruction each, which keep a NaN value
// (it is their first operand) as the NaN-propagating max/min of the scalar code does.

// @ts-ignore: decorator
@inline function lossVector<T>(op: i32, x: v128, y: v128, pw: v128): v128 {
  const one = v128.splat<T>(1);
  const zero = v128.splat<T>(0);
  if (op == BCE) {
    const floor = v128.splat<T>(-100);
    const logX = v128.pmax<T>(logVector<T>(x), floor);
    const log1mX = v128.pmax<T>(log1pVector<T>(v128.neg<T>(x)), floor);
    return v128.sub<T>(v128.mul<T>(v128.sub<T>(y, one), log1mX), v128.mul<T>(y, logX));
  } else if (op == BCE_WITH_LOGITS) {
    const negX = v128.neg<T>(x);
    const m = v128.pmax<T>(negX, zero);
    const logWeight = v128.add<T>(v128.mul<T>(v128.sub<T>(pw, one), y), one);
    const sum = v128.add<T>(expVector<T>(v128.neg<T>(m)), expVector<T>(v128.sub<T>(negX, m)));
    const softplus = v128.add<T>(logVector<T>(sum), m);
    return v128.add<T>(v128.mul<T>(v128.sub<T>(one, y), x), v128.mul<T>(logWeight, softplus));
  } else if (op == KL_DIV) {
    const yLogY = v128.bitselect(zero, v128.mul<T>(y, logVector<T>(y)), v128.eq<T>(y, zero));
    return v128.sub<T>(yLogY, v128.mul<T>(y, x));
  } else if (op == KL_DIV_LOG_TARGET) {
    return v128.mul<T>(expVector<T>(y), v128.sub<T>(y, x));
  }
  const d = v128.sub<T>(x, y);
  return v128.mul<T>(d, d);
}

// @ts-ignore: decorator
@inline function gradVector<T>(op: i32, x: v128, y: v128, pw: v128): v128 {
  const one = v128.splat<T>(1);
  if (op == BCE) {
    const denominator = v128.pmax<T>(v128.mul<T>(v128.sub<T>(one, x), x), v128.splat<T>(<T>BCE_GRAD_EPSILON));
    return v128.div<T>(v128.sub<T>(x, y), denominator);
  } else if (op == BCE_WITH_LOGITS) {
    const sigmoid = v128.div<T>(one, v128.add<T>(one, expVector<T>(v128.neg<T>(x))));
    const pwY = v128.mul<T>(pw, y);
    return v128.sub<T>(v128.mul<T>(v128.sub<T>(v128.add<T>(pwY, one), y), sigmoid), pwY);
  } else if (op == KL_DIV) {
    return v128.neg<T>(y);
  } else if (op == KL_DIV_LOG_TARGET) {
    return v128.neg<T>(expVector<T>(y));
  }
  return v128.mul<T>(v128.splat<T>(2), v128.sub<T>(x, y));
}

/** Σ loss over elements [start, end) of one row; see the file comment for the arguments. */
// @ts-ignore: decorator
@inline function span<T>(
  op: i32, x: usize, y: usize, w: usize, pw: usize, start: i32, end: i32,
  lossOut: usize, grad: usize, gradScale: T, gradOutput: usize,
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
      const loss = v128.mul<T>(wv, lossVector<T>(op, xv, yv, pwv));
      if (lossOut) v128.store(at<T>(lossOut, i), loss);
      sum = v128.add<T>(sum, loss);
      if (grad) {
        const g = gradOutput ? v128.mul<T>(scaleV, v128.load(at<T>(gradOutput, i))) : scaleV;
        v128.store(at<T>(grad, i), v128.mul<T>(v128.mul<T>(g, wv), gradVector<T>(op, xv, yv, pwv)));
      }
    }
    total = horizontalSum<T>(sum);
  }
  for (; i < end; i++) {
    const xi = load<T>(at<T>(x, i));
    const yi = load<T>(at<T>(y, i));
    const pwi = pw ? load<T>(at<T>(pw, i)) : <T>1;
    const wi = w ? load<T>(at<T>(w, i)) : <T>1;
    const loss = wi * lossScalar<T>(op, xi, yi, pwi);
    if (lossOut) store<T>(at<T>(lossOut, i), loss);
    total += loss;
    if (grad) {
      const g = gradOutput ? gradScale * load<T>(at<T>(gradOutput, i)) : gradScale;
      store<T>(at<T>(grad, i), g * wi * gradScalar<T>(op, xi, yi, pwi));
    }
  }
  return total;
}

// @ts-ignore: decorator
@inline export function elementwiseLoss<T>(
  op: i32, x: usize, y: usize, rows: i32, cols: i32, weight: usize, weightPerElement: i32,
  posWeight: usize, posWeightPerElement: i32, lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): f64 {
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    const w = weight ? (weightPerElement ? at<T>(weight, offset) : weight) : 0;
    const pw = posWeight ? (posWeightPerElement ? at<T>(posWeight, offset) : posWeight) : 0;
    for (let start = 0; start < cols; start += SPAN) {
      total += <f64>span<T>(
        op, at<T>(x, offset), at<T>(y, offset), w, pw, start, min(cols, start + SPAN),
        lossOut ? at<T>(lossOut, offset) : 0, grad ? at<T>(grad, offset) : 0, <T>gradScale,
        gradOutput ? at<T>(gradOutput, offset) : 0,
      );
    }
  }
  return total;
}
