// Elementwise exp, log and log1p through the build's own: the vector approximations in the SIMD build
// (std on the tail), std in the scalar build. Exported so the tests can measure the approximations.

import { expScalar, expVector, logScalar } from '../math/exp';
import { log1pScalar, log1pVector, logVector } from '../math/log';
import { at } from '../math/rows';

export function expBatch<T>(x: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const L = 16 / sizeof<T>();
    for (; i + L <= n; i += L) v128.store(at<T>(out, i), expVector<T>(v128.load(at<T>(x, i))));
  }
  for (; i < n; i++) store<T>(at<T>(out, i), expScalar<T>(load<T>(at<T>(x, i))));
}

/** out_j = log(x_j) through the build's log (the vector log in the SIMD build). */
export function logBatch<T>(x: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const L = 16 / sizeof<T>();
    for (; i + L <= n; i += L) v128.store(at<T>(out, i), logVector<T>(v128.load(at<T>(x, i))));
  }
  for (; i < n; i++) store<T>(at<T>(out, i), logScalar<T>(load<T>(at<T>(x, i))));
}

/** out_j = log1p(x_j) through the build's log1p. */
export function log1pBatch<T>(x: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const L = 16 / sizeof<T>();
    for (; i + L <= n; i += L) v128.store(at<T>(out, i), log1pVector<T>(v128.load(at<T>(x, i))));
  }
  for (; i < n; i++) store<T>(at<T>(out, i), log1pScalar<T>(load<T>(at<T>(x, i))));
}
