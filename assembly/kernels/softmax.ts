// softmax over rows: y_j = exp(x_j − m) / Σ_k exp(x_k − m), m = max_k x_k.
// Pass 1: y_j = exp(x_j − m) and their sum s (one exp per element), reading the next row's max along the way. Pass
// 2: y_j · (1/s), reading the next row's max where pass 1 did not (../math/rows.ts's scaleReadsAhead). Short rows
// (SIMD builds) go sixteen at a time, four per vector, both passes in one (../math/group-rows.ts).

import { GROUP_ROWS, GROUP_SOFTMAX, NARROW_ROW, rowGroupSumExp } from '../math/group-rows';
import {
  at, keptRowBounded, rowMaxKept, rowScale, rowScaleReadingAhead, rowSumExp, scaleReadsAhead, takeAheadBounded,
  takeAheadMax,
} from '../math/rows';

export function softmaxRows<T>(x: usize, rows: i32, cols: i32, out: usize): void {
  if (ASC_FEATURE_SIMD && sizeof<T>() == 4 && cols <= NARROW_ROW) {
    for (let r = 0; r < rows; r += GROUP_ROWS) {
      rowGroupSumExp(at<T>(x, r * cols), min(GROUP_ROWS, rows - r), cols, at<T>(out, r * cols), GROUP_SOFTMAX);
    }
    return;
  }
  let m = rows > 0 ? rowMaxKept<T>(x, cols) : <T>0;
  let bounded = rows > 0 && keptRowBounded();
  const inScale = scaleReadsAhead<T>(rows, cols);
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * cols);
    const outRow = at<T>(out, r * cols);
    const next = r + 1 < rows ? at<T>(row, cols) : 0;
    const s = <T>rowSumExp<T>(row, cols, m, outRow, inScale ? 0 : next, bounded);
    if (inScale) rowScaleReadingAhead<T>(outRow, cols, <T>1 / s, next);
    else rowScale<T>(outRow, cols, <T>1 / s);
    m = takeAheadMax<T>();
    bounded = takeAheadBounded();
  }
}
