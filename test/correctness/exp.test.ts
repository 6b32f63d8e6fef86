// The vector exp of assembly/math/exp.ts, measured: the SIMD build runs the polynomial, the scalar
// build AssemblyScript's std exp. The worst error found is written above the approximation.
import { describe, expect, it } from 'vitest';
import { float32Range, float64Sample, maxUlpError, runElementwise } from '../helpers/ulp.js';

describe.each(['simd', 'scalar'] as const)('exp, %s build', (build) => {
  it('f32: at most 1.3 ulps over [-104, 88.72] (every 257th float)', () => {
    const { ulps, at } = maxUlpError(build, 'exp', float32Range(-104, 88.72, 257), Math.exp);
    console.log(`exp f32 ${build}: max error ${ulps.toFixed(3)} ulp at x = ${at}`);
    expect(ulps, `at x = ${at}`).toBeLessThanOrEqual(1.3);
  });

  it('f64: at most 2 ulps against Math.exp over [-745, 709.78]', () => {
    const { ulps, at } = maxUlpError(build, 'exp', float64Sample(1 << 20, -745, 709.78), Math.exp);
    console.log(`exp f64 ${build}: max error ${ulps.toFixed(3)} ulp (vs Math.exp) at x = ${at}`);
    expect(ulps, `at x = ${at}`).toBeLessThanOrEqual(2);
  });

  it('the exp for x ≤ 0 gives the same bits as the general one (every 1009th float of [-104, 0], f64 sample)', () => {
    for (const xs of [float32Range(-104, 0, 1009).filter((v) => v <= 0), float64Sample(1 << 18, -746, 0)]) {
      const general = runElementwise(build, 'exp', xs);
      const nonPositive = runElementwise(build, 'expNonPositive', xs);
      const bad = general.findIndex((v, i) => !Object.is(v, nonPositive[i]));
      expect(bad, `at x = ${xs[bad]}: ${general[bad]} vs ${nonPositive[bad]}`).toBe(-1);
    }
    for (const Type of [Float32Array, Float64Array]) {
      expect(runElementwise(build, 'expNonPositive', Type.from([-Infinity, NaN, -0, 0]))).toEqual([0, NaN, 1, 1]);
    }
  });

  it('special values: exp(-inf) = 0, exp(+inf) = +inf, exp(NaN) = NaN, overflow and underflow', () => {
    for (const Type of [Float32Array, Float64Array]) {
      const out = runElementwise(
        build,
        'exp',
        Type.from([-Infinity, Infinity, NaN, 0, -0, 1000, -1000, 89, -104, 710, -746]),
      );
      expect(out.slice(0, 7)).toEqual([0, Infinity, NaN, 1, 1, Infinity, 0]);
      const f32 = Type === Float32Array;
      const tol = f32 ? 2 ** -22 : 2 ** -51; // 2 ulps, relative
      if (f32) expect(out[7]).toBe(Infinity);
      else expect(Math.abs(out[7] / Math.exp(89) - 1)).toBeLessThan(tol);
      if (f32) expect(out[8]).toBe(0);
      else expect(Math.abs(out[8] / Math.exp(-104) - 1)).toBeLessThan(tol);
      expect(out[9]).toBe(Infinity);
      expect(out[10]).toBe(0);
    }
  });
});
