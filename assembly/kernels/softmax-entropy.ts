// Entropy of softmax(x / T) per row, T = 1 / scale, without the softmax array. With d_j = (x_j − m) · scale
// (m the row's max) clamped to the dtype's lowest finite value, e_j = exp(d_j) and s = Σ e_j:
//   H = −Σ_j p_j log p_j = log s − (Σ_j e_j d_j) / s
// The clamp is torch.distributions.Categorical's (logits clamped to finfo.min): a −inf logit gives
// p = 0 and adds 0, not 0 · −inf. A row of all −inf, or holding +inf or NaN, gives NaN as there.

import { expNonPositiveVector, expScalar, logScalar } from '../math/exp';
import { at, horizontalSum, rowMax, withCompensation } from '../math/rows';

export function softmaxEntropyRows<T>(x: usize, rows: i32, cols: i32, scale: T, out: usize): void {
  const lowest = sizeof<T>() == 4 ? <T>-3.4028234663852886e38 : <T>-1.7976931348623157e308;
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * cols);
    const m = rowMax<T>(row, cols);
    let s: f64 = 0, ed: f64 = 0, sComp: f64 = 0, edComp: f64 = 0;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const L = 16 / sizeof<T>();
      const mV = v128.splat<T>(m);
      const scaleV = v128.splat<T>(scale);
      const lowestV = v128.splat<T>(lowest);
      while (j + 2 * L <= cols) {
        // blocks of partial sums in T, each block's total added in f64 (as rowSumExp)
        const blockEnd = min(cols, j + 1024);
        let s0 = v128.splat<T>(0), s1 = s0, ed0 = s0, ed1 = s0;
        for (; j + 2 * L <= blockEnd; j += 2 * L) {
          const p = at<T>(row, j);
          const d0 = v128.pmax<T>(v128.mul<T>(v128.sub<T>(v128.load(p), mV), scaleV), lowestV);
          const d1 = v128.pmax<T>(v128.mul<T>(v128.sub<T>(v128.load(p, 16), mV), scaleV), lowestV);
          const e0 = expNonPositiveVector<T>(d0);
          const e1 = expNonPositiveVector<T>(d1);
          s0 = v128.add<T>(s0, e0);
          s1 = v128.add<T>(s1, e1);
          ed0 = v128.add<T>(ed0, v128.mul<T>(e0, d0));
          ed1 = v128.add<T>(ed1, v128.mul<T>(e1, d1));
        }
        s += <f64>horizontalSum<T>(v128.add<T>(s0, s1));
        ed += <f64>horizontalSum<T>(v128.add<T>(ed0, ed1));
      }
    }
    for (; j < cols; j++) {
      const d = max<T>((load<T>(at<T>(row, j)) - m) * scale, lowest);
      const e = expScalar<T>(d);
      const de = <f64>(e * d);
      if (sizeof<T>() == 8) {
        let t = s + <f64>e;
        sComp += abs(s) >= abs(<f64>e) ? s - t + <f64>e : <f64>e - t + s;
        s = t;
        t = ed + de;
        edComp += abs(ed) >= abs(de) ? ed - t + de : de - t + ed;
        ed = t;
      } else {
        s += <f64>e;
        ed += de;
      }
    }
    const sum = <T>withCompensation(s, sComp);
    store<T>(at<T>(out, r), logScalar<T>(sum) - <T>withCompensation(ed, edComp) / sum);
  }
}
