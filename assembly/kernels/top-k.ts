// The k most probable tokens of each row and their log-probabilities at temperature T = 1 / scale, sorted
// by descending probability, ties to the lower index, as torch.topk(log_softmax(x / T), k) with NaN
// ranked above everything (torch.topk's order). Selection runs on the logits (x / T keeps their order):
// a min-heap of the k best seen so far, kept in the row's output (values and indices), whose root is the
// worst of them; one scan of the row replaces the root when an element beats it. Then a heap sort puts
// them in order, the best first; the best is the row's max m, so the log-sum-exp needs one more pass:
//   logProb_i = (x_i − m) · scale − log Σ_j exp((x_j − m) · scale)
// A row whose log-softmax is NaN (it holds NaN or +inf, or is all −inf) gives NaN and indices 0 … k − 1.
// With `targets`, each row's own token's log-probability goes to tokenOut as well (as tokenLogProbs).

import { logScalar } from '../math/exp';
import { at, rowSumExpScaled, scaledGap } from '../math/rows';

/** Whether (a, ia) ranks before (b, ib): NaN first, then larger values, then the lower index. */
// @ts-ignore: decorator
@inline function ranksBefore<T>(a: T, ia: i32, b: T, ib: i32): bool {
  const aNaN = isNaN<T>(a), bNaN = isNaN<T>(b);
  if (aNaN || bNaN) return aNaN && (!bNaN || ia < ib);
  return a > b || (a == b && ia < ib);
}

/** Restores the heap below `i` (every parent ranks after its children: the root is the worst). */
function siftDown<T>(values: usize, indices: usize, n: i32, i: i32): void {
  const v = load<T>(at<T>(values, i));
  const vi = load<i32>(at<i32>(indices, i));
  while (true) {
    let child = 2 * i + 1;
    if (child >= n) break;
    let cv = load<T>(at<T>(values, child));
    let ci = load<i32>(at<i32>(indices, child));
    if (child + 1 < n) {
      const rv = load<T>(at<T>(values, child + 1));
      const ri = load<i32>(at<i32>(indices, child + 1));
      if (ranksBefore<T>(cv, ci, rv, ri)) {
        child++;
        cv = rv;
        ci = ri;
      }
    }
    if (!ranksBefore<T>(v, vi, cv, ci)) break;
    store<T>(at<T>(values, i), cv);
    store<i32>(at<i32>(indices, i), ci);
    i = child;
  }
  store<T>(at<T>(values, i), v);
  store<i32>(at<i32>(indices, i), vi);
}

/** Offers x_i (i above every kept index) to the heap: it enters when it ranks before the root. */
// @ts-ignore: decorator
@inline function offer<T>(values: usize, indices: usize, k: i32, v: T, i: i32): void {
  if (ranksBefore<T>(v, i, load<T>(values), load<i32>(indices))) {
    store<T>(values, v);
    store<i32>(indices, i);
    siftDown<T>(values, indices, k, 0);
  }
}

/** Makes (values, indices)[0, n) a heap. */
function heapify<T>(values: usize, indices: usize, n: i32): void {
  for (let i = n / 2 - 1; i >= 0; i--) siftDown<T>(values, indices, n, i);
}

/** Sorts a heap best first: the root (the worst) goes to the end, and the heap shrinks. */
function sortHeap<T>(values: usize, indices: usize, n: i32): void {
  for (let end = n - 1; end > 0; end--) {
    const v = load<T>(values);
    const vi = load<i32>(indices);
    store<T>(values, load<T>(at<T>(values, end)));
    store<i32>(indices, load<i32>(at<i32>(indices, end)));
    store<T>(at<T>(values, end), v);
    store<i32>(at<i32>(indices, end), vi);
    siftDown<T>(values, indices, end, 0);
  }
}

/** One bit per lane of a comparison's result. */
// @ts-ignore: decorator
@inline function laneMask<T>(v: v128): u32 {
  return sizeof<T>() == 4 ? <u32>i32x4.bitmask(v) : <u32>i64x2.bitmask(v);
}

/** Selects the k best of a row into (values, indices), best first. Requires 1 ≤ k ≤ n. */
export function selectTopK<T>(row: usize, n: i32, k: i32, values: usize, indices: usize): void {
  for (let i = 0; i < k; i++) {
    store<T>(at<T>(values, i), load<T>(at<T>(row, i)));
    store<i32>(at<i32>(indices, i), i);
  }
  heapify<T>(values, indices, k);
  let i = k;
  if (ASC_FEATURE_SIMD) {
    // four vectors at a time, compared with the root; only a block holding a candidate goes one by one
    const L = 16 / sizeof<T>();
    for (; i + 4 * L <= n; i += 4 * L) {
      const p = at<T>(row, i);
      const root = v128.splat<T>(load<T>(values));
      const a = v128.load(p), b = v128.load(p, 16), c = v128.load(p, 32), d = v128.load(p, 48);
      // a candidate is above the root, or NaN (ne(v, v))
      const ha = v128.or(v128.gt<T>(a, root), v128.ne<T>(a, a));
      const hb = v128.or(v128.gt<T>(b, root), v128.ne<T>(b, b));
      const hc = v128.or(v128.gt<T>(c, root), v128.ne<T>(c, c));
      const hd = v128.or(v128.gt<T>(d, root), v128.ne<T>(d, d));
      if (!v128.any_true(v128.or(v128.or(ha, hb), v128.or(hc, hd)))) continue;
      // only the lanes that beat the root when the block was read are offered (offer checks again)
      const mask = laneMask<T>(ha) | laneMask<T>(hb) << L | laneMask<T>(hc) << 2 * L | laneMask<T>(hd) << 3 * L;
      for (let bits = mask; bits != 0; bits &= bits - 1) {
        const j = <i32>ctz(bits);
        offer<T>(values, indices, k, load<T>(at<T>(p, j)), i + j);
      }
    }
  }
  for (; i < n; i++) offer<T>(values, indices, k, load<T>(at<T>(row, i)), i);
  sortHeap<T>(values, indices, k);
}

/**
 * Distinct logits can round to equal log-probabilities (x / T at the scale of x): each run of equal ones is put
 * in index order, the order of a stable sort of the log-probabilities (in O(r log r) for a run of r).
 */
function orderTies<T>(values: usize, indices: usize, k: i32): void {
  for (let start = 0; start < k; ) {
    const v = load<T>(at<T>(values, start));
    let end = start + 1;
    while (end < k && load<T>(at<T>(values, end)) == v) end++;
    if (end - start > 1) {
      heapify<T>(at<T>(values, start), at<i32>(indices, start), end - start);
      sortHeap<T>(at<T>(values, start), at<i32>(indices, start), end - start);
    }
    start = end;
  }
}

export function topKRows<T>(
  x: usize, rows: i32, cols: i32, k: i32, scale: T, values: usize, indices: usize, targets: usize, tokenOut: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * cols);
    const rowValues = at<T>(values, r * k);
    const rowIndices = at<i32>(indices, r * k);
    selectTopK<T>(row, cols, k, rowValues, rowIndices);
    const m = load<T>(rowValues);
    const logSum = logScalar<T>(rowSumExpScaled<T>(row, cols, m, scale, 0));
    if (targets) {
      // the row's own token too (tokenLogProbs's value, from the same log-sum-exp): 0 where ignored
      const t = load<i32>(targets + (<usize>r << 2));
      const value = t < 0 ? <T>0 : scaledGap<T>(load<T>(at<T>(row, t)), m, scale) - logSum;
      store<T>(at<T>(tokenOut, r), isNaN<T>(logSum) && t >= 0 ? <T>NaN : value);
    }
    if (isNaN<T>(logSum)) {
      // the whole row's log-softmax is NaN (a NaN, +inf, or all −inf): the first k, as a stable sort has them
      for (let i = 0; i < k; i++) {
        store<T>(at<T>(rowValues, i), <T>NaN);
        store<i32>(at<i32>(rowIndices, i), i);
      }
      continue;
    }
    for (let i = 0; i < k; i++) {
      const p = at<T>(rowValues, i);
      store<T>(p, scaledGap<T>(load<T>(p), m, scale) - logSum);
    }
    orderTies<T>(rowValues, rowIndices, k);
  }
}
