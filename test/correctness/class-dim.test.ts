// options.classDim: −1 takes (…, C) logits with classes last, as onnxruntime, transformers.js and tf give them.
// Each call must give exactly what PyTorch's layout gives on the same values moved to dim 1 (which the golden
// vectors hold to PyTorch).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, crossEntropyWithGrad, init, logSoftmax, nllLoss, nllLossWithGrad } from '../../src/index.js';

beforeAll(() => init());

/** [B, T, V] (classes last) → [B, V, T] (PyTorch's class dim 1), or back with `[b, v, t]` swapped. */
function swapLastTwo(data: Float64Array, [b, t, v]: number[]): Float64Array {
  const out = new Float64Array(data.length);
  for (let i = 0; i < b; i++)
    for (let j = 0; j < t; j++) for (let k = 0; k < v; k++) out[(i * v + k) * t + j] = data[(i * t + j) * v + k];
  return out;
}

const shapes = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 9 }));
const reductions = fc.constantFrom('mean' as const, 'sum' as const, 'none' as const);

const plain = (value: number | { data: ArrayLike<number> }) =>
  typeof value === 'number' ? value : Array.from(value.data);

describe('classDim: -1', () => {
  it('crossEntropy and its gradient equal the class-dim-1 call on the transposed logits (class indices)', () => {
    fc.assert(
      fc.property(shapes, reductions, fc.nat(1000), ([b, t, v], reduction, seed) => {
        const last = Float64Array.from({ length: b * t * v }, (_, i) => Math.sin(i * 1.7 + seed) * 5);
        const first = swapLastTwo(last, [b, t, v]);
        const target = { data: Int32Array.from({ length: b * t }, (_, i) => (i * 5 + seed) % v), shape: [b, t] };
        const options = { reduction, labelSmoothing: 0.1, weight: Array.from({ length: v }, (_, c) => 1 + c / v) };
        const got = crossEntropyWithGrad({ data: last, shape: [b, t, v] }, target, { ...options, classDim: -1 });
        const want = crossEntropyWithGrad({ data: first, shape: [b, v, t] }, target, options);
        expect(plain(got.loss)).toEqual(plain(want.loss));
        expect(got.grad.shape).toEqual([b, t, v]);
        expect(Array.from(swapLastTwo(got.grad.data, [b, t, v]))).toEqual(Array.from(want.grad.data));
        expect(crossEntropy({ data: last, shape: [b, t, v] }, target, { ...options, classDim: -1 })).toEqual(want.loss);
      }),
      { numRuns: 60 },
    );
  });

  it('crossEntropy with probability targets, and nllLoss, equal the class-dim-1 calls', () => {
    const [b, t, v] = [2, 3, 5];
    const last = Float64Array.from({ length: b * t * v }, (_, i) => Math.cos(i * 0.9) * 3);
    const probs = logSoftmax({ data: last.map((x) => -x), shape: [b, t, v] }).data.map(Math.exp);
    const first = swapLastTwo(last, [b, t, v]);
    const probsFirst = swapLastTwo(probs, [b, t, v]);
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const got = crossEntropy(
        { data: last, shape: [b, t, v] },
        { data: probs, shape: [b, t, v] },
        { reduction, classDim: -1 },
      );
      const want = crossEntropy(
        { data: first, shape: [b, v, t] },
        { data: probsFirst, shape: [b, v, t] },
        { reduction },
      );
      expect(plain(got)).toEqual(plain(want));
    }
    const logProbs = logSoftmax({ data: last, shape: [b, t, v] }).data;
    const target = { data: [0, 4, -100, 2, 2, 1], shape: [b, t] };
    const got = nllLossWithGrad({ data: logProbs, shape: [b, t, v] }, target, { classDim: -1 });
    const want = nllLossWithGrad({ data: swapLastTwo(logProbs, [b, t, v]), shape: [b, v, t] }, target);
    expect(got.loss).toBe(want.loss);
    expect(Array.from(swapLastTwo(got.grad.data, [b, t, v]))).toEqual(Array.from(want.grad.data));
    expect(nllLoss({ data: logProbs, shape: [b, t, v] }, target, { classDim: -1, reduction: 'sum' })).toBe(
      nllLoss({ data: swapLastTwo(logProbs, [b, t, v]), shape: [b, v, t] }, target, { reduction: 'sum' }),
    );
  });

  it('is the same as 1 for (C) and (N, C) inputs', () => {
    const x = { data: Float32Array.of(0.5, -1, 2, 0.25, 3, -2), shape: [2, 3] };
    expect(crossEntropy(x, [2, 0], { classDim: -1 })).toBe(crossEntropy(x, [2, 0]));
    const row = { data: x.data.subarray(0, 3), shape: [3] };
    expect(crossEntropy(row, { data: [1], shape: [] }, { classDim: -1 })).toBe(
      crossEntropy(row, { data: [1], shape: [] }),
    );
  });
});

describe('the shape error hints at classDim', () => {
  const logits = { data: new Float32Array(2 * 3 * 7), shape: [2, 3, 7] };
  const target = { data: new Int32Array(6), shape: [2, 3] };

  it('for [B, T, V] logits with [B, T] targets', () => {
    expect(() => crossEntropy(logits, target)).toThrow(RangeError);
    expect(() => crossEntropy(logits, target)).toThrow(
      "crossEntropy: class-index target must have shape [2, 7] (the input's shape without its class dim), " +
        'received [2, 3]; for logits with classes last, pass options.classDim: -1',
    );
    expect(() => nllLossWithGrad(logits, target)).toThrow(/nllLossWithGrad: .*pass options\.classDim: -1/);
  });

  it('not for a target that is wrong either way', () => {
    expect(() => crossEntropy(logits, { data: new Int32Array(4), shape: [2, 2] })).toThrow(/received \[2, 2\]$/);
  });

  it.each([
    [0, RangeError],
    [2, RangeError],
    [-2, RangeError],
    [Number.NaN, RangeError],
    ['-1', TypeError],
    [null, TypeError],
  ])('a classDim of %s is a %O naming the option', (classDim, Err) => {
    expect(() => crossEntropy(logits, target, { classDim } as never)).toThrow(Err as ErrorConstructor);
    expect(() => nllLoss(logits, target, { classDim } as never)).toThrow(/nllLoss: options\.classDim must be 1/);
  });
});
