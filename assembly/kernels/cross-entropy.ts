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
//
// Class-index targets also take the language-model options (Liger-Kernel's, PaLM's, Gemma's):
//   softcap c > 0: every logit becomes z_j = c · tanh(x_j / c) first; ∂z_j/∂x_j = sech²(x_j / c).
//   z-loss: zLoss_r = zScale · L_r² (L_r = log Σ_j exp z_j, not for ignored rows), written to zLossOut; its
//     gradient 2 · zScale · L_r · softmax_j comes in as zGrad · L_r · softmax_j, zGrad = 2 · zScale folded with
//     the ratio of the reductions' divisors, so that q's sum above becomes Σq + zGrad · L_r.
//   lseOut: L_r for every row.  safe: a row of all −inf, or an ignored row, gives loss 0 and gradient 0.
//   Vocabulary shards: the row holds columns [vocabStart, vocabStart + C) of a vocabulary of vocabSize, the
//     row's global L comes in as lseIn (f64), targets are global, weight covers the whole vocabulary, and the row's
//     loss is its share: the target term where the shard holds t, the smoothing term over its columns.
//     softmax_j = exp(z_j − L), so the shards' gradients are the columns of the unsharded one.

import { expScalar, logScalar } from '../math/exp';
import { AFFINE, AXPBY, SCALE } from '../math/sum-exp';
import {
  GROUP_LOG_SUM, GROUP_MAX, GROUP_ROWS, GROUP_SUM, GROUP_WIDEST, groupLane, groupRow, NARROW_ROW,
} from '../math/group-rows';
import { narrowRun } from './cross-entropy-narrow';
import {
  at, keptRowBounded, rowAffine, rowAxpby, rowMax, rowMaxKept, rowScale, rowScaleReadingAhead, rowSumExp,
  rowSumExpAnySign, rowSumExpCapped, rowTimesSoftcapSlope, rowWeightedSumCapped, rowWeightedSumShifted, rowZero,
  scaleReadsAhead, softcapScalar, takeAheadBounded, takeAheadMax, withCompensation,
} from '../math/rows';

// @ts-ignore: decorator
@inline function rowGradScale<T>(gradScale: f64, gradOutput: usize, r: i32): T {
  return gradOutput ? <T>(gradScale * <f64>load<T>(at<T>(gradOutput, r))) : <T>gradScale;
}

/** Σ of n weights (n when there are none). */
function weightTotal<T>(weight: usize, n: i32): T {
  if (!weight) return <T>n;
  let sum = <T>0;
  for (let j = 0; j < n; j++) sum += load<T>(at<T>(weight, j));
  return sum;
}

export function crossEntropyIndexRows<T>(
  x: usize, rows: i32, classes: i32, targets: usize, weight: usize, smoothing: T,
  softcap: T, zScale: T, zGrad: f64, lseIn: usize, vocabStart: i32, vocabSize: i32, safe: i32,
  lossOut: usize, zLossOut: usize, lseOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  const smoothPerClass = smoothing / <T>vocabSize;
  const keep = <T>1 - smoothing;
  const shardWeight = weight ? at<T>(weight, vocabStart) : 0;
  const weightSumAll = weightTotal<T>(weight, vocabSize);
  const weightSumShard = weightTotal<T>(shardWeight, classes);
  const capped = softcap > 0;
  const invCap = capped ? <T>1 / softcap : <T>0;
  // the row's max when the previous row's Σ exp pass read it ahead
  let ahead = false;
  let aheadMax = <T>0;
  let aheadBounded = false;
  // rows of few classes: max, Σ exp and log for sixteen rows at once, four per vector
  const narrow = ASC_FEATURE_SIMD && sizeof<T>() == 4 && classes <= NARROW_ROW && !capped && !lseIn && !safe;
  // and without smoothing, z-loss, shards or log-sum-exps out, their losses and gradients four rows a vector: rows of
  // up to 44 classes, or of up to 63 that the row path would end in a scalar tail (bench/NOTES.md)
  const whole = vocabStart == 0 && classes == vocabSize;
  const grouped = classes <= 44 || (classes <= GROUP_WIDEST && (classes & 3) != 0);
  const plainRows = !capped && !lseIn && !safe && whole && smoothing == 0 && !zLossOut && !lseOut && zGrad == 0;
  const quick = ASC_FEATURE_SIMD && sizeof<T>() == 4 && grouped && plainRows;
  for (let r = 0; r < rows; r++) {
    if (ASC_FEATURE_SIMD && quick) {
      const count = min(GROUP_ROWS, rows - r);
      const q0 = <f32>(smoothPerClass * weightSumAll);
      narrowRun(x, r, count, classes, targets, weight, <f32>keep, q0, lossOut, grad, gradScale, gradOutput);
      r += count - 1;
      continue;
    }
    const row = at<T>(x, r * classes);
    const gradRow = grad ? at<T>(grad, r * classes) : 0;
    const lane = ASC_FEATURE_SIMD && narrow ? groupRow<T>(r, rows, row, classes, gradRow) : 0;
    const haveMax = ahead;
    ahead = false;
    const t = load<i32>(<usize>targets + (<usize>r << 2));
    const ignored = t < 0;
    if (ignored) {
      store<T>(at<T>(lossOut, r), <T>0);
      if (zLossOut) store<T>(at<T>(zLossOut, r), <T>0);
      if (grad) rowZero<T>(gradRow, classes);
      // PyTorch's gradient of an ignored row is NaN where its log-softmax is (L not finite), unless safe
      if (!lseOut && !(grad && !safe)) continue;
    }
    // L = shift + logSum; e_j = exp(z_j − shift) stored in gradRow for a row that takes a gradient
    const eOut = grad && !ignored ? gradRow : 0;
    let shift: T, logSum: T, s: T;
    let next: usize = 0;
    let nextInScale = false;
    if (lseIn) {
      // the global log-sum-exp in f64: a shift in T and the residual, so that exp(z − lse) does not carry T's
      // rounding of lse (e^residual scales the gradient as the unsharded Σ does)
      const lse64 = load<f64>(lseIn + (<usize>r << 3));
      shift = <T>lse64;
      logSum = isFinite(lse64) ? <T>(lse64 - <f64>shift) : <T>0;
      s = expScalar<T>(logSum);
      if (eOut && !(safe && shift == <T>-Infinity)) {
        if (capped) rowSumExpCapped<T>(row, classes, shift, softcap, invCap, eOut);
        else rowSumExpAnySign<T>(row, classes, shift, eOut);
      }
    } else if (ASC_FEATURE_SIMD && narrow) {
      // (its e_j are in gradRow already: an ignored row's were zeroed above, after they were written)
      shift = groupLane<T>(GROUP_MAX, lane);
      s = groupLane<T>(GROUP_SUM, lane);
      logSum = groupLane<T>(GROUP_LOG_SUM, lane);
    } else {
      // (a row whose exps are kept and whose max was not read ahead reads its bound with it)
      const kept = eOut != 0 && !capped;
      const m = haveMax ? aheadMax : kept ? rowMaxKept<T>(row, classes) : rowMax<T>(row, classes);
      const bounded = haveMax ? aheadBounded : kept && keptRowBounded();
      shift = capped ? softcapScalar<T>(m, softcap, invCap) : m;
      // (a row of all −inf has no finite shift: its sum is NaN, and its log-sum-exp −inf)
      if (safe && m == <T>-Infinity) {
        s = <T>0;
      } else if (capped) {
        s = rowSumExpCapped<T>(row, classes, shift, softcap, invCap, eOut);
      } else {
        next = r + 1 < rows ? at<T>(row, classes) : 0;
        // (where scaleReadsAhead, the gradient's scale pass reads the next row instead, below)
        nextInScale = eOut != 0 && scaleReadsAhead<T>(rows, classes);
        s = <T>rowSumExp<T>(row, classes, shift, eOut, nextInScale ? 0 : next, bounded);
        ahead = next != 0 && !nextInScale;
        aheadMax = takeAheadMax<T>();
        aheadBounded = takeAheadBounded();
      }
      logSum = logScalar<T>(s);
    }
    const lse = shift + logSum;
    if (lseOut) store<T>(at<T>(lseOut, r), lse);
    if (ignored) {
      if (grad && !safe && !isFinite<T>(lse)) rowAffine<T>(gradRow, classes, 0, <T>NaN);
      continue;
    }
    if (safe && shift == <T>-Infinity) {
      store<T>(at<T>(lossOut, r), <T>0);
      if (zLossOut) store<T>(at<T>(zLossOut, r), <T>0);
      if (grad) rowZero<T>(gradRow, classes);
      continue;
    }
    const local = t - vocabStart;
    const inShard = local >= 0 && local < classes;
    const wt = weight ? load<T>(at<T>(weight, t)) : <T>1;
    let loss = <T>0;
    if (inShard) {
      const xt = load<T>(at<T>(row, local));
      loss = -wt * ((capped ? softcapScalar<T>(xt, softcap, invCap) : xt) - shift - logSum);
    }
    if (smoothing > 0) {
      const weighted = capped
        ? rowWeightedSumCapped<T>(row, shardWeight, classes, shift, softcap, invCap)
        : rowWeightedSumShifted<T>(row, shardWeight, classes, shift);
      loss = keep * loss - smoothPerClass * (weighted - logSum * weightSumShard);
    }
    store<T>(at<T>(lossOut, r), loss);
    if (zLossOut) store<T>(at<T>(zLossOut, r), zScale * lse * lse);
    if (grad) {
      // ∂loss/∂z_j = softmax_j · (Σq + zGrad · L) − q_j, softmax_j = e_j / s
      const g = rowGradScale<T>(gradScale, gradOutput, r);
      const a = g * (keep * wt + smoothPerClass * weightSumAll) / s;
      const aZ = zGrad != 0 ? g * <T>zGrad * lse / s : <T>0;
      const b = -g * smoothPerClass;
      const et = inShard ? load<T>(at<T>(gradRow, local)) : <T>0;
      if (nextInScale) {
        const form = smoothing > 0 ? (weight ? AXPBY : AFFINE) : SCALE;
        rowScaleReadingAhead<T>(gradRow, classes, a + aZ, next, form, b, smoothing > 0 ? shardWeight : 0);
        ahead = next != 0;
        aheadMax = takeAheadMax<T>();
        aheadBounded = takeAheadBounded();
      } else if (smoothing > 0) {
        if (weight) rowAxpby<T>(gradRow, shardWeight, classes, a + aZ, b);
        else rowAffine<T>(gradRow, classes, a + aZ, b);
      } else {
        rowScale<T>(gradRow, classes, a + aZ);
      }
      if (inShard) {
        // the target's softmax · Σq − q cancels: the z-loss's term is added after it, not rounded into Σq
        const bt = smoothing > 0 ? b * (weight ? load<T>(at<T>(shardWeight, local)) : <T>1) : <T>0;
        store<T>(at<T>(gradRow, local), (a * et + bt - g * keep * wt) + aZ * et);
      }
      if (capped) rowTimesSoftcapSlope<T>(gradRow, row, classes, invCap);
    }
  }
}

export function crossEntropyProbRows<T>(
  x: usize, targets: usize, rows: i32, classes: i32, weight: usize, smoothing: T,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  const smoothPerClass = smoothing / <T>classes;
  const keep = <T>1 - smoothing;
  // rows of few classes: max, Σ exp and log for sixteen rows at once, four per vector
  const narrow = ASC_FEATURE_SIMD && sizeof<T>() == 4 && classes <= NARROW_ROW;
  let m = rows > 0 && !narrow ? (grad ? rowMaxKept<T>(x, classes) : rowMax<T>(x, classes)) : <T>0;
  let bounded = rows > 0 && !narrow && grad != 0 && keptRowBounded();
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * classes);
    const targetRow = at<T>(targets, r * classes);
    const gradRow = grad ? at<T>(grad, r * classes) : 0;
    let s: T, rowShift: T, logSum: T;
    if (ASC_FEATURE_SIMD && narrow) {
      const lane = groupRow<T>(r, rows, row, classes, gradRow);
      rowShift = groupLane<T>(GROUP_MAX, lane);
      s = groupLane<T>(GROUP_SUM, lane);
      logSum = groupLane<T>(GROUP_LOG_SUM, lane);
    } else {
      const next = r + 1 < rows ? at<T>(row, classes) : 0;
      s = <T>rowSumExp<T>(row, classes, m, gradRow, next, bounded);
      rowShift = m;
      m = takeAheadMax<T>();
      bounded = takeAheadBounded();
      logSum = logScalar<T>(s);
    }
    // Pass 2: loss and Σ q_k w_k (plain loops in both builds), summed in f64 and compensated
    // (Neumaier) so that long rows keep PyTorch's pairwise-sum accuracy.
    let lossSum: f64 = 0, lossComp: f64 = 0;
    let qwSum: f64 = 0, qwComp: f64 = 0;
    for (let j = 0; j < classes; j++) {
      let q = load<T>(at<T>(targetRow, j));
      if (smoothing > 0) q = q * keep + smoothPerClass;
      const w = weight ? load<T>(at<T>(weight, j)) : <T>1;
      const term = <f64>((load<T>(at<T>(row, j)) - rowShift - logSum) * q * w);
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
      // Pass 3: ∂loss/∂x_j = g · (e_j · Σqw / s − q_j w_j), e_j = exp(x_j − m) stored by pass 1.
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
