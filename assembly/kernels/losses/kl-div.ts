// F.kl_div on input x = log q and target y, as PyTorch:
//   y holds p:      ℓ = xlogy(y, y) − y·x (0·log 0 = 0),  ∂ℓ/∂x = −y
//   y holds log p:  ℓ = exp(y)·(y − x),                     ∂ℓ/∂x = −exp(y)   (log_target=True)
// One class for both, its param saying which (one instantiation of the driver per dtype, for the download budget).

import { expScalar, expVector, logScalar } from '../../math/exp';
import { logVector } from '../../math/log';

@final @unmanaged export class KlDiv {
  /** 1: y holds log p (log_target), 0: y holds p. */
  logTarget: f64;

  // @ts-ignore: decorator
  @inline value<T>(x: T, y: T, pw: T): T {
    if (this.logTarget != 0) return expScalar<T>(y) * (y - x);
    return (y == <T>0 ? <T>0 : y * logScalar<T>(y)) - y * x;
  }

  // @ts-ignore: decorator
  @inline grad<T>(x: T, y: T, pw: T): T {
    return this.logTarget != 0 ? -expScalar<T>(y) : -y;
  }

  // @ts-ignore: decorator
  @inline valueV<T>(x: v128, y: v128, pw: v128): v128 {
    if (this.logTarget != 0) return v128.mul<T>(expVector<T>(y), v128.sub<T>(y, x));
    const zero = v128.splat<T>(0);
    const yLogY = v128.bitselect(zero, v128.mul<T>(y, logVector<T>(y)), v128.eq<T>(y, zero));
    return v128.sub<T>(yLogY, v128.mul<T>(y, x));
  }

  // @ts-ignore: decorator
  @inline gradV<T>(x: v128, y: v128, pw: v128): v128 {
    return v128.neg<T>(this.logTarget != 0 ? expVector<T>(y) : y);
  }
}
