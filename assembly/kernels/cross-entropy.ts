// Fused softmax cross-entropy over rows of C logits: loss per row and, when `grad` is not 0, the
// gradient of Σ_r g_r · loss_r with respect to the logits, with exp evaluated once per element.
//
// With m = max_j x_j, s = Σ_j exp(x_j − m), logp_j = (x_j − m) − log s and softmax_j = exp(x_j − m)/s:
//
// Class-index targets t (t < 0 marks an ignored row: loss 0; gradient 0, or NaN where the row's log-softmax
// is NaN — a row of all −inf, or one holding NaN or +inf — since PyTorch's log-softmax backward takes
// 0 − exp(logp)·0 there), class weights w (all 1 when absent), label smoothing ε, as F.cross_entropy:
//   nll    = −w_t · logp_t
//   smooth = −Σ_j w_j · logp_j = −(Σ_j w_j (x_j − m) − log s · Σ_j w_j)        (only when ε > 0)
//   loss   = (1 − ε) · nll + (ε / C) · smooth
//   It is −Σ_j q_j logp_j for q_j = (1 − ε) w_t [j = t] + (ε / C) w_j, so
//   ∂loss/∂x_j = softmax_j · Σ_k q_k − q_j,  Σ_k q_k = (1 − ε) w_t + (ε / C) Σ_k w_k.
//
// Probability targets p (one row of C per row), as PyTorch:
//   q_j = (1 − ε) p_j + ε / C,  loss = −Σ_j logp_j · q_j · w_j
//   ∂loss/∂x_j = softmax_j · Σ_k q_k w_k − q_j w_j
//   (0 · log 0 is NaN here, exactly as in PyTorch, when a −inf logit meets a zero target.)
//
// Gradient scale per row: g_r = gradScale · (gradOutput ? gradOutput[r] : 1); the caller folds the
// reduction into gradScale (1/Σ w_t for 'mean' with class indices, 1/rows with probabilities).

import { logScalar } from '../math/exp';
import {
  at, rowAffine, rowAxpby, rowMax, rowScale, rowSumExp, rowWeightedSumShifted, rowZero, withCompensation,
} from '../math/rows';

// @ts-ignore: decorator
@inline function rowGradScale<T>(gradScale: f64, gradOutput: usize, r: i32): T {
  return gradOutput ? <T>(gradScale * <f64>load<T>(at<T>(gradOutput, r))) : <T>gradScale;
}

export function crossEntropyIndexRows<T>(
  x: usize, rows: i32, classes: i32, targets: usize, weight: usize, smoothing: T,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  const smoothPerClass = smoothing / <T>classes;
  const keep = <T>1 - smoothing;
  let weightSum = <T>classes;
  if (weight) {
    weightSum = <T>0;
    for (let j = 0; j < classes; j++) weightSum += load<T>(at<T>(weight, j));
  }
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * classes);
    const gradRow = grad ? at<T>(grad, r * classes) : 0;
    const t = load<i32>(<usize>targets + (<usize>r << 2));
    if (t < 0) {
      store<T>(at<T>(lossOut, r), <T>0);
      if (grad) {
        rowZero<T>(gradRow, classes);
        // the log-softmax is NaN throughout exactly when Σ exp(x − m) is (m = ±inf, or a NaN in the row)
        if (isNaN<T>(rowSumExp<T>(row, classes, rowMax<T>(row, classes), 0))) rowAffine<T>(gradRow, classes, 0, <T>NaN);
      }
      continue;
    }
    const m = rowMax<T>(row, classes);
    const s = rowSumExp<T>(row, classes, m, gradRow);
    const logSum = logScalar<T>(s);
    const wt = weight ? load<T>(at<T>(weight, t)) : <T>1;
    let loss = -wt * (load<T>(at<T>(row, t)) - m - logSum);
    if (smoothing > 0) {
      const weightedLogp = rowWeightedSumShifted<T>(row, weight, classes, m) - logSum * weightSum;
      loss = keep * loss - smoothPerClass * weightedLogp;
    }
    store<T>(at<T>(lossOut, r), loss);
    if (grad) {
      const g = rowGradScale<T>(gradScale, gradOutput, r);
      if (smoothing > 0) {
        const qSum = keep * wt + smoothPerClass * weightSum;
        if (weight) rowAxpby<T>(gradRow, weight, classes, g * qSum / s, -g * smoothPerClass);
        else rowAffine<T>(gradRow, classes, g * qSum / s, -g * smoothPerClass);
        const p = at<T>(gradRow, t);
        store<T>(p, load<T>(p) - g * keep * wt);
      } else {
        rowScale<T>(gradRow, classes, g * wt / s);
        const p = at<T>(gradRow, t);
        store<T>(p, load<T>(p) - g * wt);
      }
    }
  }
}

export function crossEntropyProbRows<T>(
  x: usize, targets: usize, rows: i32, classes: i32, weight: usize, smoothing: T,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  const smoothPerClass = smoothing / <T>classes;
  const keep = <T>1 - smoothing;
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * classes);
    const targetRow = at<T>(targets, r * classes);
    const gradRow = grad ? at<T>(grad, r * classes) : 0;
    const m = rowMax<T>(row, classes);
    const s = rowSumExp<T>(row, classes, m, gradRow);
    const logSum = logScalar<T>(s);
    // Pass 3: loss and Σ q_k w_k (plain loops in both builds), summed in f64 and compensated
    // (Neumaier) so that long rows keep PyTorch's pairwise-sum accuracy.
    let lossSum: f64 = 0, lossComp: f64 = 0;
    let qwSum: f64 = 0, qwComp: f64 = 0;
    for (let j = 0; j < classes; j++) {
      let q = load<T>(at<T>(targetRow, j));
      if (smoothing > 0) q = q * keep + smoothPerClass;
      const w = weight ? load<T>(at<T>(weight, j)) : <T>1;
      const term = <f64>((load<T>(at<T>(row, j)) - m - logSum) * q * w);
      const qw = <f64>(q * w);
      let t = lossSum - term;
      lossComp += abs(lossSum) >= abs(term) ? lossSum - t - term : -term - t + lossSum;
      lossSum = t;
      t = qwSum + qw;
      qwComp += abs(qwSum) >= abs(qw) ? qwSum - t + qw : qw - t + qwSum;
      qwSum = t;
    }
    const loss = <T>withCompensation(lossSum, lossComp);
    store<T>(at<T>(lossOut, r), loss);
    if (grad) {
      // Pass 4: ∂loss/∂x_j = g · (e_j · Σqw / s − q_j w_j), e_j = exp(x_j − m) stored by pass 2.
      const g = rowGradScale<T>(gradScale, gradOutput, r);
      const a = g * <T>withCompensation(qwSum, qwComp) / s;
      for (let j = 0; j < classes; j++) {
        let q = load<T>(at<T>(targetRow, j));
        if (smoothing > 0) q = q * keep + smoothPerClass;
        const w = weight ? load<T>(at<T>(weight, j)) : <T>1;
        const p = at<T>(gradRow, j);
        store<T>(p, a * load<T>(p) - g * q * w);
      }
    }
  }
}
