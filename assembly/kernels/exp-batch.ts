// Elementwise exp, log, log1p, tanh and sech² through the build's own: the vector approximations in the SIMD build
// (std on the tail), std in the scalar build. assembly/testing/index.ts exports them so the tests can measure the
// approximations; the shipped builds leave them out.

import { expNonPositiveVector, expScalar, expVector, logScalar } from '../math/exp';
import { log1pOfUnitVector, log1pScalar, log1pVector, logVector } from '../math/log';
import { at } from '../math/rows';
import { sech2Scalar, sech2Vector, tanhScalar, tanhVector } from '../math/tanh';

export const EXP = 0;
export const LOG = 1;
export const LOG1P = 2;
export const EXP_NON_POSITIVE = 3;
export const TANH = 4;
export const SECH2 = 5;
export const LOG1P_OF_UNIT = 6;

/** out_j = f(x_j) for f = exp, log, log1p, the exp for x ≤ 0, tanh or sech² (`op`, a constant where inlined). */
// @ts-ignore: decorator
@inline export function mathBatch<T>(op: i32, x: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const L = 16 / sizeof<T>();
    for (; i + L <= n; i += L) {
      const v = v128.load(at<T>(x, i));
      const r = op == EXP ? expVector<T>(v)
        : op == EXP_NON_POSITIVE ? expNonPositiveVector<T>(v)
        : op == LOG ? logVector<T>(v)
        : op == TANH ? tanhVector<T>(v)
        : op == SECH2 ? sech2Vector<T>(v)
        : op == LOG1P_OF_UNIT ? log1pOfUnitVector<T>(v)
        : log1pVector<T>(v);
      v128.store(at<T>(out, i), r);
    }
  }
  for (; i < n; i++) {
    const v = load<T>(at<T>(x, i));
    const r = op == EXP || op == EXP_NON_POSITIVE ? expScalar<T>(v)
      : op == LOG ? logScalar<T>(v)
      : op == TANH ? tanhScalar<T>(v)
      : op == SECH2 ? sech2Scalar<T>(v)
      : log1pScalar<T>(v);
    store<T>(at<T>(out, i), r);
  }
}
