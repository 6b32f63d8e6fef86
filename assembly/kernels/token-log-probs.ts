// The log-probability of each row's target token at temperature T = 1 / scale:
//   out_r = (x_t − m) · scale − log Σ_j exp((x_j − m) · scale),  m = max_j x_j
// which is log_softmax(x / T)[t] (the max of x / T is m / T since T > 0). A target below 0 marks an
// ignored row: 0, and nothing of the row is read.

import { logScalar } from '../math/exp';
import { at, rowMax, rowSumExpScaled, scaledGap } from '../math/rows';

export function tokenLogProbsRows<T>(x: usize, rows: i32, cols: i32, targets: usize, scale: T, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const t = load<i32>(targets + (<usize>r << 2));
    if (t < 0) {
      store<T>(at<T>(out, r), <T>0);
      continue;
    }
    const row = at<T>(x, r * cols);
    const m = rowMax<T>(row, cols);
    const logSum = logScalar<T>(rowSumExpScaled<T>(row, cols, m, scale, 0));
    store<T>(at<T>(out, r), scaledGap<T>(load<T>(at<T>(row, t)), m, scale) - logSum);
  }
}
