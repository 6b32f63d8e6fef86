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
// in f64, d_j = ((t_j − s_j) − (max t − max s)) / τ + (log Σ_s − log Σ_t), not as the difference of two rounded
// log-probabilities (whose rounding, eps · |log q|, can be all of a small d_j); but where the maxima lie more than 1
// apart, ((t_j − max t) − (s_j − max s)) / τ + (log Σ_s − log Σ_t), whose rounding does not grow with their offset.
// JSD and TVD are taken relative to the larger of p_j and q_j (the base b, the other o = b e^δ, δ = −|d_j|, γ the
// other's weight in m): with e = expm1(δ),
//   |p_j − q_j| = −b e,   log(m_j / b) = L = log1p(γ e),   ℓ_j = γ o δ − m_j L,   m_j = b (1 + γ e),
// so no log-probability is subtracted from another.
// The gradient goes through the student's log-softmax. With u_j = g_j v_j (g the upstream gradient),
//   ∂loss/∂s_j = lossScale / τ · (u_j − q_j Σ_k u_k),
// which is PyTorch's autograd through log_softmax, term for term, but at a dominant element j (q_j > ½): there u_j
// and q_j Σ u cancel, and u_j can be large (the reverse KL's q_j (1 − d_j), hundreds for a teacher hundreds of nats
// away), so it is u_j (1 − q_j) − q_j Σ_{k≠j} u_k, with 1 − q_j = Σ_{k≠j} q_k and u_j in f64.
// Passes per row: 1 both maxima; 2 both Σ exp, each exp kept in a scratch row (two exps per element in all); 3 the
// terms, Σ ℓ and Σ u (u_j kept in the gradient row); 4 the gradient. Rows whose label is −1 (ignored) get a loss
// of 0 and a gradient of 0.

import { expNonPositiveVector, expScalar } from '../math/exp';
import { log1pVector } from '../math/log';
import { madd } from '../math/madd';
import { at, horizontalSum, lanes, rowMax, rowSumExpScaledWide, rowZero } from '../math/rows';

// @ts-ignore: decorator
@inline const FORWARD_KL: i32 = 0;
// @ts-ignore: decorator
@inline const REVERSE_KL: i32 = 1;
// @ts-ignore: decorator
@inline const TVD: i32 = 3;

/** Elements per block of vector partial sums, each block's total then added in f64. */
// @ts-ignore: decorator
@inline const BLOCK: i32 = 512;

/** expm1(δ) by its series for δ > −0.3 (within 1e-18 there; f32's from δ⁷ / 7!, within 1e-8), e^δ − 1 below. The
 * coefficients 1 / k!, k = 13 … 1, the threshold, 1, 0, ½ and e^−0.3, in each dtype's lanes, read from memory: V8 13.6
 * (Node 24) rebuilds a v128 constant inside a loop at each use (see math/exp.ts). */
// @ts-ignore: decorator
@inline const SERIES_LIMIT: i32 = 13;
// @ts-ignore: decorator
@inline const SERIES_ONE: i32 = 14;
// @ts-ignore: decorator
@inline const ZERO: i32 = 15;
// @ts-ignore: decorator
@inline const HALF: i32 = 16;
/** e^−0.3: where the smaller of p and q is above this times the larger, TVD takes the series. */
// @ts-ignore: decorator
@inline const NEAR_RATIO: i32 = 17; // e^−0.3: p and q nearer than this take the series
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
    0.5, 0.5, 0.5, 0.5, 0.740818202495575, 0.740818202495575, 0.740818202495575, 0.740818202495575,
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
    0.7408182206817179, 0.7408182206817179,
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
export function distillRows<T>(
  x: usize, teacher: usize, studentExp: usize, teacherExp: usize, rows: i32, cols: i32, labels: usize,
  divergence: i32, beta: f64, invTemperature: T, lossScale: T, hardWeight: f64, perElement: i32, lossOut: usize,
  grad: usize, gradScale: f64, gradOutput: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    const s = at<T>(x, offset);
    const t = at<T>(teacher, offset);
    const se = at<T>(studentExp, offset);
    const te = at<T>(teacherExp, offset);
    const lossRow = perElement ? at<T>(lossOut, offset) : 0;
    const gradRow = grad ? at<T>(grad, offset) : 0;
    if (labels && load<i32>(labels + (<usize>r << 2)) < 0) { // an ignored row: loss and gradient 0
      if (lossRow) rowZero<T>(lossRow, cols);
      else store<T>(at<T>(lossOut, r), 0);
      if (gradRow) rowZero<T>(gradRow, cols);
      continue;
    }
    // passes 1 and 2, the exps kept: q_j = e_j / Σ e, p_j likewise, with no exp after this
    const studentMax = rowMax<T>(s, cols);
    const teacherMax = rowMax<T>(t, cols);
    const studentSum = rowSumExpScaledWide<T>(s, cols, studentMax, invTemperature, se);
    const teacherSum = rowSumExpScaledWide<T>(t, cols, teacherMax, invTemperature, te);
    const studentLogSum = Math.log(studentSum);
    const teacherLogSum = Math.log(teacherSum);
    // pass 3: d_j = (((t_j − tOrigin) − (s_j − sOrigin)) − maxGap) / τ + logGap
    const upstream = gradOutput ? at<T>(gradOutput, offset) : 0;
    rowStart<T>(studentMax, teacherMax, studentLogSum, teacherLogSum, invTemperature);
    const studentInverse = <T>(1 / studentSum);
    const teacherInverse = <T>(1 / teacherSum);
    termsRow<T>(s, t, se, te, studentInverse, teacherInverse, cols, divergence, <T>beta, lossScale, lossRow, gradRow,
      <T>gradScale, upstream);
    // the hard loss beside it: cross-entropy of the untempered logits at the row's label, log Σ e^s − s_label
    const label = hardWeight != 0 ? load<i32>(labels + (<usize>r << 2)) : -1;
    const hardLse =
      label < 0 ? 0 : <f64>studentMax + untemperedLogSum<T>(s, cols, studentMax, invTemperature, studentSum);
    const hard = label < 0 ? 0 : hardWeight * (hardLse - <f64>load<T>(at<T>(s, label)));
    if (!perElement) store<T>(at<T>(lossOut, r), <T>(lossSum * <f64>lossScale + hard));
    // pass 4
    if (!grad) continue;
    gradientRow<T>(se, studentInverse, gradRow, cols, invTemperature, <T>slopeSum, lossScale);
    if (divergence != FORWARD_KL && Math.exp(-studentLogSum) > 0.5) {
      dominantGradient<T>(s, t, gradRow, cols, divergence, beta, <f64>lossScale, gradScale, upstream);
    }
    if (label >= 0) hardGradient<T>(s, gradRow, cols, label, studentMax, hardLse, <T>(gradScale * hardWeight));
  }
}

/** log Σ_j e^{s_j − max}: the tempered sum's own log at τ = 1, else a pass of its own. */
function untemperedLogSum<T>(s: usize, n: i32, studentMax: T, invTemperature: T, temperedSum: f64): f64 {
  if (invTemperature == 1) return Math.log(temperedSum);
  return Math.log(rowSumExpScaledWide<T>(s, n, studentMax, 1, 0));
}

/** The hard loss's gradient, added: g (softmax(s)_j − [j = label]), softmax from the untempered logits. */
function hardGradient<T>(s: usize, gradRow: usize, n: i32, label: i32, studentMax: T, lse: f64, g: T): void {
  const shift = <T>(lse - <f64>studentMax);
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const m = v128.splat<T>(studentMax);
    const c = v128.splat<T>(shift);
    const gV = v128.splat<T>(g);
    for (; j + lanes<T>() <= n; j += lanes<T>()) {
      const q = expLanes<T>(v128.sub<T>(v128.sub<T>(v128.load(at<T>(s, j)), m), c));
      const p = at<T>(gradRow, j);
      v128.store(p, madd<T>(q, gV, v128.load(p)));
    }
  }
  for (; j < n; j++) {
    const p = at<T>(gradRow, j);
    store<T>(p, load<T>(p) + g * expScalar<T>(load<T>(at<T>(s, j)) - studentMax - shift));
  }
  const p = at<T>(gradRow, label);
  store<T>(p, load<T>(p) - g);
}

// The row's constants for passes 3 and 4 (globals, as above): each max, each log Σ exp, 1 / τ, and d_j's shifts.
// The maxima's gap is taken from t_j − s_j before the scale: at the rows' common argmax d_j is then exactly the logs'
// gap, where (t_j − s_j) / τ and the maxima's gap over τ, rounded apart, left an error of ε · |max| / τ (1e21 for
// float64 logits of 1e38, a fused multiply-add keeping the one product unrounded). Rows whose maxima lie more than 1
// apart take each max from its own row first (the origins): t_j − s_j rounds by ε · |t_j − s_j|, which a teacher
// offset by K from the student made ε · K (a negative KL at K = 1e12 in float64), where t_j − max t rounds by
// ε · |t_j − max t|, as PyTorch's log-softmaxes do.
let studentShift: f64 = 0;
let teacherShift: f64 = 0;
let studentLog: f64 = 0;
let teacherLog: f64 = 0;
let scale: f64 = 0;
let maxGap: f64 = 0;
let logGap: f64 = 0;
let tOrigin: f64 = 0;
let sOrigin: f64 = 0;

function rowStart<T>(sm: T, tm: T, sl: f64, tl: f64, invTemperature: T): void {
  studentShift = <f64>sm;
  teacherShift = <f64>tm;
  studentLog = sl;
  teacherLog = tl;
  scale = <f64>invTemperature;
  const gap = <f64>tm - <f64>sm;
  const offset = abs(gap) > 1;
  maxGap = offset ? 0 : gap;
  tOrigin = offset ? <f64>tm : 0;
  sOrigin = offset ? <f64>sm : 0;
  logGap = sl - tl;
}

/**
 * Pass 3: ℓ_j (times lossScale, into lossRow when it is not 0), u_j = g_j v_j (into gradRow when it is not 0; g_j =
 * gradScale · upstream_j, or gradScale without upstream), and their sums into lossSum and slopeSum; q_j = se_j · qScale
 * and p_j = te_j · pScale from the kept exps.
 */
function termsRow<T>(
  s: usize, t: usize, se: usize, te: usize, qScale: T, pScale: T, n: i32, divergence: i32, beta: T, lossScale: T,
  lossRow: usize, gradRow: usize, gradScale: T, upstream: usize,
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
    const half = v128.load((sizeof<T>() == 4 ? F32X4_EXPM1 : F64X2_EXPM1) + (<usize>HALF << 4));
    const qs4 = v128.splat<T>(qScale);
    const ps4 = v128.splat<T>(pScale);
    const invT64 = f64x2.splat(scale);
    const shift64 = f64x2.splat(logGap);
    const tFrom = f64x2.splat(tOrigin);
    const sFrom = f64x2.splat(sOrigin);
    const maxGap64 = f64x2.splat(maxGap);
    const b = v128.splat<T>(beta);
    const keep = v128.splat<T>(<T>1 - beta);
    const outScale = v128.splat<T>(lossScale);
    const g = v128.splat<T>(gradScale);
    while (j + L <= n) {
      const blockEnd = min(n, j + BLOCK);
      let lossAcc = zero;
      let slopeAcc = zero;
      let restQAcc = zero;
      let restUAcc = zero;
      for (; j + L <= blockEnd; j += L) {
        const q = v128.mul<T>(v128.load(at<T>(se, j)), qs4);
        const p = v128.mul<T>(v128.load(at<T>(te, j)), ps4);
        const tv = v128.load(at<T>(t, j));
        const sv = v128.load(at<T>(s, j));
        const term =
          divergence == TVD
            ? tvdVector<T>(q, p, tv, sv, tFrom, sFrom, maxGap64, invT64, shift64, zero)
            : termVector<T>(
                q, p, gapVector<T>(tv, sv, tFrom, sFrom, maxGap64, invT64, shift64), divergence, b, keep, zero,
              );
        lossAcc = v128.add<T>(lossAcc, term);
        if (lossRow) v128.store(at<T>(lossRow, j), v128.mul<T>(term, outScale));
        if (gradRow) {
          let u = v128.mul<T>(slopeVector, g);
          if (upstream) u = v128.mul<T>(u, v128.load(at<T>(upstream, j)));
          v128.store(at<T>(gradRow, j), u);
          slopeAcc = v128.add<T>(slopeAcc, u);
          if (rest) {
            const small = v128.le<T>(q, half);
            restQAcc = v128.add<T>(restQAcc, v128.and(q, small));
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
    const q = load<T>(at<T>(se, j)) * qScale;
    const p = load<T>(at<T>(te, j)) * pScale;
    const gap = <f64>load<T>(at<T>(t, j)) - tOrigin - (<f64>load<T>(at<T>(s, j)) - sOrigin) - maxGap;
    const d = <T>(gap * scale + logGap);
    const term = termScalar<T>(q, p, d, divergence, beta);
    total += <f64>term;
    if (lossRow) store<T>(at<T>(lossRow, j), term * lossScale);
    if (gradRow) {
      let u = <T>slope * gradScale;
      if (upstream) u *= load<T>(at<T>(upstream, j));
      store<T>(at<T>(gradRow, j), u);
      slopes += <f64>u;
      if (rest && q <= <T>0.5) {
        qs += <f64>q;
        us += <f64>u;
      }
    }
  }
  lossSum = total;
  slopeSum = slopes;
  restQ = qs;
  restU = us;
}

/**
 * d = (((t − tFrom) − (s − sFrom)) − maxGap) · invT + shift for one vector of T lanes, in f64 (f32 lanes widened
 * exactly, the result rounded).
 */
// @ts-ignore: decorator
@inline function gapVector<T>(
  t: v128, s: v128, tFrom: v128, sFrom: v128, maxGap: v128, invT: v128, shift: v128,
): v128 {
  if (sizeof<T>() == 8) return madd<f64>(pairGap(t, s, tFrom, sFrom, maxGap), invT, shift);
  const tLow = f64x2.promote_low_f32x4(t);
  const low = madd<f64>(pairGap(tLow, f64x2.promote_low_f32x4(s), tFrom, sFrom, maxGap), invT, shift);
  const tHigh = f64x2.promote_low_f32x4(v128.shuffle<f32>(t, t, 2, 3, 2, 3));
  const sHigh = f64x2.promote_low_f32x4(v128.shuffle<f32>(s, s, 2, 3, 2, 3));
  const high = madd<f64>(pairGap(tHigh, sHigh, tFrom, sFrom, maxGap), invT, shift);
  return v128.shuffle<i64>(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 2);
}

/** ((t − tFrom) − (s − sFrom)) − maxGap for two f64 lanes. */
// @ts-ignore: decorator
@inline function pairGap(t: v128, s: v128, tFrom: v128, sFrom: v128, maxGap: v128): v128 {
  return f64x2.sub(f64x2.sub(f64x2.sub(t, tFrom), f64x2.sub(s, sFrom)), maxGap);
}

/** The v_j of the last termScalar. */
export function lastSlope(): f64 {
  return slope;
}

/** termScalar in f64 from log q and log p, one copy for every caller (the download budget). */
export function termF64(lq: f64, lp: f64, d: f64, divergence: i32, beta: f64): f64 {
  return termScalar<f64>(Math.exp(lq), Math.exp(lp), d, divergence, beta);
}

/** ℓ_j for one element (its v_j into `slope`, q_j into lastQ), from q_j, p_j and d_j = log p_j − log q_j. */
// @ts-ignore: decorator
@inline export function termScalar<T>(q: T, p: T, d: T, divergence: i32, beta: T): T {
  lastQ = <f64>q;
  if (divergence == FORWARD_KL) {
    slope = <f64>-p;
    return p != 0 ? p * d : 0;
  }
  if (divergence == TVD) return tvdScalar<T>(q, p, d);
  if (divergence == REVERSE_KL) {
    const term = q != 0 ? -q * d : <T>0;
    slope = <f64>(term + q);
    return term;
  }
  const qIsBase = d <= 0;
  const base = qIsBase ? q : p;
  const delta = -abs<T>(d);
  const e = <T>Math.expm1(<f64>delta);
  // JSD
  const weight = qIsBase ? beta : <T>1 - beta;
  const other = qIsBase ? p : q;
  const logRatio = <T>Math.log1p(<f64>(weight * e)); // log(m / base)
  const m = base + base * (weight * e);
  const studentLogRatio = qIsBase ? -logRatio : delta - logRatio; // log(q / m)
  slope = q != 0 ? <f64>((<T>1 - beta) * q * studentLogRatio) : 0;
  const term = (other != 0 ? weight * other * delta : <T>0) - m * logRatio;
  return base != 0 ? term : 0;
}

/** TVD for one element, as tvdVector: its |p − q| (its v into `slope`). */
// @ts-ignore: decorator
@inline function tvdScalar<T>(q: T, p: T, d: T): T {
  const base = max<T>(q, p);
  const other = min<T>(q, p);
  slope = base != 0 ? <f64>((q > p ? q : q < p ? -q : <T>0) + (q - p) * <T>0) : 0;
  if (base == 0) return 0;
  return other > base * <T>0.7408182206817179 ? -base * <T>Math.expm1(-abs<f64>(<f64>d)) : base - other;
}

/** termScalar for one vector of T lanes (its v_j into slopeVector). */
// @ts-ignore: decorator
@inline function termVector<T>(q: v128, p: v128, d: v128, divergence: i32, beta: v128, keep: v128, zero: v128): v128 {
  if (divergence == FORWARD_KL) {
    slopeVector = v128.neg<T>(p);
    return v128.and(v128.mul<T>(p, d), v128.ne<T>(p, zero));
  }
  if (divergence == REVERSE_KL) {
    const term = v128.and(v128.neg<T>(v128.mul<T>(q, d)), v128.ne<T>(q, zero));
    slopeVector = v128.add<T>(term, q);
    return term;
  }
  const qIsBase = v128.le<T>(d, zero);
  const base = v128.bitselect(q, p, qIsBase);
  const baseCounts = v128.ne<T>(base, zero);
  const delta = v128.neg<T>(v128.abs<T>(d));
  const other = v128.bitselect(p, q, qIsBase);
  const e = expm1NonPositiveVector<T>(delta, v128.div<T>(other, base));
  // JSD (TVD takes tvdVector)
  const weight = v128.bitselect(beta, keep, qIsBase);
  const weighted = v128.mul<T>(weight, e);
  const logRatio = log1pVector<T>(weighted);
  const m = madd<T>(base, weighted, base);
  const studentLogRatio = v128.sub<T>(v128.andnot(delta, qIsBase), logRatio);
  slopeVector = v128.and(v128.mul<T>(v128.mul<T>(keep, q), studentLogRatio), v128.ne<T>(q, zero));
  const otherTerm = v128.and(v128.mul<T>(v128.mul<T>(weight, other), delta), v128.ne<T>(other, zero));
  return v128.and(v128.sub<T>(otherTerm, v128.mul<T>(m, logRatio)), baseCounts);
}

/**
 * TVD for one vector of T lanes, as termScalar: |p − q| = b − o where they are apart, −b expm1(δ) by the series
 * where they are near (o > b e^−0.3), d from the logits only for a vector with such a lane.
 */
// @ts-ignore: decorator
@inline function tvdVector<T>(
  q: v128, p: v128, t: v128, s: v128, tFrom: v128, sFrom: v128, maxGap64: v128, invT64: v128, shift64: v128,
  zero: v128,
): v128 {
  const table = sizeof<T>() == 4 ? F32X4_EXPM1 : F64X2_EXPM1;
  const qIsBase = v128.ge<T>(q, p);
  const base = v128.bitselect(q, p, qIsBase);
  const other = v128.bitselect(p, q, qIsBase);
  const near = v128.gt<T>(other, v128.mul<T>(base, v128.load(table + (<usize>NEAR_RATIO << 4))));
  let term = v128.sub<T>(base, other);
  if (v128.any_true(near)) {
    const delta = v128.neg<T>(v128.abs<T>(gapVector<T>(t, s, tFrom, sFrom, maxGap64, invT64, shift64)));
    term = v128.bitselect(v128.neg<T>(v128.mul<T>(base, expm1Series<T>(delta))), term, near);
  }
  // v: q where q > p, −q where q < p, 0 where they are equal; (q − p) · 0 keeps a NaN
  const signed = v128.bitselect(q, v128.neg<T>(q), v128.gt<T>(q, p));
  const difference = v128.mul<T>(v128.sub<T>(q, p), zero);
  const baseCounts = v128.ne<T>(base, zero);
  slopeVector = v128.and(v128.add<T>(v128.bitselect(zero, signed, v128.eq<T>(q, p)), difference), baseCounts);
  return v128.and(term, baseCounts);
}

/** exp for lanes ≤ 0 (or NaN), one copy per dtype: the download budget (inlined at each of its 4 uses: +0.1 KB). */
function expLanes<T>(x: v128): v128 {
  return expNonPositiveVector<T>(x);
}

/**
 * expm1(δ) for lanes δ ≤ 0 (or NaN), given e^δ = ratio (the other probability over the base, as the caller has both):
 * the series above −0.3, when a lane is there, below ratio − 1 in f32 (|e| > 0.25: ratio's rounding costs at most 2
 * bits there, and an exp less) and e^δ − 1 in f64.
 */
// @ts-ignore: decorator
@inline function expm1NonPositiveVector<T>(delta: v128, ratio: v128): v128 {
  const table = sizeof<T>() == 4 ? F32X4_EXPM1 : F64X2_EXPM1;
  const beyond = sizeof<T>() == 4 ? ratio : expLanes<T>(delta); // (f64 keeps its last bits: e^δ itself)
  const far = v128.sub<T>(beyond, v128.load(table + (<usize>SERIES_ONE << 4)));
  const near = v128.gt<T>(delta, v128.load(table + (<usize>SERIES_LIMIT << 4)));
  if (!v128.any_true(near)) return far;
  return v128.bitselect(expm1Series<T>(delta), far, near);
}

/** expm1(δ) by its series, for lanes δ in (−0.3, 0]: to δ⁷ / 7! in f32, δ¹³ / 13! in f64. */
// @ts-ignore: decorator
@inline function expm1Series<T>(delta: v128): v128 {
  const table = sizeof<T>() == 4 ? F32X4_EXPM1 : F64X2_EXPM1;
  const first = sizeof<T>() == 4 ? SERIES_LIMIT - 7 : 0;
  let series = v128.load(table + (<usize>first << 4));
  for (let k = first + 1; k < SERIES_LIMIT; k++) series = madd<T>(series, delta, v128.load(table + (<usize>k << 4)));
  return v128.mul<T>(series, delta);
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
  const d = (tj - teacherShift) * scale + logGap;
  termF64(-studentLog, lp, d, divergence, beta);
  const g = upstream ? gradScale * <f64>load<T>(at<T>(upstream, j)) : gradScale;
  const u = g * slope;
  store<T>(at<T>(gradRow, j), <T>(lossScale * scale * (u * restQ - lastQ * restU)));
}

/** Pass 4: grad_j = lossScale / τ · (u_j − q_j Σ u), u_j read from the gradient row and written over. */
function gradientRow<T>(
  se: usize, qScale: T, gradRow: usize, n: i32, invTemperature: T, slopes: T, lossScale: T,
): void {
  const c = lossScale * invTemperature;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const qs4 = v128.splat<T>(qScale);
    const total = v128.splat<T>(slopes);
    const cV = v128.splat<T>(c);
    for (; j + lanes<T>() <= n; j += lanes<T>()) {
      const q = v128.mul<T>(v128.load(at<T>(se, j)), qs4);
      const p = at<T>(gradRow, j);
      v128.store(p, v128.mul<T>(cV, v128.sub<T>(v128.load(p), v128.mul<T>(q, total))));
    }
  }
  for (; j < n; j++) {
    const q = load<T>(at<T>(se, j)) * qScale;
    const p = at<T>(gradRow, j);
    store<T>(p, c * (load<T>(p) - q * slopes));
  }
}
