// F.mse_loss: ℓ = (x − y)²,  ∂ℓ/∂x = 2·(x − y).

@final export class MeanSquaredError {
  // @ts-ignore: decorator
  @inline value<T>(x: T, y: T, pw: T, p0: f64, p1: f64): T {
    const d = x - y;
    return d * d;
  }

  // @ts-ignore: decorator
  @inline grad<T>(x: T, y: T, pw: T, p0: f64, p1: f64): T {
    return <T>2 * (x - y);
  }

  // @ts-ignore: decorator
  @inline valueV<T>(x: v128, y: v128, pw: v128, p0: f64, p1: f64): v128 {
    const d = v128.sub<T>(x, y);
    return v128.mul<T>(d, d);
  }

  // @ts-ignore: decorator
  @inline gradV<T>(x: v128, y: v128, pw: v128, p0: f64, p1: f64): v128 {
    return v128.mul<T>(v128.splat<T>(2), v128.sub<T>(x, y));
  }
}
