// Scoring rows of logits at temperature T = 1 / scale in one pass, tile by tile of the vocabulary: the target's
// log-probability, the k most probable tokens, the entropy, the log-sum-exp and the target's rank. A row's running
// values are rescaled when its max moves (the online log-sum-exp). With m the max so far, d_j = (z_j − m) · scale
// (clamped to the dtype's lowest finite value, as torch.distributions.Categorical clamps −inf logits), e_j = exp(d_j):
//   s = Σ e_j,  g = Σ e_j d_j;  when m moves up by δ / scale: s ← c·s, g ← c·(g − δ·s), c = exp(−δ)
//   log p_t = (z_t − m) · scale − log s,  H = log s − g / s,  lse = m · scale + log s
// The k best are a heap of logits, offered in index order (top-k.ts). The rank of the target is 1 + the number of
// logits that rank before z_t: larger, NaN, or equal with a lower index (topK's order).
// scoreRows scores whole rows (the logits functions), or tiles of them whose running values it carries in `state`
// (STATE f64 per row), for the chunk program that computes the tiles from hidden states.

import { expNonPositiveVector, expScalar, logScalar } from '../math/exp';
import { at, horizontalSum, rowMax, scaledGap, withCompensation } from '../math/rows';
import { scaledDone, scaledExpSumsF32, scaledGapSum } from '../math/sum-exp';
import { softcapRow } from '../math/tanh';
import { offerRange, orderTies, ranksBefore, sortHeap } from './top-k';

// @ts-ignore: decorator
@inline const WANTS_ENTROPY: i32 = 1;
// @ts-ignore: decorator
@inline const WANTS_RANK: i32 = 2;
// @ts-ignore: decorator
@inline const WANTS_FINISH: i32 = 4;

/** f64 values per row of `state`: m, s, g, how many of the k best are kept, how many rank before the target. */
// @ts-ignore: decorator
@inline const STATE: i32 = 5;

// The row being scored (globals: each thread's instance has its own).
let maxSoFar: f64 = -Infinity;
let sumExp: f64 = 0;
let sumExpGap: f64 = 0;
let kept: i32 = 0;
let ahead: i32 = 0;

function resetRow(): void {
  maxSoFar = -Infinity;
  sumExp = 0;
  sumExpGap = 0;
  kept = 0;
  ahead = 0;
}

function loadRow(state: usize, r: i32): void {
  const p = at<f64>(state, r * STATE);
  maxSoFar = load<f64>(p);
  sumExp = load<f64>(p, 8);
  sumExpGap = load<f64>(p, 16);
  kept = <i32>load<f64>(p, 24);
  ahead = <i32>load<f64>(p, 32);
}

function storeRow(state: usize, r: i32): void {
  const p = at<f64>(state, r * STATE);
  store<f64>(p, maxSoFar);
  store<f64>(p, sumExp, 8);
  store<f64>(p, sumExpGap, 16);
  store<f64>(p, <f64>kept, 24);
  store<f64>(p, <f64>ahead, 32);
}

// @ts-ignore: decorator
@inline function lowest<T>(): T {
  return sizeof<T>() == 4 ? <T>-3.4028234663852886e38 : <T>-1.7976931348623157e308;
}

/** Σ e_j d_j of the last expTerms. */
let lastGapSum: f64 = 0;

/**
 * Σ_j e_j (returned) and, with `entropy`, Σ_j e_j d_j (lastGapSum) of a row shifted by its max m (a branch per step,
 * not a second copy of the loop: the download budget; ~2 % of tokenLogProbs's time): blocks of partial sums in T, each
 * block's total added in f64 (float32: ../math/sum-exp.ts's loop); the scalar path compensated for f64 data.
 */
function expTerms<T>(row: usize, n: i32, m: T, scale: T, entropy: bool): f64 {
  let s: f64 = 0, g: f64 = 0, sComp: f64 = 0, gComp: f64 = 0;
  let j = 0;
  if (ASC_FEATURE_SIMD && sizeof<T>() == 4) {
    s = scaledExpSumsF32(row, n, <f32>m, <f32>scale, entropy);
    g = scaledGapSum;
    j = scaledDone;
  } else if (ASC_FEATURE_SIMD) {
    const mV = v128.splat<T>(m), scaleV = v128.splat<T>(scale), lowestV = v128.splat<T>(lowest<T>());
    while (j + 2 <= n) {
      const blockEnd = min(n, j + 1024);
      let s0 = v128.splat<T>(0), g0 = s0;
      for (; j + 2 <= blockEnd; j += 2) {
        const d = v128.pmax<T>(v128.mul<T>(v128.sub<T>(v128.load(at<T>(row, j)), mV), scaleV), lowestV);
        const e = expNonPositiveVector<T>(d);
        s0 = v128.add<T>(s0, e);
        if (entropy) g0 = v128.add<T>(g0, v128.mul<T>(e, d));
      }
      s += <f64>horizontalSum<T>(s0);
      g += <f64>horizontalSum<T>(g0);
    }
  }
  for (; j < n; j++) {
    const d = max<T>((load<T>(at<T>(row, j)) - m) * scale, lowest<T>());
    const e = expScalar<T>(d);
    const de = <f64>(e * d);
    if (sizeof<T>() == 8) {
      let t = s + <f64>e;
      sComp += abs(s) >= abs(<f64>e) ? s - t + <f64>e : <f64>e - t + s;
      s = t;
      t = g + de;
      gComp += abs(g) >= abs(de) ? g - t + de : de - t + g;
      g = t;
    } else {
      s += <f64>e;
      g += de;
    }
  }
  lastGapSum = withCompensation(g, gComp);
  return withCompensation(s, sComp);
}

/** Whether any of n values is NaN. */
function holdsNaN<T>(row: usize, n: i32): bool {
  for (let i = 0; i < n; i++) if (isNaN<T>(load<T>(at<T>(row, i)))) return true;
  return false;
}

/** How many of n logits (global indices from `base`) rank before z_t, the target's (index t). A scalar pass: beside
 * the 2·d flops of each logit's product it costs little. */
function countAhead<T>(row: usize, n: i32, base: i32, zt: T, t: i32): i32 {
  let count = 0;
  for (let i = 0; i < n; i++) count += <i32>ranksBefore<T>(load<T>(at<T>(row, i)), base + i, zt, t);
  return count;
}

/**
 * Adds n logits of a row (global indices from `base`) to the row's running values: its max, Σ exp and, with
 * `entropy`, Σ e·d (rescaled when the max moves), its k best, and with t ≥ 0 how many rank before z_t.
 */
function scoreRange<T>(
  row: usize, n: i32, base: i32, scale: T, entropy: bool, k: i32, values: usize, indices: usize, t: i32, zt: T,
): void {
  const tileMax = rowMax<T>(row, n);
  // a tile of −inf adds nothing (e = 0, and e·d = 0 with d clamped), but a NaN makes the row's values NaN (rowMax's
  // vector loop may pass a NaN over, so the tile is looked at again)
  if (tileMax == <T>-Infinity && holdsNaN<T>(row, n)) sumExp = NaN;
  if (tileMax != <T>-Infinity) {
    const m = max<f64>(maxSoFar, <f64>tileMax);
    if (m > maxSoFar && sumExp != 0) {
      const delta = (m - maxSoFar) * <f64>scale;
      const c = Math.exp(-delta);
      sumExpGap = c * (sumExpGap - delta * sumExp);
      sumExp *= c;
    }
    maxSoFar = m;
    const shift = <T>m;
    sumExp += expTerms<T>(row, n, shift, scale, entropy);
    if (entropy) sumExpGap += lastGapSum;
  }
  if (k > 0) kept = offerRange<T>(row, n, base, k, values, indices, kept);
  if (t >= 0) ahead += countAhead<T>(row, n, base, zt, t);
}

/** The row's results from its running values; each output is written where its address is not 0. */
function finishRow<T>(
  r: i32, k: i32, scale: T, t: i32, zt: T, values: usize, indices: usize, tokenOut: usize, entropyOut: usize,
  lseOut: usize, rankOut: usize,
): void {
  const sum = <T>sumExp;
  const logSum = logScalar<T>(sum);
  const m = <T>maxSoFar;
  // a log-softmax of NaN: the row holds a NaN or +inf, or is all −inf
  const undefinedRow = isNaN<T>(logSum) || maxSoFar == -Infinity;
  if (tokenOut) {
    const value = t < 0 ? <T>0 : scaledGap<T>(zt, m, scale) - logSum;
    store<T>(at<T>(tokenOut, r), undefinedRow && t >= 0 ? <T>NaN : value);
  }
  if (entropyOut) store<T>(at<T>(entropyOut, r), logSum - <T>sumExpGap / sum);
  if (lseOut) store<T>(at<T>(lseOut, r), m * scale + logSum);
  if (rankOut) store<i32>(at<i32>(rankOut, r), t < 0 ? 0 : ahead + 1);
  if (k == 0) return;
  const rowValues = at<T>(values, r * k), rowIndices = at<i32>(indices, r * k);
  sortHeap<T>(rowValues, rowIndices, k);
  if (undefinedRow) {
    // the first k, as a stable sort of NaNs has them
    for (let i = 0; i < k; i++) {
      store<T>(at<T>(rowValues, i), <T>NaN);
      store<i32>(at<i32>(rowIndices, i), i);
    }
    return;
  }
  for (let i = 0; i < k; i++) {
    const p = at<T>(rowValues, i);
    store<T>(p, scaledGap<T>(load<T>(p), m, scale) - logSum);
  }
  orderTies<T>(rowValues, rowIndices, k);
}

// @ts-ignore: decorator
@inline function targetOf(targets: usize, r: i32): i32 {
  return targets ? load<i32>(targets + (<usize>r << 2)) : -1;
}

/**
 * Scores `rows` rows of cols logits, columns [tileStart, tileStart + cols) of the vocabulary. Without `state` each
 * row is whole: scored, and its results written at once (a row whose only output is an ignored target's
 * log-probability is not read). With `state` each is one tile of the row: softcapped in place (softcap > 0) and
 * added to the row's running values there (begun afresh at tileStart 0), and with WANTS_FINISH in `wants` (the last
 * tile) the results are written. `wants`: Σ e·d (WANTS_ENTROPY), the rank count (WANTS_RANK). Each row's z_t is read
 * from `targetLogits` when given (rowDots's, softcapped as softcapRow caps), else from the row. Each output is written
 * where its address is not 0.
 */
export function scoreRows<T>(
  x: usize, rows: i32, cols: i32, tileStart: i32, scale: T, softcap: T, k: i32, wants: i32, targets: usize,
  targetLogits: usize, state: usize, values: usize, indices: usize, tokenOut: usize, entropyOut: usize,
  lseOut: usize, rankOut: usize,
): void {
  const entropy = (wants & WANTS_ENTROPY) != 0, rank = (wants & WANTS_RANK) != 0;
  const finish = !state || (wants & WANTS_FINISH) != 0;
  const tokenOnly = !state && k == 0 && !entropy && !lseOut && !rank;
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * cols);
    if (!state || tileStart == 0) resetRow();
    else loadRow(state, r);
    if (softcap > 0) softcapRow<T>(row, cols, softcap);
    const t = targetOf(targets, r);
    const zt = t < 0 ? <T>0 : targetLogits ? load<T>(at<T>(targetLogits, r)) : load<T>(at<T>(row, t));
    if (!(tokenOnly && t < 0)) {
      const heapValues = at<T>(values, r * k), heapIndices = at<i32>(indices, r * k);
      scoreRange<T>(row, cols, tileStart, scale, entropy, k, heapValues, heapIndices, rank ? t : -1, zt);
    }
    if (state) storeRow(state, r);
    if (finish) finishRow<T>(r, k, scale, t, zt, values, indices, tokenOut, entropyOut, lseOut, rankOut);
  }
}
