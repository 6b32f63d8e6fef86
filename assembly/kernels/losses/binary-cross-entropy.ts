// F.binary_cross_entropy on probabilities x and targets y, as aten/src/ATen/native/Loss.cpp:
//   ℓ = (y − 1)·max(log1p(−x), −100) − y·max(log x, −100)
//   ∂ℓ/∂x = (x − y) / max((1 − x)·x, ε),  ε = float32(1e-12), for float64 input too (its golden vectors show it)
// The vector code takes max as pmax(value, bound), one instruction, which keeps a NaN value (its first
// operand) as the NaN-propagating max of the scalar code does.

import { logScalar } from '../../math/exp';
import { log1pScalar, log1pVector, logVector } from '../../math/log';

// @ts-ignore: decorator
@inline const GRAD_EPSILON: f64 = <f64><f32>1e-12;

@final export class BinaryCrossEntropy {
  // @ts-ignore: decorator
  @inline value<T>(x: T, y: T, pw: T, p0: f64, p1: f64): T {
    return (y - <T>1) * max(log1pScalar<T>(-x), <T>-100) - y * max(logScalar<T>(x), <T>-100);
  }

  // @ts-ignore: decorator
  @inline grad<T>(x: T, y: T, pw: T, p0: f64, p1: f64): T {
    return (x - y) / max((<T>1 - x) * x, <T>GRAD_EPSILON);
  }

  // @ts-ignore: decorator
  @inline valueV<T>(x: v128, y: v128, pw: v128, p0: f64, p1: f64): v128 {
    const floor = v128.splat<T>(-100);
    const logX = v128.pmax<T>(logVector<T>(x), floor);
    const log1mX = v128.pmax<T>(log1pVector<T>(v128.neg<T>(x)), floor);
    return v128.sub<T>(v128.mul<T>(v128.sub<T>(y, v128.splat<T>(1)), log1mX), v128.mul<T>(y, logX));
  }

  // @ts-ignore: decorator
  @inline gradV<T>(x: v128, y: v128, pw: v128, p0: f64, p1: f64): v128 {
    const product = v128.mul<T>(v128.sub<T>(v128.splat<T>(1), x), x);
    return v128.div<T>(v128.sub<T>(x, y), v128.pmax<T>(product, v128.splat<T>(<T>GRAD_EPSILON)));
  }
}
