// The vector exp of assembly/math/exp.ts, measured: the SIMD build runs the polynomial, the scalar
// build AssemblyScript's std exp. The worst error found is written above the approximation.
import { beforeAll, describe, expect, it } from 'vitest';
import { wasm } from '../src/bindings/common/wasm.js';
import { init } from '../src/index.js';

const F32_STRIDE = 257; // every 257th f32 bit pattern of the range
const CHUNK = 1 << 20;

/** The distance between v and the next float of the dtype away from zero (subnormal spacing below). */
function ulp(v: number, mantissaBits: number, minExponent: number): number {
  const a = Math.abs(v);
  const exponent = a === 0 ? minExponent : Math.max(Math.floor(Math.log2(a)), minExponent);
  return 2 ** (exponent - mantissaBits);
}

/** Runs the active build's exp over xs and returns the largest error in ulps against f64 Math.exp. */
function maxUlpError(xs: Float32Array | Float64Array): { ulps: number; at: number } {
  const kernels = wasm('exp test');
  const f64 = xs instanceof Float64Array;
  const bytes = xs.BYTES_PER_ELEMENT;
  let worst = { ulps: 0, at: NaN };
  for (let start = 0; start < xs.length; start += CHUNK) {
    const part = xs.subarray(start, start + CHUNK);
    const base = kernels.scratch(2 * part.length * bytes) >>> 0;
    const Type = f64 ? Float64Array : Float32Array;
    new Type(kernels.memory.buffer, base, part.length).set(part);
    (f64 ? kernels.expF64 : kernels.expF32)(base, part.length, base + part.length * bytes);
    const out = new Type(kernels.memory.buffer, base + part.length * bytes, part.length);
    for (let i = 0; i < part.length; i++) {
      const exact = Math.exp(part[i]);
      const err = Math.abs(out[i] - exact) / (f64 ? ulp(exact, 52, -1022) : ulp(exact, 23, -126));
      if (err > worst.ulps || Number.isNaN(err)) worst = { ulps: err, at: part[i] };
    }
  }
  return worst;
}

function f32Range(lo: number, hi: number, stride: number): Float32Array {
  const bits = new Uint32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  const values: number[] = [];
  // Negative floats: patterns from -0 (0x80000000) up to lo; positive: 0 up to hi.
  asFloat[0] = lo;
  for (let b = 0x80000000; b <= bits[0]; b += stride) values.push(new Float32Array(new Uint32Array([b]).buffer)[0]);
  asFloat[0] = hi;
  for (let b = 0; b <= bits[0]; b += stride) values.push(new Float32Array(new Uint32Array([b]).buffer)[0]);
  values.push(lo, hi);
  return Float32Array.from(values);
}

describe.each(['simd', 'scalar'] as const)('exp, %s build', (build) => {
  beforeAll(() => init({ simd: build === 'simd' }));

  it('f32: at most 1.2 ulps over [-104, 88.72] (every 257th float)', () => {
    const { ulps, at } = maxUlpError(f32Range(-104, 88.72, F32_STRIDE));
    console.log(`exp f32 ${build}: max error ${ulps.toFixed(3)} ulp at x = ${at}`);
    expect(ulps, `at x = ${at}`).toBeLessThanOrEqual(1.2);
  });

  it('f64: at most 2 ulps against Math.exp over [-745, 709.78]', () => {
    const xs = new Float64Array(1 << 20);
    let seed = 12345;
    for (let i = 0; i < xs.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      xs[i] = -745 + (709.78 + 745) * (seed / 2 ** 32);
    }
    const { ulps, at } = maxUlpError(xs);
    console.log(`exp f64 ${build}: max error ${ulps.toFixed(3)} ulp (vs Math.exp) at x = ${at}`);
    expect(ulps, `at x = ${at}`).toBeLessThanOrEqual(2);
  });

  it('special values: exp(-inf) = 0, exp(+inf) = +inf, exp(NaN) = NaN, overflow and underflow', () => {
    for (const Type of [Float32Array, Float64Array]) {
      const xs = Type.from([-Infinity, Infinity, NaN, 0, -0, 1000, -1000, 89, -104, 710, -746, 1]);
      const kernels = wasm('exp test');
      const base = kernels.scratch(2 * xs.byteLength) >>> 0;
      new Type(kernels.memory.buffer, base, xs.length).set(xs);
      (Type === Float64Array ? kernels.expF64 : kernels.expF32)(base, xs.length, base + xs.byteLength);
      const out = Array.from(new Type(kernels.memory.buffer, base + xs.byteLength, xs.length));
      const f32 = Type === Float32Array;
      expect(out.slice(0, 7)).toEqual([0, Infinity, NaN, 1, 1, Infinity, 0]);
      const tol = f32 ? 2 ** -22 : 2 ** -51; // 2 ulps, relative
      if (f32) expect(out[7]).toBe(Infinity);
      else expect(Math.abs(out[7] / Math.exp(89) - 1)).toBeLessThan(tol);
      if (f32) expect(out[8]).toBe(0);
      else expect(Math.abs(out[8] / Math.exp(-104) - 1)).toBeLessThan(tol);
      expect(out[9]).toBe(Infinity);
      expect(out[10]).toBe(0);
      expect(Math.abs(out[11] - Math.E)).toBeLessThan(f32 ? 3e-7 : 1e-15);
    }
  });
});
