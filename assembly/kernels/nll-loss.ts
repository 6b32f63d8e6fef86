// F.nll_loss over rows of C log-probabilities x with class-index targets t (t < 0: an ignored row, loss 0
// and gradient 0) and class weights w (all 1 when absent):
//   loss_r = −w_t · x_t
//   ∂(Σ_r g_r · loss_r)/∂x_j = −w_t · g_r at j = t, 0 elsewhere,  g_r = gradScale · (gradOutput ? gradOutput[r] : 1)
// It reads one value per row, so it takes `picked` (picked_r = x_t of row r, gathered by the caller) rather
// than x: a call never copies the whole input into WebAssembly. Products are taken in f64 and rounded once.

import { at, rowZero } from '../math/rows';

export function nllLossRows<T>(
  picked: usize, rows: i32, classes: i32, targets: usize, weight: usize,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const t = load<i32>(<usize>targets + (<usize>r << 2));
    const gradRow = grad ? at<T>(grad, r * classes) : 0;
    if (grad) rowZero<T>(gradRow, classes);
    if (t < 0) {
      store<T>(at<T>(lossOut, r), <T>0);
      continue;
    }
    const wt: f64 = weight ? <f64>load<T>(at<T>(weight, t)) : 1;
    store<T>(at<T>(lossOut, r), <T>(-wt * <f64>load<T>(at<T>(picked, r))));
    if (grad) {
      const g = gradOutput ? gradScale * <f64>load<T>(at<T>(gradOutput, r)) : gradScale;
      store<T>(at<T>(gradRow, t), <T>(-wt * g));
    }
  }
}
