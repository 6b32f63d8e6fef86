// The robust regression losses of d = x − y, z = |d|, as PyTorch 1.13's CPU kernels compute them:
//   F.smooth_l1_loss (β ≥ 0):  ℓ = z < β ? 0.5·z·z / β : z − 0.5·β     ∂ℓ/∂x = d ≤ −β ? −1 : d ≥ β ? 1 : d / β
//   F.huber_loss (δ > 0):      ℓ = z < δ ? 0.5·z·z : δ·(z − 0.5·δ)     ∂ℓ/∂x = d ≤ −δ ? −δ : d ≥ δ ? δ : d
//   F.l1_loss:                 ℓ = z                                   ∂ℓ/∂x = sign(d), 0 for d = 0 and NaN
// (smooth L1 at β = 0 is ℓ = z with PyTorch's backward of its own: −1 at d = 0, NaN for NaN; golden cases hold it).
// One class serves the three, its params saying which (`form`: 0 smooth L1, 1 Huber, 2 L1) and the threshold
// (β or δ): one instantiation of the driver per dtype instead of three, for the download budget. The vector code
// takes both sides of each comparison and selects lane by lane; a NaN lane fails every comparison, as in the
// scalar code.

@final @unmanaged export class SmoothL1 {
  /** β (smooth L1) or δ (Huber); unused by L1. */
  threshold: f64;
  /** 0: smooth L1, 1: Huber, 2: L1. */
  form: f64;

  // @ts-ignore: decorator
  @inline value<T>(x: T, y: T, pw: T, p0: f64, p1: f64): T {
    const t = <T>p0;
    const z = abs<T>(x - y);
    if (p1 == 2) return z;
    if (p1 == 1) return z < t ? <T>0.5 * z * z : t * (z - <T>0.5 * t);
    return z < t ? (<T>0.5 * z * z) / t : z - <T>0.5 * t;
  }

  // @ts-ignore: decorator
  @inline grad<T>(x: T, y: T, pw: T, p0: f64, p1: f64): T {
    const t = <T>p0;
    const d = x - y;
    if (p1 == 2) return d > 0 ? <T>1 : d < 0 ? <T>-1 : <T>0;
    const edge = p1 == 1 ? t : <T>1;
    return d <= -t ? -edge : d >= t ? edge : p1 == 1 ? d : d / t;
  }

  // @ts-ignore: decorator
  @inline valueV<T>(x: v128, y: v128, pw: v128, p0: f64, p1: f64): v128 {
    const t = v128.splat<T>(<T>p0);
    const half = v128.splat<T>(0.5);
    const z = v128.abs<T>(v128.sub<T>(x, y));
    if (p1 == 2) return z;
    const square = v128.mul<T>(v128.mul<T>(half, z), z);
    const inside = v128.lt<T>(z, t);
    const outside = v128.sub<T>(z, v128.mul<T>(half, t));
    if (p1 == 1) return v128.bitselect(square, v128.mul<T>(t, outside), inside);
    return v128.bitselect(v128.div<T>(square, t), outside, inside);
  }

  // @ts-ignore: decorator
  @inline gradV<T>(x: v128, y: v128, pw: v128, p0: f64, p1: f64): v128 {
    const d = v128.sub<T>(x, y);
    const zero = v128.splat<T>(0);
    if (p1 == 2) {
      const one = v128.splat<T>(1);
      return v128.sub<T>(v128.and(v128.gt<T>(d, zero), one), v128.and(v128.lt<T>(d, zero), one));
    }
    const t = v128.splat<T>(<T>p0);
    const edge = p1 == 1 ? t : v128.splat<T>(1);
    const middle = p1 == 1 ? d : v128.div<T>(d, t);
    const high = v128.bitselect(edge, middle, v128.ge<T>(d, t));
    return v128.bitselect(v128.neg<T>(edge), high, v128.le<T>(d, v128.neg<T>(t)));
  }
}
