// The vector log and log1p of assembly/math/log.ts, measured against float64 Math.log / Math.log1p
// (the SIMD build runs the approximations, the scalar build AssemblyScript's std).
import { describe, expect, it } from 'vitest';
import { float32Range, float64Sample, maxUlpError, runElementwise } from '../helpers/ulp.js';

describe.each(['simd', 'scalar'] as const)('log and log1p, %s build', (build) => {
  it('log f32: every 2053rd positive float, subnormals included', () => {
    const { ulps, at } = maxUlpError(build, 'log', float32Range(1e-45, 3.4e38, 2053), Math.log);
    console.log(`log f32 ${build}: max error ${ulps.toFixed(3)} ulp at x = ${at}`);
    expect(ulps, `at x = ${at}`).toBeLessThanOrEqual(1);
  });

  it('log f64: 2^20 log-uniform points over [1e-320, 1e308]', () => {
    const { ulps, at } = maxUlpError(build, 'log', float64Sample(1 << 20, 1e-320, 1e308, true), Math.log);
    console.log(`log f64 ${build}: max error ${ulps.toFixed(3)} ulp (vs Math.log) at x = ${at}`);
    expect(ulps, `at x = ${at}`).toBeLessThanOrEqual(2);
  });

  it('log1p f32: every 2053rd float of (-1, 3.4e38]', () => {
    const { ulps, at } = maxUlpError(build, 'log1p', float32Range(-0.99999994, 3.4e38, 2053), Math.log1p);
    console.log(`log1p f32 ${build}: max error ${ulps.toFixed(3)} ulp at x = ${at}`);
    expect(ulps, `at x = ${at}`).toBeLessThanOrEqual(1.5);
  });

  it('log1p f64: 2^20 points over (-1, 1) and 2^18 log-uniform up to 1e300', () => {
    let worst = maxUlpError(build, 'log1p', float64Sample(1 << 20, -0.9999999, 1), Math.log1p);
    const large = maxUlpError(build, 'log1p', float64Sample(1 << 18, 1e-300, 1e300, true), Math.log1p);
    if (large.ulps > worst.ulps) worst = large;
    console.log(`log1p f64 ${build}: max error ${worst.ulps.toFixed(3)} ulp (vs Math.log1p) at x = ${worst.at}`);
    expect(worst.ulps, `at x = ${worst.at}`).toBeLessThanOrEqual(2);
  });

  it('log1p on [0, 1], the softplus tail log1p(exp(−|x|)): every 997th float32, 2^20 float64 points', () => {
    const f32 = maxUlpError(build, 'log1pOfUnit', float32Range(0, 1, 997), Math.log1p);
    let f64 = maxUlpError(build, 'log1pOfUnit', float64Sample(1 << 20, 0, 1), Math.log1p);
    const small = maxUlpError(build, 'log1pOfUnit', float64Sample(1 << 18, 1e-300, 1, true), Math.log1p);
    if (small.ulps > f64.ulps) f64 = small;
    console.log(
      `log1p on [0, 1] ${build}: f32 ${f32.ulps.toFixed(3)} ulp at ${f32.at}, f64 ${f64.ulps.toFixed(3)} ulp`,
    );
    expect(f32.ulps, `at x = ${f32.at}`).toBeLessThanOrEqual(1);
    expect(f64.ulps, `at x = ${f64.at}`).toBeLessThanOrEqual(2);
    for (const Type of [Float32Array, Float64Array]) {
      expect(runElementwise(build, 'log1pOfUnit', Type.from([0, 1, NaN]))).toEqual(
        Array.from(Type.from([0, Math.LN2, NaN])),
      );
    }
  });

  it('special values', () => {
    for (const Type of [Float32Array, Float64Array]) {
      expect(runElementwise(build, 'log', Type.from([0, -0, -1, Infinity, NaN, 1, -Infinity]))).toEqual([
        -Infinity,
        -Infinity,
        NaN,
        Infinity,
        NaN,
        0,
        NaN,
      ]);
      expect(runElementwise(build, 'log1p', Type.from([0, -1, -2, Infinity, NaN, 1e-30, -Infinity]))).toEqual([
        0,
        -Infinity,
        NaN,
        Infinity,
        NaN,
        Type.from([1e-30])[0],
        NaN,
      ]);
    }
  });
});
