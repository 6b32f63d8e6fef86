// torch.logsumexp over rows: lse = m + log Σ_j exp(x_j − m), with m = max_j x_j (rows of at most NARROW_ROW, SIMD
// builds: sixteen rows at a time, four per vector, ../math/group-rows.ts).
// As in PyTorch, an infinite m is replaced by 0 so that a row of −inf gives −inf (not NaN) and a
// row holding +inf gives +inf; an empty row gives −inf.

import { logScalar } from '../math/exp';
import { GROUP_LOG_SUM, GROUP_MAX, groupLane, groupRow, NARROW_ROW } from '../math/group-rows';
import { at, rowMax, rowSumExp, rowSumExpAnySign, takeAheadMax } from '../math/rows';

export function logSumExpRows<T>(x: usize, rows: i32, cols: i32, out: usize): void {
  if (ASC_FEATURE_SIMD && sizeof<T>() == 4 && cols > 0 && cols <= NARROW_ROW) {
    // short rows, sixteen at a time; a row whose max is infinite takes the row path's shift of 0
    for (let r = 0; r < rows; r++) {
      const row = at<T>(x, r * cols);
      const lane = groupRow<T>(r, rows, row, cols, 0);
      const m = groupLane<T>(GROUP_MAX, lane);
      const lse = isFiniteOrNaN<T>(m)
        ? m + groupLane<T>(GROUP_LOG_SUM, lane)
        : logScalar<T>(<T>sumExpOfRow<T>(row, cols, m, 0));
      store<T>(at<T>(out, r), lse);
    }
    return;
  }
  let ahead = false;
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * cols);
    const next = r + 1 < rows ? at<T>(row, cols) : 0;
    const m = ahead ? takeAheadMax<T>() : rowMax<T>(row, cols);
    ahead = next != 0 && isFiniteOrNaN<T>(m);
    const s = sumExpOfRow<T>(row, cols, m, next);
    store<T>(at<T>(out, r), shiftOf<T>(m) + logScalar<T>(<T>s));
  }
}

/**
 * The same in float64 whatever T: m + log of the f64 sum, neither rounded to T. A float32 shard's
 * log-sum-exp for vocabulary shards, whose exp(z − lse) would carry float32's rounding of lse into every term.
 */
export function logSumExpWideRows<T>(x: usize, rows: i32, cols: i32, out: usize): void {
  let ahead = false;
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * cols);
    const next = r + 1 < rows ? at<T>(row, cols) : 0;
    const m = ahead ? takeAheadMax<T>() : rowMax<T>(row, cols);
    ahead = next != 0 && isFiniteOrNaN<T>(m);
    store<f64>(out + (<usize>r << 3), <f64>shiftOf<T>(m) + Math.log(sumExpOfRow<T>(row, cols, m, next)));
  }
}

// @ts-ignore: decorator
@inline function isFiniteOrNaN<T>(m: T): bool {
  return isFinite<T>(m) || isNaN<T>(m);
}

/** The row's shift: its max m, or 0 for an infinite m. */
// @ts-ignore: decorator
@inline function shiftOf<T>(m: T): T {
  return isFiniteOrNaN<T>(m) ? m : <T>0;
}

/** Σ_j exp(x_j − shift) in f64; for a finite (or NaN) max it also reads the row at `next` ahead (if not 0). */
// @ts-ignore: decorator
@inline function sumExpOfRow<T>(row: usize, cols: i32, m: T, next: usize): f64 {
  return isFiniteOrNaN<T>(m) ? rowSumExp<T>(row, cols, m, 0, next) : rowSumExpAnySign<T>(row, cols, <T>0, 0);
}
