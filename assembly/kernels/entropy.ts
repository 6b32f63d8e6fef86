// Entropy of the categorical distribution of each row, as torch.distributions.Categorical(probs=p):
// q_j = p_j / Σ_k p_k, H = −Σ_j q_j · log(clamp(q_j, ε, 1 − ε)) with ε the dtype's machine epsilon
// (so 0·log 0 counts as 0, and a one-hot row gives ε-sized entropy exactly like PyTorch).

import { logScalar } from '../math/exp';
import { logVector } from '../math/log';
import { at, horizontalSum } from '../math/rows';

export function entropyRows<T>(p: usize, rows: i32, cols: i32, out: usize): void {
  const eps = sizeof<T>() == 4 ? <T>1.1920928955078125e-7 : <T>2.220446049250313e-16;
  for (let r = 0; r < rows; r++) {
    const row = at<T>(p, r * cols);
    let total: f64 = 0;
    for (let j = 0; j < cols; j++) total += <f64>load<T>(at<T>(row, j));
    const sum = <T>total;
    let h: f64 = 0;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const L = 16 / sizeof<T>();
      const sumV = v128.splat<T>(sum);
      const lo = v128.splat<T>(eps);
      const hi = v128.splat<T>(<T>1 - eps);
      let acc = v128.splat<T>(0);
      for (; j + L <= cols; j += L) {
        const q = v128.div<T>(v128.load(at<T>(row, j)), sumV);
        acc = v128.add<T>(acc, v128.mul<T>(q, logVector<T>(v128.pmin<T>(v128.pmax<T>(q, lo), hi))));
      }
      h = <f64>horizontalSum<T>(acc);
    }
    for (; j < cols; j++) {
      const q = load<T>(at<T>(row, j)) / sum;
      h += <f64>(q * logScalar<T>(min(max(q, eps), <T>1 - eps)));
    }
    store<T>(at<T>(out, r), <T>-h);
  }
}
