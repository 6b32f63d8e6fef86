// out_j = exp(x_j) through the build's exp: the vector polynomial in the SIMD build (std exp on the
// tail), std exp in the scalar build. Exported so the tests can measure the polynomial's error.

import { expScalar, expVector } from '../math/exp';
import { at } from '../math/rows';

export function expBatch<T>(x: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const L = 16 / sizeof<T>();
    for (; i + L <= n; i += L) v128.store(at<T>(out, i), expVector<T>(v128.load(at<T>(x, i))));
  }
  for (; i < n; i++) store<T>(at<T>(out, i), expScalar<T>(load<T>(at<T>(x, i))));
}
