// log-softmax over rows: y_j = (x_j − m) − log Σ_k exp(x_k − m), m = max_k x_k.
// Pass 1: the sum of exps (nothing stored), reading the next row's max along the way, or for short rows (SIMD
// builds) L rows at a time, one per lane. Pass 2: y_j. `out` may be `x`: a row is written only after it and the
// rows read with it are read.

import { logScalar } from '../math/exp';
import {
  at, GROUP_LOG_SUM, GROUP_MAX, groupLane, groupRow, NARROW_ROW, rowMax, rowSubtractTwice, rowSumExp, takeAheadMax,
} from '../math/rows';

export function logSoftmaxRows<T>(x: usize, rows: i32, cols: i32, out: usize): void {
  if (ASC_FEATURE_SIMD && sizeof<T>() == 4 && cols <= NARROW_ROW) {
    for (let r = 0; r < rows; r++) {
      const row = at<T>(x, r * cols);
      const lane = groupRow<T>(r, rows, row, cols, 0);
      const m = groupLane<T>(GROUP_MAX, lane);
      rowSubtractTwice<T>(row, at<T>(out, r * cols), cols, m, groupLane<T>(GROUP_LOG_SUM, lane));
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
