// torchvision.ops.sigmoid_focal_loss (Lin et al. 2017, "Focal Loss for Dense Object Detection") on
// logits x and targets y in [0, 1], with α (< 0 disables the weighting) and γ:
//   p = σ(x),  ce = BCE with logits(x, y),  p_t = p·y + (1 − p)·(1 − y),  u = 1 − p_t
//   α_t = α·y + (1 − α)·(1 − y)   (1 when α < 0)
//   ℓ = α_t · ce · u^γ
// The gradient is PyTorch's autograd through the same expression:
//   ∂ℓ/∂x = α_t · [ (p − y) · u^γ − ce · γ·u^(γ−1) · (2y − 1) · p·(1 − p) ]
// with γ·u^(γ−1) taken as 0 when γ = 0 (PyTorch's pow backward masks a zero exponent).
// torchvision's 1 − p_t and p − y cancel where p is near 0 or 1 (hundreds of float32 ulps of a loss near
// 1e-13 at |x| ≈ 9); written with q = σ(−x) = 1 − p, taken from exp(−|x|), they do not:
//   u = q·y + p·(1 − y),  p − y = p·(1 − y) − q·y,  p·(1 − p) = p·q
// u^γ is u·u for γ = 2, u for 1 and 1 for 0, as PyTorch's pow special-cases them; other γ take float64's pow, for
// float32 too: rounded once to float32 it is as exact as float32's own pow, and the build holds one pow, not two
// (float32's took 428 B of the SIMD build's 25.1 KB gzipped).
// Measured by test/correctness/golden.test.ts's sweeps over [−30, 30]: each float32 element within twice PyTorch's own
// error + 4 ulps of the float64 truth.

import { expNonPositiveVector } from '../../math/exp';
import {
  BinaryCrossEntropyWithLogits, bceWithLogitsVector, sigmoidNear, sigmoidScalar, sigmoidVector,
} from './binary-cross-entropy-with-logits';
import { setGradLanes } from './grad-lanes';

// @ts-ignore: decorator
@inline function powScalar<T>(u: T, gamma: T): T {
  if (gamma == <T>2) return u * u;
  if (gamma == <T>1) return u;
  if (gamma == <T>0) return <T>1;
  return <T>Math.pow(<f64>u, <f64>gamma);
}

/** u^γ lane by lane; γ is the same in every lane. */
// @ts-ignore: decorator
@inline function powVector<T>(u: v128, gamma: v128): v128 {
  const g = v128.extract_lane<T>(gamma, 0);
  if (g == <T>2) return v128.mul<T>(u, u);
  if (g == <T>1) return u;
  if (g == <T>0) return v128.splat<T>(1);
  if (sizeof<T>() == 4) {
    let r = u;
    r = f32x4.replace_lane(r, 0, <f32>Math.pow(f32x4.extract_lane(u, 0), g));
    r = f32x4.replace_lane(r, 1, <f32>Math.pow(f32x4.extract_lane(u, 1), g));
    r = f32x4.replace_lane(r, 2, <f32>Math.pow(f32x4.extract_lane(u, 2), g));
    return f32x4.replace_lane(r, 3, <f32>Math.pow(f32x4.extract_lane(u, 3), g));
  }
  const r = f64x2.replace_lane(u, 0, Math.pow(f64x2.extract_lane(u, 0), <f64>g));
  return f64x2.replace_lane(r, 1, Math.pow(f64x2.extract_lane(u, 1), <f64>g));
}

// @ts-ignore: decorator
@inline function alphaWeight<T>(y: T, alpha: T): T {
  return alpha >= <T>0 ? alpha * y + (<T>1 - alpha) * (<T>1 - y) : <T>1;
}

// @ts-ignore: decorator
@inline function alphaWeightV<T>(y: v128, alpha: v128): v128 {
  if (v128.extract_lane<T>(alpha, 0) < <T>0) return v128.splat<T>(1);
  const one = v128.splat<T>(1);
  return v128.add<T>(v128.mul<T>(alpha, y), v128.mul<T>(v128.sub<T>(one, alpha), v128.sub<T>(one, y)));
}

@final @unmanaged export class SigmoidFocal {
  /** α of α_t (< 0: no weighting) and γ: this kernel's params, read from its params block. */
  alpha: f64;
  gamma: f64;

  // @ts-ignore: decorator
  @inline value<T>(x: T, y: T, pw: T, p0: f64, p1: f64): T {
    const alpha = <T>p0, gamma = <T>p1;
    const ce = changetype<BinaryCrossEntropyWithLogits>(0).value<T>(x, y, <T>1, 0, 0);
    const u = sigmoidScalar<T>(-x) * y + sigmoidScalar<T>(x) * (<T>1 - y);
    return alphaWeight<T>(y, alpha) * (ce * powScalar<T>(u, gamma));
  }

  // @ts-ignore: decorator
  @inline grad<T>(x: T, y: T, pw: T, p0: f64, p1: f64): T {
    const alpha = <T>p0, gamma = <T>p1;
    const p = sigmoidScalar<T>(x);
    const q = sigmoidScalar<T>(-x);
    const ce = changetype<BinaryCrossEntropyWithLogits>(0).value<T>(x, y, <T>1, 0, 0);
    const u = q * y + p * (<T>1 - y);
    const powGrad = gamma == <T>0 ? <T>0 : gamma * powScalar<T>(u, gamma - <T>1);
    const throughP = ce * powGrad * (<T>2 * y - <T>1) * (p * q);
    return alphaWeight<T>(y, alpha) * ((p * (<T>1 - y) - q * y) * powScalar<T>(u, gamma) - throughP);
  }

  // @ts-ignore: decorator
  @inline valueGradV<T>(x: v128, y: v128, pw: v128, p0: f64, p1: f64, withGrad: bool): v128 {
    const alpha = v128.splat<T>(<T>p0), gamma = v128.splat<T>(<T>p1);
    const one = v128.splat<T>(1);
    const e = expNonPositiveVector<T>(v128.neg<T>(v128.abs<T>(x)));
    const near = sigmoidNear<T>(e);
    const p = sigmoidVector<T>(x, e, near, false);
    const q = sigmoidVector<T>(x, e, near, true);
    const ce = bceWithLogitsVector<T>(x, y, one, e);
    const oneMinusY = v128.sub<T>(one, y);
    const u = v128.add<T>(v128.mul<T>(q, y), v128.mul<T>(p, oneMinusY));
    const uGamma = powVector<T>(u, gamma);
    const weight = alphaWeightV<T>(y, alpha);
    if (withGrad) {
      const g = v128.extract_lane<T>(gamma, 0);
      const powGrad = g == <T>0 ? v128.splat<T>(0) : v128.mul<T>(gamma, powVector<T>(u, v128.sub<T>(gamma, one)));
      const twoYMinusOne = v128.sub<T>(v128.add<T>(y, y), one);
      const throughP = v128.mul<T>(v128.mul<T>(v128.mul<T>(ce, powGrad), twoYMinusOne), v128.mul<T>(p, q));
      const direct = v128.mul<T>(v128.sub<T>(v128.mul<T>(p, oneMinusY), v128.mul<T>(q, y)), uGamma);
      setGradLanes(v128.mul<T>(weight, v128.sub<T>(direct, throughP)));
    }
    return v128.mul<T>(weight, v128.mul<T>(ce, uGamma));
  }
}
