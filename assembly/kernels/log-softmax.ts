// log-softmax over rows: y_j = (x_j − m) − log Σ_k exp(x_k − m), m = max_k x_k.
// Pass 1: m. Pass 2: the sum of exps (nothing stored). Pass 3: y_j. `out` may be `x`.

import { logScalar } from '../math/exp';
import { at, rowMax, rowSubtractTwice, rowSumExp } from '../math/rows';

export function logSoftmaxRows<T>(x: usize, rows: i32, cols: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * cols);
    const m = rowMax<T>(row, cols);
    const logSum = logScalar<T>(rowSumExp<T>(row, cols, m, 0));
    rowSubtractTwice<T>(row, at<T>(out, r * cols), cols, m, logSum);
  }
}
