// Elementwise sigmoid and log-sigmoid, stable at both ends:
// σ(x) = 1 / (1 + exp(−x))  (exp(−x) → inf gives 0, → 0 gives 1)
// log σ(x) = min(x, 0) − log1p(exp(−|x|))

import { expNonPositiveVector, expScalar, expVector } from '../math/exp';
import { log1pOfUnitVector, log1pScalar, vectorOne } from '../math/log';
import { at } from '../math/rows';

export function sigmoidBatch<T>(x: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const L = 16 / sizeof<T>();
    const one = vectorOne<T>();
    for (; i + L <= n; i += L) {
      const e = expVector<T>(v128.neg<T>(v128.load(at<T>(x, i))));
      v128.store(at<T>(out, i), v128.div<T>(one, v128.add<T>(one, e)));
    }
  }
  for (; i < n; i++) store<T>(at<T>(out, i), <T>1 / (<T>1 + expScalar<T>(-load<T>(at<T>(x, i)))));
}

export function logSigmoidBatch<T>(x: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const L = 16 / sizeof<T>();
    const zero = v128.splat<T>(0);
    for (; i + L <= n; i += L) {
      const v = v128.load(at<T>(x, i));
      const tail = log1pOfUnitVector<T>(expNonPositiveVector<T>(v128.neg<T>(v128.abs<T>(v))));
      v128.store(at<T>(out, i), v128.sub<T>(v128.pmin<T>(v, zero), tail));
    }
  }
  for (; i < n; i++) {
    const v = load<T>(at<T>(x, i));
    store<T>(at<T>(out, i), min(v, <T>0) - log1pScalar<T>(expScalar<T>(-abs(v))));
  }
}

// As row kernels: rows · cols elements.
export function sigmoidRows<T>(x: usize, rows: i32, cols: i32, out: usize): void {
  sigmoidBatch<T>(x, rows * cols, out);
}
export function logSigmoidRows<T>(x: usize, rows: i32, cols: i32, out: usize): void {
  logSigmoidBatch<T>(x, rows * cols, out);
}
