// The vector tanh and sech² of assembly/math/tanh.ts (softcapping), measured against float64 Math.tanh and
// 1 / cosh² (the SIMD build runs the approximations, the scalar build the same formula on std's expm1).
import { describe, expect, it } from 'vitest';
import { float32Range, float64Sample, maxUlpError, runElementwise } from '../helpers/ulp.js';

const sech2 = (u: number) => {
  const c = Math.cosh(u);
  return 1 / (c * c);
};

describe.each(['simd', 'scalar'] as const)('tanh and sech², %s build', (build) => {
  it('tanh f32: every 1031st float of [−20, 20]', () => {
    const { ulps, at } = maxUlpError(build, 'tanh', float32Range(-20, 20, 1031), Math.tanh);
    console.log(`tanh f32 ${build}: max error ${ulps.toFixed(3)} ulp at x = ${at}`);
    expect(ulps, `at x = ${at}`).toBeLessThanOrEqual(3);
  });

  it('tanh f64: 2^20 points of [−1, 1] and 2^18 log-uniform in [1e-300, 40]', () => {
    let worst = maxUlpError(build, 'tanh', float64Sample(1 << 20, -1, 1), Math.tanh);
    const wide = maxUlpError(build, 'tanh', float64Sample(1 << 18, 1e-300, 40, true), Math.tanh);
    if (wide.ulps > worst.ulps) worst = wide;
    console.log(`tanh f64 ${build}: max error ${worst.ulps.toFixed(3)} ulp (vs Math.tanh) at x = ${worst.at}`);
    expect(worst.ulps, `at x = ${worst.at}`).toBeLessThanOrEqual(4);
  });

  it('sech² f32 and f64, where tanh rounds to 1 too (no 1 − tanh² cancellation)', () => {
    const f32 = maxUlpError(build, 'sech2', float32Range(-40, 40, 1031), sech2);
    const f64 = maxUlpError(build, 'sech2', float64Sample(1 << 18, -300, 300), sech2);
    console.log(
      `sech2 ${build}: f32 ${f32.ulps.toFixed(3)} ulp at ${f32.at}, f64 ${f64.ulps.toFixed(3)} ulp at ${f64.at}`,
    );
    expect(f32.ulps, `at x = ${f32.at}`).toBeLessThanOrEqual(8);
    expect(f64.ulps, `at x = ${f64.at}`).toBeLessThanOrEqual(8);
  });

  it('special values', () => {
    for (const Type of [Float32Array, Float64Array]) {
      const xs = Type.from([0, -0, Infinity, -Infinity, NaN, 1e-30, -1e-30, 1e30]);
      expect(runElementwise(build, 'tanh', xs)).toEqual([0, -0, 1, -1, NaN, xs[5], xs[6], 1]);
      expect(runElementwise(build, 'sech2', xs)).toEqual([1, 1, 0, 0, NaN, 1, 1, 0]);
    }
  });
});
