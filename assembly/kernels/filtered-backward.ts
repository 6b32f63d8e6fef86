// The fused linear backward with gradient filtering (filterEps, as Cut Cross-Entropy filters): the logits' gradient
// G [n × V] keeps, per row, only the entries whose softmax value is at least ε, and the two backward products run
// over those alone:
//   gradInput_r = Σ_{v kept in row r} G_rv · W_v             (sparseRowProducts, rows over threads)
//   gradWeight_v (+)= Σ_{r whose row keeps v} G_rv · X_r     (sparseColumnProducts, vocabulary rows over threads)
// A row keeps its target's entry, and every entry whose gradient is not finite (so NaN and ±inf travel as they do
// without filtering). The kept entries go from rows to columns (keptByColumn) so that each gradWeight row is one
// thread's, summed in row order: the results do not depend on the threads.
// softmax_v = exp(z_v − L) ≥ ε ⟺ z_v ≥ L + log ε, with z = c · tanh(x / c) under a softcap c: compared as
// x ≥ c · atanh((L + log ε) / c), one threshold per row.

import { logScalar } from '../math/exp';
import { madd, maddScalar } from '../math/madd';
import { at } from '../math/rows';

/** The row's threshold on the logits x: kept where x ≥ it (±inf: none or all). */
function rowThreshold<T>(lse: T, logEps: f64, softcap: T): T {
  const z = <f64>lse + logEps;
  if (softcap <= 0 || z != z) return <T>z;
  const c = <f64>softcap;
  if (z >= c) return <T>Infinity;
  if (z <= -c) return <T>-Infinity;
  return <T>(c * 0.5 * logScalar<f64>((c + z) / (c - z)));
}

/**
 * Columns [from, to) of one row: each kept entry's value written at x[kept] and its column at index[kept] (x ≥
 * threshold or NaN where the row is live, the target, or a gradient not finite). Returns the new count.
 */
function keepRange<T>(
  x: usize, g: usize, index: usize, from: i32, to: i32, t: i32, threshold: T, live: bool, kept: i32,
): i32 {
  for (let k = from; k < to; k++) {
    const gk = load<T>(at<T>(g, k));
    const finite = Math.abs(gk) <= <T>Infinity;
    if (k != t && finite && !(live && !(load<T>(at<T>(x, k)) < threshold))) continue;
    store<T>(at<T>(x, kept), gk);
    store<i32>(index + (<usize>kept << 2), k);
    kept++;
  }
  return kept;
}

/**
 * Per row r of n: the gradient's kept entries, their values written over the row's logits x from its start and
 * their columns into `index` (the row's V int32 slots), their count into count[r]. An ignored row (target < 0) keeps
 * only its non-finite entries. SIMD: a group of lanes none of which is kept is passed over.
 */
export function keepLargeRows<T>(
  x: usize, rows: i32, cols: i32, lse: usize, targets: usize, g: usize, index: usize, count: usize,
  logEps: f64, softcap: T,
): void {
  const L = <i32>(16 / sizeof<T>());
  for (let r = 0; r < rows; r++) {
    const xRow = at<T>(x, r * cols), gRow = at<T>(g, r * cols);
    const iRow = index + ((<usize>r * cols) << 2);
    const t = load<i32>(targets + (<usize>r << 2));
    const live = t >= 0;
    const threshold = rowThreshold<T>(load<T>(at<T>(lse, r)), logEps, softcap);
    let kept = 0;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const limit = v128.splat<T>(live ? threshold : <T>Infinity);
      const finite = v128.splat<T>(<T>Infinity);
      for (; j + L <= cols; j += L) {
        const xs = v128.load(at<T>(xRow, j)), gs = v128.load(at<T>(gRow, j));
        // a lane kept: x ≥ threshold (or NaN), or |g| not ≤ inf (NaN or ±inf); the target's lane below
        const some = v128.or(v128.not(v128.lt<T>(xs, limit)), v128.not(v128.le<T>(v128.abs<T>(gs), finite)));
        if (!v128.any_true(some) && !(t >= j && t < j + L)) continue;
        kept = keepRange<T>(xRow, gRow, iRow, j, j + L, t, threshold, live, kept);
      }
    }
    kept = keepRange<T>(xRow, gRow, iRow, j, cols, t, threshold, live, kept);
    store<i32>(count + (<usize>r << 2), kept);
  }
}

/** out[0, d) (+)= Σ_j values[j] · b[columns[j]] over `kept` entries (each b row d long), summed from 0 in j's order and
 * added onto out with `add`: SIMD, 4 vectors at a time, the rest of d one value at a time. */
function sparseRowTimes<T>(values: usize, columns: usize, kept: i32, b: usize, d: i32, out: usize, add: bool): void {
  const L = <i32>(16 / sizeof<T>());
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    for (; k + 4 * L <= d; k += 4 * L) {
      let c0 = v128.splat<T>(0), c1 = c0, c2 = c0, c3 = c0;
      for (let j = 0; j < kept; j++) {
        const a = v128.splat<T>(load<T>(at<T>(values, j)));
        const row = at<T>(b, load<i32>(columns + (<usize>j << 2)) * d + k);
        c0 = madd<T>(a, v128.load(row), c0);
        c1 = madd<T>(a, v128.load(row, 16), c1);
        c2 = madd<T>(a, v128.load(row, 32), c2);
        c3 = madd<T>(a, v128.load(row, 48), c3);
      }
      const o = at<T>(out, k);
      v128.store(o, add ? v128.add<T>(v128.load(o), c0) : c0);
      v128.store(o, add ? v128.add<T>(v128.load(o, 16), c1) : c1, 16);
      v128.store(o, add ? v128.add<T>(v128.load(o, 32), c2) : c2, 32);
      v128.store(o, add ? v128.add<T>(v128.load(o, 48), c3) : c3, 48);
    }
  }
  for (; k < d; k++) {
    let c = <T>0;
    for (let j = 0; j < kept; j++) {
      const bk = load<T>(at<T>(b, load<i32>(columns + (<usize>j << 2)) * d + k));
      c = maddScalar<T>(load<T>(at<T>(values, j)), bk, c);
    }
    store<T>(at<T>(out, k), add ? load<T>(at<T>(out, k)) + c : c);
  }
}

/** gradInput_r = Σ_j values_rj · w[index_rj] for rows r of n: the kept entries of keepLargeRows (row stride cols). */
export function sparseRowProducts<T>(
  values: usize, rows: i32, cols: i32, index: usize, count: usize, w: usize, d: i32, out: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const kept = load<i32>(count + (<usize>r << 2));
    sparseRowTimes<T>(at<T>(values, r * cols), index + ((<usize>r * cols) << 2), kept, w, d, at<T>(out, r * d), false);
  }
}

/**
 * The kept entries of n rows by column: start[v] (V + 1 offsets) and, from start[v] on, each entry's row (`rowOf`)
 * and value (`valueOf`), rows ascending within a column.
 */
export function keptByColumn<T>(
  values: usize, rows: i32, cols: i32, index: usize, count: usize, start: usize, rowOf: usize, valueOf: usize,
): void {
  byColumn(values, rows, cols, index, count, start, rowOf, valueOf, alignof<T>());
}

/** keptByColumn for values of 1 << shift bytes (one body for both dtypes: it only moves them). */
function byColumn(
  values: usize, rows: i32, cols: i32, index: usize, count: usize, start: usize, rowOf: usize, valueOf: usize,
  shift: usize,
): void {
  memory.fill(start, 0, (<usize>cols + 1) << 2);
  for (let r = 0; r < rows; r++) {
    const iRow = index + ((<usize>r * cols) << 2);
    for (let j = 0, kept = load<i32>(count + (<usize>r << 2)); j < kept; j++) {
      const slot = start + ((<usize>load<i32>(iRow + (<usize>j << 2)) + 1) << 2);
      store<i32>(slot, load<i32>(slot) + 1);
    }
  }
  for (let v = 0; v < cols; v++) {
    const next = start + ((<usize>v + 1) << 2);
    store<i32>(next, load<i32>(next) + load<i32>(start + (<usize>v << 2)));
  }
  // each column's next free place, kept in start[v] while filling, then moved back one column
  for (let r = 0; r < rows; r++) {
    const iRow = index + ((<usize>r * cols) << 2), vRow = values + ((<usize>r * cols) << shift);
    for (let j = 0, kept = load<i32>(count + (<usize>r << 2)); j < kept; j++) {
      const slot = start + (<usize>load<i32>(iRow + (<usize>j << 2)) << 2);
      const place = load<i32>(slot);
      store<i32>(rowOf + (<usize>place << 2), r);
      const to = valueOf + (<usize>place << shift), from = vRow + (<usize>j << shift);
      if (shift == 2) store<u32>(to, load<u32>(from));
      else store<u64>(to, load<u64>(from));
      store<i32>(slot, place + 1);
    }
  }
  for (let v = cols; v > 0; v--) store<i32>(start + (<usize>v << 2), load<i32>(start + ((<usize>v - 1) << 2)));
  store<i32>(start, 0);
}

/**
 * gradWeight_v (+)= Σ over column v's kept entries of value · x[row] for vocabulary rows v of `vocabRows` from the
 * one `c` points at (row first = (c − c0) / (d · sizeof<T>), c0 gradWeight's row 0): keptByColumn's lists.
 */
export function sparseColumnProducts<T>(
  start: usize, rowOf: usize, valueOf: usize, x: usize, d: i32, c0: usize, c: usize, vocabRows: i32, accumulate: i32,
): void {
  if (d == 0) return; // (no columns to write; and c − c0 would be divided by 0)
  const first = <i32>((c - c0) / (<usize>d * sizeof<T>()));
  for (let i = 0; i < vocabRows; i++) {
    const from = load<i32>(start + ((<usize>first + i) << 2));
    const kept = load<i32>(start + ((<usize>first + i + 1) << 2)) - from;
    if (kept == 0 && accumulate) continue;
    sparseRowTimes<T>(at<T>(valueOf, from), rowOf + (<usize>from << 2), kept, x, d, at<T>(c, i * d), accumulate != 0);
  }
}
