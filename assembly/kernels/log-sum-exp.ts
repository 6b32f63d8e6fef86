// torch.logsumexp over rows: lse = m + log Σ_j exp(x_j − m), with m = max_j x_j.
// As in PyTorch, an infinite m is replaced by 0 so that a row of −inf gives −inf (not NaN) and a
// row holding +inf gives +inf; an empty row gives −inf.

import { logScalar } from '../math/exp';
import { at, rowMax, rowSumExpAnySign } from '../math/rows';

export function logSumExpRows<T>(x: usize, rows: i32, cols: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * cols);
    let m = rowMax<T>(row, cols);
    if (isFinite<T>(m) == false && isNaN<T>(m) == false) m = <T>0;
    store<T>(at<T>(out, r), m + logScalar<T>(<T>rowSumExpAnySign<T>(row, cols, m, 0)));
  }
}

/**
 * The same in float64 whatever T: m + log of the f64 sum, neither rounded to T. A float32 shard's
 * log-sum-exp for vocabulary shards, whose exp(z − lse) would carry float32's rounding of lse into every term.
 */
export function logSumExpWideRows<T>(x: usize, rows: i32, cols: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * cols);
    let m = rowMax<T>(row, cols);
    if (isFinite<T>(m) == false && isNaN<T>(m) == false) m = <T>0;
    store<f64>(out + (<usize>r << 3), <f64>m + Math.log(rowSumExpAnySign<T>(row, cols, m, 0)));
  }
}
