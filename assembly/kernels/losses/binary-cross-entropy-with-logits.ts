// F.binary_cross_entropy_with_logits on logits x, targets y and positive weight pw (1 without it):
//   lw = (pw − 1)·y + 1,  m = max(−x, 0)
//   ℓ = ((1 − y)·x + lw·m) + lw·log1p(exp(−|x|))          (= (1 − y)·x + lw·softplus(−x))
//   ∂ℓ/∂x = (1 − y)·σ(x) − pw·y·σ(−x)                      (= (pw·y + 1 − y)·σ(x) − pw·y)
// aten/src/ATen/native/Loss.cpp takes the same terms in the same order, but as log(exp(−m) + exp(−x − m)), the
// log of a sum near 1 that loses the small term's digits; log1p keeps them. Its gradient, σ(x) − y, cancels
// for hard targets where σ(x) is near y; σ(−x) is that difference without the cancellation. NaN at x = ±inf
// as PyTorch (it multiplies 0 by inf there). Measured by test/correctness/golden.test.ts's sweeps over [−30, 30]: each
// float32 element within twice PyTorch's own error + 4 ulps of the float64 truth.

import { expNonPositiveVector, expScalar } from '../../math/exp';
import { log1pOfUnitVector, log1pScalar, vectorOne } from '../../math/log';
import { setGradLanes } from './grad-lanes';

/** σ(x) = 1 / (1 + exp(−x)), from exp(−|x|) so that neither tail cancels; σ(−x) is sigmoidScalar(−x). */
// @ts-ignore: decorator
@inline export function sigmoidScalar<T>(x: T): T {
  const e = expScalar<T>(-abs(x));
  return (x >= <T>0 ? <T>1 : e) / (<T>1 + e);
}

/** σ(|x|) = 1 / (1 + e) from e = exp(−|x|): the part the vector σ(x) and σ(−x) share (see sigmoidVector). */
// @ts-ignore: decorator
@inline export function sigmoidNear<T>(e: v128): v128 {
  const one = vectorOne<T>();
  return v128.div<T>(one, v128.add<T>(one, e));
}

/** σ(x) (negated false) or σ(−x) (negated true) from e = exp(−|x|) and near = σ(|x|); NaN lanes stay NaN. */
// @ts-ignore: decorator
@inline export function sigmoidVector<T>(x: v128, e: v128, near: v128, negated: bool): v128 {
  const far = v128.mul<T>(e, near);
  const positive = v128.ge<T>(x, v128.splat<T>(0));
  return negated ? v128.bitselect(far, near, positive) : v128.bitselect(near, far, positive);
}

/** ℓ lane by lane, from e = exp(−|x|) (which σ shares). */
// @ts-ignore: decorator
@inline export function bceWithLogitsVector<T>(x: v128, y: v128, pw: v128, e: v128): v128 {
  const one = vectorOne<T>();
  const logWeight = v128.add<T>(v128.mul<T>(v128.sub<T>(pw, one), y), one);
  const m = v128.pmax<T>(v128.neg<T>(x), v128.splat<T>(0));
  const linear = v128.add<T>(v128.mul<T>(v128.sub<T>(one, y), x), v128.mul<T>(logWeight, m));
  return v128.add<T>(linear, v128.mul<T>(logWeight, log1pOfUnitVector<T>(e)));
}

@final export class BinaryCrossEntropyWithLogits {
  // @ts-ignore: decorator
  @inline value<T>(x: T, y: T, pw: T, p0: f64, p1: f64): T {
    const logWeight = (pw - <T>1) * y + <T>1;
    const linear = (<T>1 - y) * x + logWeight * max(-x, <T>0);
    return linear + logWeight * log1pScalar<T>(expScalar<T>(-abs(x)));
  }

  // @ts-ignore: decorator
  @inline grad<T>(x: T, y: T, pw: T, p0: f64, p1: f64): T {
    return (<T>1 - y) * sigmoidScalar<T>(x) - pw * y * sigmoidScalar<T>(-x);
  }

  // @ts-ignore: decorator
  @inline valueGradV<T>(x: v128, y: v128, pw: v128, p0: f64, p1: f64, withGrad: bool): v128 {
    const e = expNonPositiveVector<T>(v128.neg<T>(v128.abs<T>(x)));
    if (withGrad) {
      const near = sigmoidNear<T>(e);
      const positive = v128.mul<T>(v128.sub<T>(vectorOne<T>(), y), sigmoidVector<T>(x, e, near, false));
      setGradLanes(v128.sub<T>(positive, v128.mul<T>(v128.mul<T>(pw, y), sigmoidVector<T>(x, e, near, true))));
    }
    return bceWithLogitsVector<T>(x, y, pw, e);
  }
}
