// Distillation: a divergence between a teacher's p = softmax(t / τ) and a student's q = softmax(s / τ), row by row,
// from both rows' logits (a teacher's log-probabilities are logits too: the softmax gives them back). Each element's
// term ℓ_j and v_j = ∂ℓ_j/∂ log q_j (Liger-Kernel's dX), written with the log-ratio d_j = log p_j − log q_j:
//   FORWARD_KL  ℓ_j = p_j d_j                                 v_j = −p_j
//   REVERSE_KL  ℓ_j = −q_j d_j                                v_j = ℓ_j + q_j
//   JSD (β)     ℓ_j = β p_j log(p_j / m_j) + (1 − β) q_j log(q_j / m_j),  m_j = β p_j + (1 − β) q_j
//                                                             v_j = (1 − β) q_j log(q_j / m_j)
//   TVD         ℓ_j = |p_j − q_j| (the caller's lossScale holds the ½)     v_j = q_j sign(q_j − p_j)
// A term whose weight p_j (or q_j) is 0 is 0: 0 · log 0 = 0.
// Accuracy where the student is near the teacher (p_j ≈ q_j, where distillation ends up): d_j comes from the logits
// in f64, d_j = (t_j − s_j) / τ + (row constants), not as the difference of two rounded log-probabilities (whose
// rounding, eps · |log q|, can be all of a small d_j). JSD and TVD are taken relative to the larger of p_j and q_j
// (the base b, the other o = b e^δ, δ = −|d_j|, γ the other's weight in m): with e = expm1(δ),
//   |p_j − q_j| = −b e,   log(m_j / b) = L = log1p(γ e),   ℓ_j = γ o δ − m_j L,   m_j = b (1 + γ e),
// so no log-probability is subtracted from another.
// The gradient goes through the student's log-softmax. With u_j = g_j v_j (g the upstream gradient),
//   ∂loss/∂s_j = lossScale / τ · (u_j − q_j Σ_k u_k),
// which is PyTorch's autograd through log_softmax, term for term, but at a dominant element j (q_j > ½): there u_j
// and q_j Σ u cancel, and u_j can be large (the reverse KL's q_j (1 − d_j), hundreds for a teacher hundreds of nats
// away), so it is u_j (1 − q_j) − q_j Σ_{k≠j} u_k, with 1 − q_j = Σ_{k≠j} q_k and u_j in f64.
// Passes per row: 1 both maxima; 2 both Σ exp; 3 the terms, Σ ℓ and Σ u (u_j kept in the gradient row); 4 the
// gradient (q_j again). Rows whose label is −1 (ignored) get a loss of 0 and a gradient of 0.

import { expNonPositiveVector, expScalar } from '../math/exp';
import { log1pVector } from '../math/log';
import { madd } from '../math/madd';
import { at, horizontalSum, lanes, rowMax, rowSumExpScaledWide } from '../math/rows';

// @ts-ignore: decorator
@inline const FORWARD_KL: i32 = 0;
// @ts-ignore: decorator
@inline const REVERSE_KL: i32 = 1;
// @ts-ignore: decorator
@inline const JSD: i32 = 2;

/** Elements per block of vector partial sums, each block's total then added in f64. */
// @ts-ignore: decorator
@inline const BLOCK: i32 = 512;

/** expm1(δ) by its series to δ¹³ / 13! for δ > −0.3 (within 1e-18 there), exp(δ) − 1 below (|e| > 0.25: no bits
 * lost). The coefficients 1 / k!, k = 13 … 1, the threshold, 1, 0 and ½, in each dtype's lanes, read from memory: V8
 * 13.6 (Node 24) rebuilds a v128 constant inside a loop at each use (see math/exp.ts). */
// @ts-ignore: decorator
@inline const SERIES_LIMIT: i32 = 13;
// @ts-ignore: decorator
@inline const SERIES_ONE: i32 = 14;
// @ts-ignore: decorator
@inline const ZERO: i32 = 15;
// @ts-ignore: decorator
@inline const HALF: i32 = 16;
const F32X4_EXPM1 = memory.data<f32>(
  [
    1.6059044372074283e-10, 1.6059044372074283e-10, 1.6059044372074283e-10, 1.6059044372074283e-10,
    2.0876755879584152e-09, 2.0876755879584152e-09, 2.0876755879584152e-09, 2.0876755879584152e-09,
    2.5052107943679403e-08, 2.5052107943679403e-08, 2.5052107943679403e-08, 2.5052107943679403e-08,
    2.755731998149713e-07, 2.755731998149713e-07, 2.755731998149713e-07, 2.755731998149713e-07,
    2.7557318844628753e-06, 2.7557318844628753e-06, 2.7557318844628753e-06, 2.7557318844628753e-06,
    2.4801587642286904e-05, 2.4801587642286904e-05, 2.4801587642286904e-05, 2.4801587642286904e-05,
    0.00019841270113829523, 0.00019841270113829523, 0.00019841270113829523, 0.00019841270113829523,
    0.0013888889225199819, 0.0013888889225199819, 0.0013888889225199819, 0.0013888889225199819,
    0.008333333767950535, 0.008333333767950535, 0.008333333767950535, 0.008333333767950535, 0.0416666679084301,
    0.0416666679084301, 0.0416666679084301, 0.0416666679084301, 0.1666666716337204, 0.1666666716337204,
    0.1666666716337204, 0.1666666716337204, 0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0, -0.30000001192092896,
    -0.30000001192092896, -0.30000001192092896, -0.30000001192092896, 1.0, 1.0, 1.0, 1.0, 0, 0, 0, 0,
    0.5, 0.5, 0.5, 0.5,
  ],
  16,
);
const F64X2_EXPM1 = memory.data<f64>(
  [
    1.6059043836821613e-10, 1.6059043836821613e-10, 2.08767569878681e-09, 2.08767569878681e-09,
    2.505210838544172e-08, 2.505210838544172e-08, 2.755731922398589e-07, 2.755731922398589e-07,
    2.7557319223985893e-06, 2.7557319223985893e-06, 2.48015873015873e-05, 2.48015873015873e-05,
    0.0001984126984126984, 0.0001984126984126984, 0.001388888888888889, 0.001388888888888889,
    0.008333333333333333, 0.008333333333333333, 0.041666666666666664, 0.041666666666666664, 0.16666666666666666,
    0.16666666666666666, 0.5, 0.5, 1.0, 1.0, -0.3, -0.3, 1.0, 1.0, 0, 0, 0.5, 0.5,
  ],
  16,
);

/** The last row's Σ_j ℓ_j and Σ_j u_j (globals: each thread's instance has its own; kernels allocate nothing). */
let lossSum: f64 = 0;
let slopeSum: f64 = 0;
/** Σ q_j and Σ u_j over the elements with q_j ≤ ½: all but the student's dominant one, if it has one. */
let restQ: f64 = 0;
let restU: f64 = 0;
/** The last term's v_j and q_j, beside the ℓ_j its function returns (q_j: not for the forward KL). */
let slope: f64 = 0;
let lastQ: f64 = 0;
// @ts-ignore: decorator
@lazy let slopeVector = v128.splat<i32>(0);
// @ts-ignore: decorator
@lazy let qVector = v128.splat<i32>(0);
export function distillRows<T>(
  x: usize, teacher: usize, rows: i32, cols: i32, labels: usize, divergence: i32, beta: f64, invTemperature: T,
  lossScale: T, perElement: i32, lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    const s = at<T>(x, offset);
    const t = at<T>(teacher, offset);
    const lossRow = perElement ? at<T>(lossOut, offset) : 0;
    const gradRow = grad ? at<T>(grad, offset) : 0;
    if (labels && load<i32>(labels + (<usize>r << 2)) < 0) {
      ignoreRow<T>(cols, lossRow, gradRow);
      if (!perElement) store<T>(at<T>(lossOut, r), 0);
      continue;
    }
    // passes 1 and 2
    const studentMax = rowMax<T>(s, cols);
    const teacherMax = rowMax<T>(t, cols);
    const studentLogSum = Math.log(rowSumExpScaledWide<T>(s, cols, studentMax, invTemperature, 0));
    const teacherLogSum = Math.log(rowSumExpScaledWide<T>(t, cols, teacherMax, invTemperature, 0));
    // pass 3: d_j = (t_j − s_j) / τ + gapShift
    const gapShift = <f64>invTemperature * (<f64>studentMax - <f64>teacherMax) + (studentLogSum - teacherLogSum);
    const upstream = gradOutput ? at<T>(gradOutput, offset) : 0;
    rowStart<T>(studentMax, teacherMax, studentLogSum, teacherLogSum, invTemperature, gapShift);
    termsRow<T>(s, t, cols, divergence, <T>beta, lossScale, lossRow, gradRow, <T>gradScale, upstream);
    if (!perElement) store<T>(at<T>(lossOut, r), <T>(lossSum * <f64>lossScale));
    // pass 4
    if (!grad) continue;
    gradientRow<T>(s, gradRow, cols, studentMax, <T>studentLogSum, invTemperature, <T>slopeSum, lossScale);
    if (divergence != FORWARD_KL && Math.exp(-studentLogSum) > 0.5) {
      dominantGradient<T>(s, t, gradRow, cols, divergence, beta, <f64>lossScale, gradScale, upstream);
    }
  }
}

/** An ignored row: its losses (when per element) and its gradient are 0. */
function ignoreRow<T>(cols: i32, lossRow: usize, gradRow: usize): void {
  for (let j = 0; j < cols; j++) {
    if (lossRow) store<T>(at<T>(lossRow, j), 0);
    if (gradRow) store<T>(at<T>(gradRow, j), 0);
  }
}

// The row's constants for passes 3 and 4 (globals, as above): each max, each log Σ exp, 1 / τ, and d_j's shift.
let studentShift: f64 = 0;
let teacherShift: f64 = 0;
let studentLog: f64 = 0;
let teacherLog: f64 = 0;
let scale: f64 = 0;
let gapShift: f64 = 0;

function rowStart<T>(sm: T, tm: T, sl: f64, tl: f64, invTemperature: T, shift: f64): void {
  studentShift = <f64>sm;
  teacherShift = <f64>tm;
  studentLog = sl;
  teacherLog = tl;
  scale = <f64>invTemperature;
  gapShift = shift;
}

/**
 * Pass 3: ℓ_j (times lossScale, into lossRow when it is not 0), u_j = g_j v_j (into gradRow when it is not 0; g_j =
 * gradScale · upstream_j, or gradScale without upstream), and their sums into lossSum and slopeSum.
 */
function termsRow<T>(
  s: usize, t: usize, n: i32, divergence: i32, beta: T, lossScale: T, lossRow: usize, gradRow: usize, gradScale: T,
  upstream: usize,
): void {
  let total: f64 = 0;
  let slopes: f64 = 0;
  let qs: f64 = 0;
  let us: f64 = 0;
  const rest = divergence != FORWARD_KL;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const L = lanes<T>();
    const zero = v128.load((sizeof<T>() == 4 ? F32X4_EXPM1 : F64X2_EXPM1) + (<usize>ZERO << 4));
    const sm = v128.splat<T>(<T>studentShift);
    const tm = v128.splat<T>(<T>teacherShift);
    const sl = v128.splat<T>(<T>studentLog);
    const tl = v128.splat<T>(<T>teacherLog);
    const invT = v128.splat<T>(<T>scale);
    const invT64 = f64x2.splat(scale);
    const shift64 = f64x2.splat(gapShift);
    const b = v128.splat<T>(beta);
    const keep = v128.splat<T>(<T>1 - beta);
    const outScale = v128.splat<T>(lossScale);
    const g = v128.splat<T>(gradScale);
    const half = v128.load((sizeof<T>() == 4 ? F32X4_EXPM1 : F64X2_EXPM1) + (<usize>HALF << 4));
    while (j + L <= n) {
      const blockEnd = min(n, j + BLOCK);
      let lossAcc = zero;
      let slopeAcc = zero;
      let restQAcc = zero;
      let restUAcc = zero;
      for (; j + L <= blockEnd; j += L) {
        const sv = v128.load(at<T>(s, j));
        const tv = v128.load(at<T>(t, j));
        const lq = v128.sub<T>(v128.mul<T>(v128.sub<T>(sv, sm), invT), sl);
        const lp = v128.sub<T>(v128.mul<T>(v128.sub<T>(tv, tm), invT), tl);
        const d = gapVector<T>(tv, sv, invT64, shift64);
        const term = termVector<T>(lq, lp, d, divergence, b, keep, zero);
        lossAcc = v128.add<T>(lossAcc, term);
        if (lossRow) v128.store(at<T>(lossRow, j), v128.mul<T>(term, outScale));
        if (gradRow) {
          let u = v128.mul<T>(slopeVector, g);
          if (upstream) u = v128.mul<T>(u, v128.load(at<T>(upstream, j)));
          v128.store(at<T>(gradRow, j), u);
          slopeAcc = v128.add<T>(slopeAcc, u);
          if (rest) {
            const small = v128.le<T>(qVector, half);
            restQAcc = v128.add<T>(restQAcc, v128.and(qVector, small));
            restUAcc = v128.add<T>(restUAcc, v128.and(u, small));
          }
        }
      }
      total += <f64>horizontalSum<T>(lossAcc);
      slopes += <f64>horizontalSum<T>(slopeAcc);
      qs += <f64>horizontalSum<T>(restQAcc);
      us += <f64>horizontalSum<T>(restUAcc);
    }
  }
  for (; j < n; j++) {
    const sj = load<T>(at<T>(s, j));
    const tj = load<T>(at<T>(t, j));
    const lq = (sj - <T>studentShift) * <T>scale - <T>studentLog;
    const lp = (tj - <T>teacherShift) * <T>scale - <T>teacherLog;
    const d = <T>((<f64>tj - <f64>sj) * scale + gapShift);
    const term = termScalar<T>(lq, lp, d, divergence, beta);
    total += <f64>term;
    if (lossRow) store<T>(at<T>(lossRow, j), term * lossScale);
    if (gradRow) {
      let u = <T>slope * gradScale;
      if (upstream) u *= load<T>(at<T>(upstream, j));
      store<T>(at<T>(gradRow, j), u);
      slopes += <f64>u;
      if (rest && lastQ <= 0.5) {
        qs += lastQ;
        us += <f64>u;
      }
    }
  }
  lossSum = total;
  slopeSum = slopes;
  restQ = qs;
  restU = us;
}

/** d = (t − s) · invT + shift for one vector of T lanes, in f64 (f32 lanes widened exactly, the result rounded). */
// @ts-ignore: decorator
@inline function gapVector<T>(t: v128, s: v128, invT: v128, shift: v128): v128 {
  if (sizeof<T>() == 8) return madd<f64>(f64x2.sub(t, s), invT, shift);
  const low = madd<f64>(f64x2.sub(f64x2.promote_low_f32x4(t), f64x2.promote_low_f32x4(s)), invT, shift);
  const tHigh = f64x2.promote_low_f32x4(v128.shuffle<f32>(t, t, 2, 3, 2, 3));
  const sHigh = f64x2.promote_low_f32x4(v128.shuffle<f32>(s, s, 2, 3, 2, 3));
  const high = madd<f64>(f64x2.sub(tHigh, sHigh), invT, shift);
  return v128.shuffle<i64>(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 2);
}

/** The v_j of the last termScalar. */
export function lastSlope(): f64 {
  return slope;
}

/** termScalar in f64, one copy for every caller (the download budget). */
export function termF64(lq: f64, lp: f64, d: f64, divergence: i32, beta: f64): f64 {
  return termScalar<f64>(lq, lp, d, divergence, beta);
}

/** ℓ_j for one element (its v_j into `slope`), from log q_j, log p_j and d_j = log p_j − log q_j. */
// @ts-ignore: decorator
@inline export function termScalar<T>(lq: T, lp: T, d: T, divergence: i32, beta: T): T {
  if (divergence == FORWARD_KL) {
    const p = expScalar<T>(lp);
    slope = <f64>-p;
    return p != 0 ? p * d : 0;
  }
  const q = expScalar<T>(lq);
  lastQ = <f64>q;
  if (divergence == REVERSE_KL) {
    const term = q != 0 ? -q * d : <T>0;
    slope = <f64>(term + q);
    return term;
  }
  const p = expScalar<T>(lp);
  const qIsBase = d <= 0;
  const base = qIsBase ? q : p;
  const delta = -abs<T>(d);
  const e = <T>Math.expm1(<f64>delta);
  if (divergence == JSD) {
    const weight = qIsBase ? beta : <T>1 - beta;
    const other = qIsBase ? p : q;
    const logRatio = <T>Math.log1p(<f64>(weight * e)); // log(m / base)
    const m = base + base * (weight * e);
    const studentLogRatio = qIsBase ? -logRatio : delta - logRatio; // log(q / m)
    slope = q != 0 ? <f64>((<T>1 - beta) * q * studentLogRatio) : 0;
    const term = (other != 0 ? weight * other * delta : <T>0) - m * logRatio;
    return base != 0 ? term : 0;
  }
  // TVD: q where q > p, −q where q < p, 0 where they are equal, NaN where d is
  slope = base != 0 ? <f64>(d < 0 ? q : d > 0 ? -q : d == 0 ? <T>0 : d) : 0;
  return base != 0 ? -base * e : 0;
}

/** termScalar for one vector of T lanes (its v_j into slopeVector). */
// @ts-ignore: decorator
@inline function termVector<T>(lq: v128, lp: v128, d: v128, divergence: i32, beta: v128, keep: v128, zero: v128): v128 {
  const q = divergence != FORWARD_KL ? expLanes<T>(lq) : zero;
  const p = divergence != REVERSE_KL ? expLanes<T>(lp) : zero;
  if (divergence == FORWARD_KL) {
    slopeVector = v128.neg<T>(p);
    return v128.and(v128.mul<T>(p, d), v128.ne<T>(p, zero));
  }
  qVector = q;
  if (divergence == REVERSE_KL) {
    const term = v128.and(v128.neg<T>(v128.mul<T>(q, d)), v128.ne<T>(q, zero));
    slopeVector = v128.add<T>(term, q);
    return term;
  }
  const qIsBase = v128.le<T>(d, zero);
  const base = v128.bitselect(q, p, qIsBase);
  const baseCounts = v128.ne<T>(base, zero);
  const delta = v128.neg<T>(v128.abs<T>(d));
  const e = expm1NonPositiveVector<T>(delta);
  if (divergence == JSD) {
    const weight = v128.bitselect(beta, keep, qIsBase);
    const other = v128.bitselect(p, q, qIsBase);
    const weighted = v128.mul<T>(weight, e);
    const logRatio = log1pVector<T>(weighted);
    const m = madd<T>(base, weighted, base);
    const studentLogRatio = v128.sub<T>(v128.andnot(delta, qIsBase), logRatio);
    slopeVector = v128.and(v128.mul<T>(v128.mul<T>(keep, q), studentLogRatio), v128.ne<T>(q, zero));
    const otherTerm = v128.and(v128.mul<T>(v128.mul<T>(weight, other), delta), v128.ne<T>(other, zero));
    return v128.and(v128.sub<T>(otherTerm, v128.mul<T>(m, logRatio)), baseCounts);
  }
  // TVD, as termScalar
  const sign = v128.bitselect(q, v128.neg<T>(q), v128.lt<T>(d, zero));
  const signed = v128.bitselect(zero, sign, v128.eq<T>(d, zero));
  slopeVector = v128.and(v128.bitselect(d, signed, v128.ne<T>(d, d)), baseCounts);
  return v128.and(v128.neg<T>(v128.mul<T>(base, e)), baseCounts);
}

/** exp for lanes ≤ 0 (or NaN), one copy per dtype: the download budget (inlined at each of its 4 uses: +0.1 KB). */
function expLanes<T>(x: v128): v128 {
  return expNonPositiveVector<T>(x);
}

/** expm1(δ) for lanes δ ≤ 0 (or NaN): the series above −0.3, exp(δ) − 1 below. */
// @ts-ignore: decorator
@inline function expm1NonPositiveVector<T>(delta: v128): v128 {
  const table = sizeof<T>() == 4 ? F32X4_EXPM1 : F64X2_EXPM1;
  let series = v128.load(table);
  for (let k = 1; k < SERIES_LIMIT; k++) series = madd<T>(series, delta, v128.load(table + (<usize>k << 4)));
  series = v128.mul<T>(series, delta);
  const near = v128.gt<T>(delta, v128.load(table + (<usize>SERIES_LIMIT << 4)));
  const far = v128.sub<T>(expLanes<T>(delta), v128.load(table + (<usize>SERIES_ONE << 4)));
  return v128.bitselect(series, far, near);
}

/**
 * The gradient at the student's dominant element j (its first max, q_j > ½), again: u_j (1 − q_j) − q_j Σ_{k≠j} u_k,
 * times lossScale / τ, with u_j from termScalar in f64.
 */
function dominantGradient<T>(
  s: usize, t: usize, gradRow: usize, n: i32, divergence: i32, beta: f64, lossScale: f64, gradScale: f64,
  upstream: usize,
): void {
  let j = 0;
  while (j < n && <f64>load<T>(at<T>(s, j)) != studentShift) j++;
  if (j == n) return;
  const tj = <f64>load<T>(at<T>(t, j));
  const lp = (tj - teacherShift) * scale - teacherLog;
  const d = (tj - studentShift) * scale + gapShift;
  termF64(-studentLog, lp, d, divergence, beta);
  const g = upstream ? gradScale * <f64>load<T>(at<T>(upstream, j)) : gradScale;
  const u = g * slope;
  store<T>(at<T>(gradRow, j), <T>(lossScale * scale * (u * restQ - lastQ * restU)));
}

/** Pass 4: grad_j = lossScale / τ · (u_j − q_j Σ u), u_j read from the gradient row and written over. */
function gradientRow<T>(
  s: usize, gradRow: usize, n: i32, studentMax: T, studentLogSum: T, invTemperature: T, slopes: T, lossScale: T,
): void {
  const c = lossScale * invTemperature;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const sm = v128.splat<T>(studentMax);
    const sl = v128.splat<T>(studentLogSum);
    const invT = v128.splat<T>(invTemperature);
    const total = v128.splat<T>(slopes);
    const cV = v128.splat<T>(c);
    for (; j + lanes<T>() <= n; j += lanes<T>()) {
      const lq = v128.sub<T>(v128.mul<T>(v128.sub<T>(v128.load(at<T>(s, j)), sm), invT), sl);
      const q = expLanes<T>(lq);
      const p = at<T>(gradRow, j);
      v128.store(p, v128.mul<T>(cV, v128.sub<T>(v128.load(p), v128.mul<T>(q, total))));
    }
  }
  for (; j < n; j++) {
    const q = expScalar<T>((load<T>(at<T>(s, j)) - studentMax) * invTemperature - studentLogSum);
    const p = at<T>(gradRow, j);
    store<T>(p, c * (load<T>(p) - q * slopes));
  }
}
