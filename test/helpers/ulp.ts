// Measures an elementwise kernel of a build against a float64 function, in ulps of the dtype. The kernels are
// exported by the builds of assembly/testing/index.ts (build/math/), which hold the shipped kernels and these.
import { readFileSync } from 'node:fs';
import { makeRandom } from '../../reference/random.js';

const CHUNK = 1 << 20;

/** The spacing of the dtype's floats at v (the subnormal spacing below the least normal). */
export function ulpOf(v: number, f64: boolean): number {
  const a = Math.abs(v);
  const minExponent = f64 ? -1022 : -126;
  const exponent = a === 0 ? minExponent : Math.max(Math.floor(Math.log2(a)), minExponent);
  return 2 ** (exponent - (f64 ? 52 : 23));
}

export type ElementwiseKernel = 'exp' | 'expNonPositive' | 'log' | 'log1p' | 'log1pOfUnit' | 'tanh' | 'sech2';
export type MathBuild = 'simd' | 'scalar';

interface MathExports {
  memory: WebAssembly.Memory;
  scratch(bytes: number): number;
  [kernel: string]: unknown;
}
const instances = new Map<MathBuild, MathExports>();

/** The build's instance with the elementwise kernels (one per build, made on first use). */
function mathKernels(build: MathBuild): MathExports {
  let exports = instances.get(build);
  if (!exports) {
    const bytes = readFileSync(new URL(`../../build/math/xentropy.${build}.wasm`, import.meta.url));
    const imports = {
      env: {
        abort: () => {
          throw new Error(`the ${build} math build aborted`);
        },
      },
    };
    exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports).exports as unknown as MathExports;
    instances.set(build, exports);
  }
  return exports;
}

type Elementwise = (x: number, n: number, one: number, out: number) => void;
const kernelOf = (kernels: MathExports, kernel: ElementwiseKernel, f64: boolean) =>
  kernels[`${kernel}${f64 ? 'F64' : 'F32'}`] as Elementwise;

/** Runs the kernel over xs and returns the largest error in ulps against `exact`, and where. */
export function maxUlpError(
  build: MathBuild,
  kernel: ElementwiseKernel,
  xs: Float32Array | Float64Array,
  exact: (x: number) => number,
) {
  const kernels = mathKernels(build);
  const f64 = xs instanceof Float64Array;
  const Type = f64 ? Float64Array : Float32Array;
  const bytes = xs.BYTES_PER_ELEMENT;
  const run = kernelOf(kernels, kernel, f64);
  let worst = { ulps: 0, at: NaN };
  for (let start = 0; start < xs.length; start += CHUNK) {
    const part = xs.subarray(start, start + CHUNK);
    const base = kernels.scratch(2 * part.length * bytes) >>> 0;
    new Type(kernels.memory.buffer, base, part.length).set(part);
    run(base, part.length, 1, base + part.length * bytes);
    const out = new Type(kernels.memory.buffer, base + part.length * bytes, part.length);
    for (let i = 0; i < part.length; i++) {
      const e = exact(part[i]);
      const err = Math.abs(out[i] - e) / ulpOf(e, f64);
      if (err > worst.ulps || Number.isNaN(err)) worst = { ulps: err, at: part[i] };
    }
  }
  return worst;
}

/** Runs the kernel over a few values and returns its outputs. */
export function runElementwise(build: MathBuild, kernel: ElementwiseKernel, xs: Float32Array | Float64Array): number[] {
  const kernels = mathKernels(build);
  const f64 = xs instanceof Float64Array;
  const Type = f64 ? Float64Array : Float32Array;
  const base = kernels.scratch(2 * xs.byteLength) >>> 0;
  new Type(kernels.memory.buffer, base, xs.length).set(xs);
  kernelOf(kernels, kernel, f64)(base, xs.length, 1, base + xs.byteLength);
  return Array.from(new Type(kernels.memory.buffer, base + xs.byteLength, xs.length));
}

/** Every `stride`-th float32 bit pattern from −0 down to lo and from +0 up to hi, with lo and hi. */
export function float32Range(lo: number, hi: number, stride: number): Float32Array {
  const toBits = (v: number) => new Uint32Array(Float32Array.of(v).buffer)[0];
  const fromBits = (b: number) => new Float32Array(Uint32Array.of(b).buffer)[0];
  const values: number[] = [];
  if (lo < 0) for (let b = 0x80000000; b <= toBits(lo); b += stride) values.push(fromBits(b));
  const start = lo > 0 ? toBits(lo) : 0;
  for (let b = start; b <= toBits(hi); b += stride) values.push(fromBits(b));
  values.push(lo, hi);
  return Float32Array.from(values);
}

/** n pseudo-random float64 values, uniform in [lo, hi) or log-uniform in [lo, hi) when logScale. */
export function float64Sample(n: number, lo: number, hi: number, logScale = false): Float64Array {
  const xs = new Float64Array(n);
  const random = makeRandom(12345);
  for (let i = 0; i < n; i++) {
    const u = random.next();
    xs[i] = logScale ? Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * u) : lo + (hi - lo) * u;
  }
  return xs;
}
