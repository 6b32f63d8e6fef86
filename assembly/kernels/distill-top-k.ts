// Distillation from a teacher's top k: per row, the ids of its k most probable tokens (sorted, distinct, checked by
// the caller) and their log-probabilities, against the student's logits over the whole vocabulary. The outcomes:
//   tail 'renormalize'  the k ids, both distributions restricted to them and renormalised:
//                       log q̃_i = a_i − log Σ_{i'} e^{a_i'},  log p̃_i = b_i − log Σ_{i'} e^{b_i'};
//   tail 'bucket'       the k ids and one more outcome, the rest of the vocabulary: the student's
//                       q_rest = Σ_{j∉ids} e^{a_j} / Σ_j e^{a_j} (summed over the rest itself, never 1 − Σ q_i), the
//                       teacher's p_rest = 1 − Σ p_i = −expm1(log Σ p_i) (no cancellation);
// with a = student logits / τ and b = the teacher's log-probabilities / τ (at τ ≠ 1 the teacher's k (+ 1) outcomes are
// tempered among themselves: its other tokens are unknown). Each outcome's term and v_o = ∂ℓ_o/∂ log q̂_o are the dense
// kernel's (termScalar, in f64: k is small). The gradient for the student's logits, with u_o = g_o v_o, U = Σ_o u_o:
//   renormalize  ∂/∂s_i = c (u_i − q̃_i U) on the ids, 0 elsewhere;
//   bucket       ∂/∂s_i = c (u_i − q_i U) on the ids, c q_j (u_rest / q_rest − U) elsewhere;
// c = lossScale / τ. The bucket is left out where the ids are the whole vocabulary (its mass is rounding).

import { at, rowMax, rowScale, rowSumExpScaledWide, rowZero } from '../math/rows';
import { lastSlope, termF64 } from './distill';

/** The row's sums and logs (globals: each thread's instance has its own; kernels allocate nothing). */
let studentMax: f64 = 0;
let supportSum: f64 = 0; // Σ e^{a_i − max} over the ids
let restSum: f64 = 0; // the same over every other token
let studentNormalizer: f64 = 0; // log of what log q̂ subtracts: Σ over the ids (renormalize) or over all
let teacherRestLog: f64 = 0; // log p_rest, before the temperature
let teacherNormalizer: f64 = 0; // log Σ_o e^{b_o}
let outcomeQ: f64 = 0; // q̂_o of the last outcomeTerm
let slopeTotal: f64 = 0; // U = Σ_o u_o
let bucketOn: bool = false; // the call's tail is the bucket

export function distillTopKRows<T>(
  x: usize, rows: i32, cols: i32, ids: usize, teacher: usize, k: i32, labels: usize, divergence: i32, beta: f64,
  invTemperature: T, lossScale: T, bucket: i32, perElement: i32, lossOut: usize, grad: usize, gradScale: f64,
  gradOutput: usize,
): void {
  const rest = bucket != 0 && k < cols; // the bucket, unless the ids are the whole vocabulary
  bucketOn = rest;
  const outcomes = rest ? k + 1 : k;
  for (let r = 0; r < rows; r++) {
    const s = at<T>(x, r * cols);
    const rowIds = ids + ((<usize>r * <usize>k) << 2);
    const rowTeacher = at<T>(teacher, r * k);
    const lossRow = perElement ? at<T>(lossOut, r * outcomes) : 0;
    const gradRow = grad ? at<T>(grad, r * cols) : 0;
    const upstream = gradOutput ? at<T>(gradOutput, r * outcomes) : 0;
    if (labels && load<i32>(labels + (<usize>r << 2)) < 0) {
      if (gradRow) rowZero<T>(gradRow, cols);
      if (lossRow) rowZero<T>(lossRow, outcomes);
      else store<T>(at<T>(lossOut, r), 0);
      continue;
    }
    const invT = <f64>invTemperature;
    studentSums<T>(s, cols, rowIds, k, invTemperature, rest);
    teacherLogs<T>(rowTeacher, k, invT, rest);
    // the loss, and U = Σ_o u_o for the gradient
    let loss: f64 = 0;
    let total: f64 = 0;
    for (let o = 0; o < outcomes; o++) {
      const term = outcomeTerm<T>(s, rowIds, rowTeacher, o, k, invT, divergence, beta);
      loss += term;
      if (lossRow) store<T>(at<T>(lossRow, o), <T>(term * <f64>lossScale));
      total += upstreamOf<T>(upstream, o, gradScale) * lastSlope();
    }
    if (!perElement) store<T>(at<T>(lossOut, r), <T>(loss * <f64>lossScale));
    slopeTotal = total;
    if (!gradRow) continue;
    const scale = <f64>lossScale;
    gradientRow<T>(s, gradRow, cols, rowIds, rowTeacher, k, invT, divergence, beta, scale, gradScale, upstream);
    idsGradient<T>(s, gradRow, rowIds, rowTeacher, k, invT, divergence, beta, scale, gradScale, upstream);
  }
}

/** g_o: the upstream gradient of outcome o (gradScale times its own value, when there is one per outcome). */
// @ts-ignore: decorator
@inline function upstreamOf<T>(upstream: usize, o: i32, gradScale: f64): f64 {
  return upstream ? gradScale * <f64>load<T>(at<T>(upstream, o)) : gradScale;
}

/**
 * The student's max (over the ids when renormalising: the other tokens play no part, a NaN among them included), its
 * Σ e^{a − max} over the ids and (bucket) over the other tokens, between the sorted ids, and the log it normalises by.
 */
function studentSums<T>(s: usize, n: i32, rowIds: usize, k: i32, invTemperature: T, rest: bool): void {
  let m = <T>-Infinity;
  if (rest) m = rowMax<T>(s, n);
  else for (let i = 0; i < k; i++) m = max<T>(m, load<T>(at<T>(s, load<i32>(rowIds + (<usize>i << 2)))));
  let support: f64 = 0;
  let others: f64 = 0;
  let start = 0;
  for (let i = 0; i < k; i++) {
    const id = load<i32>(rowIds + (<usize>i << 2));
    if (rest) others += rowSumExpScaledWide<T>(at<T>(s, start), id - start, m, invTemperature, 0);
    support += Math.exp((<f64>load<T>(at<T>(s, id)) - <f64>m) * <f64>invTemperature);
    start = id + 1;
  }
  if (rest) others += rowSumExpScaledWide<T>(at<T>(s, start), n - start, m, invTemperature, 0);
  studentMax = <f64>m;
  supportSum = support;
  restSum = others;
  studentNormalizer = Math.log(rest ? support + others : support);
}

/** The teacher's log p_rest (bucket) and the log of its tempered outcomes' sum. */
function teacherLogs<T>(rowTeacher: usize, k: i32, invT: f64, rest: bool): void {
  let m = -Infinity;
  for (let i = 0; i < k; i++) m = max(m, <f64>load<T>(at<T>(rowTeacher, i)));
  let sum: f64 = 0;
  for (let i = 0; i < k; i++) sum += Math.exp(<f64>load<T>(at<T>(rowTeacher, i)) - m);
  const logMass = m + Math.log(sum); // log Σ p_i
  teacherRestLog = logMass >= 0 ? -Infinity : Math.log(-Math.expm1(logMass));
  // log Σ_o e^{b_o}, b_o = log p_o / τ, over the ids (and the bucket)
  let bm = rest ? teacherRestLog * invT : -Infinity;
  for (let i = 0; i < k; i++) bm = max(bm, <f64>load<T>(at<T>(rowTeacher, i)) * invT);
  let bsum: f64 = rest ? Math.exp(teacherRestLog * invT - bm) : 0;
  for (let i = 0; i < k; i++) bsum += Math.exp(<f64>load<T>(at<T>(rowTeacher, i)) * invT - bm);
  teacherNormalizer = bm + Math.log(bsum);
}

/** log q̂_o of outcome o (o = k: the bucket). */
// @ts-ignore: decorator
@inline function studentLog<T>(s: usize, rowIds: usize, o: i32, k: i32, invT: f64): f64 {
  if (o == k) return Math.log(restSum) - studentNormalizer;
  const id = load<i32>(rowIds + (<usize>o << 2));
  return (<f64>load<T>(at<T>(s, id)) - studentMax) * invT - studentNormalizer;
}

/** Outcome o's term (its v_o left by termScalar, its q̂_o in outcomeQ). */
function outcomeTerm<T>(
  s: usize, rowIds: usize, rowTeacher: usize, o: i32, k: i32, invT: f64, divergence: i32, beta: f64,
): f64 {
  const lq = studentLog<T>(s, rowIds, o, k, invT);
  const b = o == k ? teacherRestLog : <f64>load<T>(at<T>(rowTeacher, o));
  const lp = b * invT - teacherNormalizer;
  outcomeQ = Math.exp(lq);
  return termF64(lq, lp, lp - lq, divergence, beta);
}

/** The gradient off the ids: c q_j (u_rest / q_rest − U) for the bucket, else 0. */
function gradientRow<T>(
  s: usize, gradRow: usize, n: i32, rowIds: usize, rowTeacher: usize, k: i32, invT: f64, divergence: i32, beta: f64,
  lossScale: f64, gradScale: f64, upstream: usize,
): void {
  if (!(k < n && bucketOn) || restSum == 0) { // (a NaN sum goes on: its gradient is NaN)
    rowZero<T>(gradRow, n);
    return;
  }
  outcomeTerm<T>(s, rowIds, rowTeacher, k, k, invT, divergence, beta);
  const factor = lossScale * invT * ((upstreamOf<T>(upstream, k, gradScale) * lastSlope()) / outcomeQ - slopeTotal);
  rowSumExpScaledWide<T>(s, n, <T>studentMax, <T>invT, gradRow); // e_j, then q_j · factor
  rowScale<T>(gradRow, n, <T>(factor / (supportSum + restSum)));
}

/** The gradient on the ids: c (u_i − q̂_i U). */
function idsGradient<T>(
  s: usize, gradRow: usize, rowIds: usize, rowTeacher: usize, k: i32, invT: f64, divergence: i32, beta: f64,
  lossScale: f64, gradScale: f64, upstream: usize,
): void {
  for (let i = 0; i < k; i++) {
    outcomeTerm<T>(s, rowIds, rowTeacher, i, k, invT, divergence, beta);
    const u = upstreamOf<T>(upstream, i, gradScale) * lastSlope();
    const id = load<i32>(rowIds + (<usize>i << 2));
    store<T>(at<T>(gradRow, id), <T>(lossScale * invT * (u - outcomeQ * slopeTotal)));
  }
}
