// log-softmax over rows: y_j = (x_j − m) − log Σ_k exp(x_k − m), m = max_k x_k.
// Pass 1: the sum of exps (nothing stored), reading the next row's max along the way. Pass 2: y_j. Short rows (SIMD
// builds) go sixteen at a time, four per vector, both passes in one (../math/group-rows.ts). `out` may be `x`: a row is
// written only after it and the rows read with it are read.

import { logScalar } from '../math/exp';
import { GROUP_LOG_SOFTMAX, GROUP_ROWS, NARROW_ROW, rowGroupSumExp } from '../math/group-rows';
import { at, rowMax, rowSubtractTwice, rowSumExp, takeAheadMax } from '../math/rows';

export function logSoftmaxRows<T>(x: usize, rows: i32, cols: i32, out: usize): void {
  if (ASC_FEATURE_SIMD && sizeof<T>() == 4 && cols <= NARROW_ROW) {
    for (let r = 0; r < rows; r += GROUP_ROWS) {
      rowGroupSumExp(at<T>(x, r * cols), min(GROUP_ROWS, rows - r), cols, at<T>(out, r * cols), GROUP_LOG_SOFTMAX);
    }
    return;
  }
  let m = rows > 0 ? rowMax<T>(x, cols) : <T>0;
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * cols);
    const next = r + 1 < rows ? at<T>(row, cols) : 0;
    const logSum = logScalar<T>(<T>rowSumExp<T>(row, cols, m, 0, next));
    rowSubtractTwice<T>(row, at<T>(out, r * cols), cols, m, logSum);
    m = takeAheadMax<T>();
  }
}
