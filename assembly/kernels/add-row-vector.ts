// x[r][j] += v[j] for `rows` rows of `cols`: the fused linear path's bias, added to each row of a chunk's logits.
// Each element is one add of T, as the plain loop below it.

import { at } from '../math/rows';

export function addRowVectorRows<T>(x: usize, rows: i32, cols: i32, v: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = at<T>(x, r * cols);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const L = 16 / sizeof<T>();
      for (; j + L <= cols; j += L) {
        const p = at<T>(row, j);
        v128.store(p, v128.add<T>(v128.load(p), v128.load(at<T>(v, j))));
      }
    }
    for (; j < cols; j++) {
      const p = at<T>(row, j);
      store<T>(p, load<T>(p) + load<T>(at<T>(v, j)));
    }
  }
}
