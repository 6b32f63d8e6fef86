// softmax over rows: y_j = exp(x_j − m) / Σ_k exp(x_k − m), m = max_k x_k.
// Pass 1: m. Pass 2: y_j = exp(x_j − m) and their sum s (one exp per element). Pass 3: y_j · (1/s).

import { at, rowMax, rowScale, rowSumExp } from '../math/rows';

export function softmaxRows<T>(x: usize, rows: i32, cols: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * cols);
    const outRow = at<T>(out, r * cols);
    const m = rowMax<T>(row, cols);
    const s = rowSumExp<T>(row, cols, m, outRow);
    rowScale<T>(outRow, cols, <T>1 / s);
  }
}
