// F.binary_cross_entropy_with_logits on logits x, targets y and positive weight pw (1 without it), as
// aten/src/ATen/native/Loss.cpp:
//   m = max(−x, 0), lw = (pw − 1)·y + 1
//   ℓ = (1 − y)·x + lw·(log(exp(−m) + exp(−x − m)) + m)
//   ∂ℓ/∂x = (pw·y + 1 − y)·σ(x) − pw·y,  σ(x) = 1 / (1 + exp(−x))
// (NaN at x = ±inf, as PyTorch's formula: it multiplies 0 by inf there.)

import { expScalar, expVector, logScalar } from '../../math/exp';
import { logVector } from '../../math/log';

@final export class BinaryCrossEntropyWithLogits {
  // @ts-ignore: decorator
  @inline value<T>(x: T, y: T, pw: T, alpha: T, gamma: T): T {
    const m = max(-x, <T>0);
    const logWeight = (pw - <T>1) * y + <T>1;
    return (<T>1 - y) * x + logWeight * (logScalar<T>(expScalar<T>(-m) + expScalar<T>(-x - m)) + m);
  }

  // @ts-ignore: decorator
  @inline grad<T>(x: T, y: T, pw: T, alpha: T, gamma: T): T {
    const sigmoid = <T>1 / (<T>1 + expScalar<T>(-x));
    return (pw * y + <T>1 - y) * sigmoid - pw * y;
  }

  // @ts-ignore: decorator
  @inline valueV<T>(x: v128, y: v128, pw: v128, alpha: v128, gamma: v128): v128 {
    const one = v128.splat<T>(1);
    const negX = v128.neg<T>(x);
    const m = v128.pmax<T>(negX, v128.splat<T>(0));
    const logWeight = v128.add<T>(v128.mul<T>(v128.sub<T>(pw, one), y), one);
    const sum = v128.add<T>(expVector<T>(v128.neg<T>(m)), expVector<T>(v128.sub<T>(negX, m)));
    const softplus = v128.add<T>(logVector<T>(sum), m);
    return v128.add<T>(v128.mul<T>(v128.sub<T>(one, y), x), v128.mul<T>(logWeight, softplus));
  }

  // @ts-ignore: decorator
  @inline gradV<T>(x: v128, y: v128, pw: v128, alpha: v128, gamma: v128): v128 {
    const one = v128.splat<T>(1);
    const sigmoid = v128.div<T>(one, v128.add<T>(one, expVector<T>(v128.neg<T>(x))));
    const pwY = v128.mul<T>(pw, y);
    return v128.sub<T>(v128.mul<T>(v128.sub<T>(v128.add<T>(pwY, one), y), sigmoid), pwY);
  }
}
