// torchvision.ops.sigmoid_focal_loss (Lin et al. 2017, "Focal Loss for Dense Object Detection") on
// logits x and targets y in [0, 1], with α (< 0 disables the weighting) and γ:
//   p = σ(x),  ce = BCE with logits(x, y),  p_t = p·y + (1 − p)·(1 − y),  u = 1 − p_t
//   α_t = α·y + (1 − α)·(1 − y)   (1 when α < 0)
//   ℓ = α_t · ce · u^γ
// The gradient follows PyTorch's autograd through the same expression:
//   ∂ℓ/∂x = α_t · [ (p − y) · u^γ − ce · γ·u^(γ−1) · (2y − 1) · p·(1 − p) ]
// with γ·u^(γ−1) taken as 0 when γ = 0 (PyTorch's pow backward masks a zero exponent).
// u^γ is u·u for γ = 2, u for 1 and 1 for 0, as PyTorch's pow special-cases them; other γ take pow.

import { expScalar, expVector } from '../../math/exp';
import { BinaryCrossEntropyWithLogits } from './binary-cross-entropy-with-logits';

// @ts-ignore: decorator
@inline function powScalar<T>(u: T, gamma: T): T {
  if (gamma == <T>2) return u * u;
  if (gamma == <T>1) return u;
  if (gamma == <T>0) return <T>1;
  return sizeof<T>() == 4 ? <T>Mathf.pow(<f32>u, <f32>gamma) : <T>Math.pow(<f64>u, <f64>gamma);
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
    r = f32x4.replace_lane(r, 0, Mathf.pow(f32x4.extract_lane(u, 0), <f32>g));
    r = f32x4.replace_lane(r, 1, Mathf.pow(f32x4.extract_lane(u, 1), <f32>g));
    r = f32x4.replace_lane(r, 2, Mathf.pow(f32x4.extract_lane(u, 2), <f32>g));
    return f32x4.replace_lane(r, 3, Mathf.pow(f32x4.extract_lane(u, 3), <f32>g));
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

@final export class SigmoidFocal {
  // @ts-ignore: decorator
  @inline value<T>(x: T, y: T, pw: T, alpha: T, gamma: T): T {
    const p = <T>1 / (<T>1 + expScalar<T>(-x));
    const ce = changetype<BinaryCrossEntropyWithLogits>(0).value<T>(x, y, <T>1, alpha, gamma);
    const pT = p * y + (<T>1 - p) * (<T>1 - y);
    return alphaWeight<T>(y, alpha) * (ce * powScalar<T>(<T>1 - pT, gamma));
  }

  // @ts-ignore: decorator
  @inline grad<T>(x: T, y: T, pw: T, alpha: T, gamma: T): T {
    const p = <T>1 / (<T>1 + expScalar<T>(-x));
    const ce = changetype<BinaryCrossEntropyWithLogits>(0).value<T>(x, y, <T>1, alpha, gamma);
    const u = <T>1 - (p * y + (<T>1 - p) * (<T>1 - y));
    const powGrad = gamma == <T>0 ? <T>0 : gamma * powScalar<T>(u, gamma - <T>1);
    const throughP = ce * powGrad * (<T>2 * y - <T>1) * ((<T>1 - p) * p);
    return alphaWeight<T>(y, alpha) * ((p - y) * powScalar<T>(u, gamma) - throughP);
  }

  // @ts-ignore: decorator
  @inline valueV<T>(x: v128, y: v128, pw: v128, alpha: v128, gamma: v128): v128 {
    const one = v128.splat<T>(1);
    const p = v128.div<T>(one, v128.add<T>(one, expVector<T>(v128.neg<T>(x))));
    const ce = changetype<BinaryCrossEntropyWithLogits>(0).valueV<T>(x, y, one, alpha, gamma);
    const pT = v128.add<T>(v128.mul<T>(p, y), v128.mul<T>(v128.sub<T>(one, p), v128.sub<T>(one, y)));
    return v128.mul<T>(alphaWeightV<T>(y, alpha), v128.mul<T>(ce, powVector<T>(v128.sub<T>(one, pT), gamma)));
  }

  // @ts-ignore: decorator
  @inline gradV<T>(x: v128, y: v128, pw: v128, alpha: v128, gamma: v128): v128 {
    const one = v128.splat<T>(1);
    const p = v128.div<T>(one, v128.add<T>(one, expVector<T>(v128.neg<T>(x))));
    const ce = changetype<BinaryCrossEntropyWithLogits>(0).valueV<T>(x, y, one, alpha, gamma);
    const u = v128.sub<T>(one, v128.add<T>(v128.mul<T>(p, y), v128.mul<T>(v128.sub<T>(one, p), v128.sub<T>(one, y))));
    const g = v128.extract_lane<T>(gamma, 0);
    const powGrad = g == <T>0 ? v128.splat<T>(0) : v128.mul<T>(gamma, powVector<T>(u, v128.sub<T>(gamma, one)));
    const twoYMinusOne = v128.sub<T>(v128.add<T>(y, y), one);
    const pOneMinusP = v128.mul<T>(v128.sub<T>(one, p), p);
    const throughP = v128.mul<T>(v128.mul<T>(v128.mul<T>(ce, powGrad), twoYMinusOne), pOneMinusP);
    const direct = v128.mul<T>(v128.sub<T>(p, y), powVector<T>(u, gamma));
    return v128.mul<T>(alphaWeightV<T>(y, alpha), v128.sub<T>(direct, throughP));
  }
}
