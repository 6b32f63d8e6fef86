// The matmul kernel rounds every element alike wherever it falls: in a 4 × 2-vector tile, a 4 × 1-vector tile, a
// leftover row or column, a later block of rows (MC) or of p (KC). rowDots computes one element at a time with the
// same rounding (the linear scoring's target logits rely on it), so every element of C = W · Xᵀ must be its bits.
import { afterAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import { wasm } from '../../src/core/instance.js';
import * as x from '../../src/index.js';

// (the relaxed-SIMD build where the engine runs it: Node 22 and later, not Node 20)
const relaxed = await x.init({ relaxedSimd: true }).then(
  () => true,
  () => false,
);
const BUILDS = [
  ...(relaxed ? [['relaxed-simd', { simd: true, relaxedSimd: true }] as const] : []),
  ['simd', { simd: true, relaxedSimd: false }] as const,
  ['scalar', { simd: false }] as const,
];

// rows m of W around the tile (4) and the row block (128); columns n around the vectors (4 f32, 2 f64) and the
// 2-vector tile; k around the block of p (256)
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 256],
  [5, 12, 257],
  [7, 13, 33],
  [9, 4, 600],
  [6, 14, 100],
  [133, 7, 5],
  [131, 21, 300],
  [260, 164, 40],
];

afterAll(() => x.init());

type Float = Float32ArrayConstructor | Float64ArrayConstructor;

/** C = W · Xᵀ by the matmul kernel, and each element again by rowDots; the first element whose bits differ. */
function firstDifference(F: Float, m: number, n: number, k: number, seed: number): string | undefined {
  const random = makeRandom(seed);
  const kernels = wasm('test');
  const suffix = F === Float64Array ? 'F64' : 'F32';
  const W = x.allocTensor(F, [m, k]);
  const X = x.allocTensor(F, [n, k]);
  const XT = x.allocTensor(F, [k, n]);
  const C = x.allocTensor(F, [m, n]);
  const targets = x.allocTensor(Int32Array, [n]);
  const dots = x.allocTensor(F, [n]);
  try {
    W.data.set(Array.from({ length: m * k }, () => random.uniform(-1, 1)));
    X.data.set(Array.from({ length: n * k }, () => random.uniform(-1, 1)));
    for (let r = 0; r < n; r++) for (let p = 0; p < k; p++) XT.data[p * n + r] = X.data[r * k + p];
    const address = (t: { data: ArrayBufferView }) => t.data.byteOffset;
    const call = (name: string, ...args: number[]) =>
      (kernels as unknown as Record<string, (...a: number[]) => void>)[`${name}${suffix}`](...args);
    call('matmul', address(W), k, 1, address(XT), address(C), m, n, k, 0);
    const params = kernels.paramsBlock();
    new Float64Array(kernels.memory.buffer, params, 1)[0] = 0; // softcap
    for (let i = 0; i < m; i++) {
      targets.data.fill(i);
      call('rowDots', address(X), n, k, address(W), 0, address(targets), address(dots), params);
      for (let r = 0; r < n; r++) {
        if (!Object.is(C.data[i * n + r], dots.data[r])) return `C[${i}, ${r}] = ${C.data[i * n + r]}, ${dots.data[r]}`;
      }
    }
    return undefined;
  } finally {
    for (const t of [W, X, XT, C, targets, dots]) t.free();
  }
}

describe.each(BUILDS)('%s build', (_, options) => {
  it.each([Float32Array, Float64Array] as Float[])('every element of W · Xᵀ as rowDots rounds it, %o', async (F) => {
    await x.init(options);
    SHAPES.forEach(([m, n, k], s) => {
      expect(firstDifference(F, m, n, k, s + 1), `[${m}, ${n}, ${k}]`).toBeUndefined();
    });
  });
});
