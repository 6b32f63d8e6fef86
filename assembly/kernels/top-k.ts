// The k best of a row by torch.topk's order (NaN first, then larger values, then the lower index): a min-heap of
// the k best seen so far, kept in (values, indices), whose root is the worst of them; each element offered in index
// order enters when it beats the root. Then a heap sort puts them in order, the best first (score.ts turns them into
// log-probabilities, and puts runs of equal ones in index order).

import { at } from '../math/rows';

/** Whether (a, ia) ranks before (b, ib): NaN first, then larger values, then the lower index. */
// @ts-ignore: decorator
@inline export function ranksBefore<T>(a: T, ia: i32, b: T, ib: i32): bool {
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
export function sortHeap<T>(values: usize, indices: usize, n: i32): void {
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

/**
 * Offers n elements of a row, whose global indices start at `base` (above every index offered before), to the k
 * best kept in (values, indices), of which `filled` are kept so far; returns how many are kept after. The first k
 * fill the arrays and become a heap; each later one enters when it ranks before the root (the worst kept).
 */
export function offerRange<T>(row: usize, n: i32, base: i32, k: i32, values: usize, indices: usize, filled: i32): i32 {
  let i = 0;
  if (filled < k) {
    for (; i < n && filled < k; i++, filled++) {
      store<T>(at<T>(values, filled), load<T>(at<T>(row, i)));
      store<i32>(at<i32>(indices, filled), base + i);
    }
    if (filled == k) heapify<T>(values, indices, k);
  }
  if (filled < k) return filled;
  if (ASC_FEATURE_SIMD && sizeof<T>() == 4) {
    // four vectors at a time, compared with the root; only a block holding a candidate goes one by one (float32:
    // float64 offers each element, for the download budget)
    const L = 16 / sizeof<T>();
    for (; i + 4 * L <= n; i += 4 * L) {
      const p = at<T>(row, i);
      const root = v128.splat<T>(load<T>(values));
      const a = v128.load(p), b = v128.load(p, 16), c = v128.load(p, 32), d = v128.load(p, 48);
      // a candidate is above the root, or NaN (ne(v, v)); one equal to it has a higher index and ranks after
      const ha = v128.or(v128.gt<T>(a, root), v128.ne<T>(a, a));
      const hb = v128.or(v128.gt<T>(b, root), v128.ne<T>(b, b));
      const hc = v128.or(v128.gt<T>(c, root), v128.ne<T>(c, c));
      const hd = v128.or(v128.gt<T>(d, root), v128.ne<T>(d, d));
      if (!v128.any_true(v128.or(v128.or(ha, hb), v128.or(hc, hd)))) continue;
      // only the lanes that beat the root when the block was read are offered (offer checks again)
      const mask = laneMask<T>(ha) | laneMask<T>(hb) << L | laneMask<T>(hc) << 2 * L | laneMask<T>(hd) << 3 * L;
      for (let bits = mask; bits != 0; bits &= bits - 1) {
        const j = <i32>ctz(bits);
        offer<T>(values, indices, k, load<T>(at<T>(p, j)), base + i + j);
      }
    }
  }
  for (; i < n; i++) offer<T>(values, indices, k, load<T>(at<T>(row, i)), base + i);
  return filled;
}

/** Selects the k best of a row into (values, indices), best first. Requires 1 ≤ k ≤ n. */
export function selectTopK<T>(row: usize, n: i32, k: i32, values: usize, indices: usize): void {
  offerRange<T>(row, n, 0, k, values, indices, 0);
  sortHeap<T>(values, indices, k);
}

/**
 * Distinct logits can round to equal log-probabilities (x / T at the scale of x): each run of equal ones is put
 * in index order, the order of a stable sort of the log-probabilities (in O(r log r) for a run of r).
 */
export function orderTies<T>(values: usize, indices: usize, k: i32): void {
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
