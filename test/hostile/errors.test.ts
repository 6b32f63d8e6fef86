// Bad input gets a TypeError or RangeError that names the argument, the expectation and what was
// received, before anything reaches WebAssembly; tested for both dtypes.
import { beforeAll, describe, expect, it } from 'vitest';
import * as library from '../../src/index.js';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithGrad,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  crossEntropyWithGrad,
  entropy,
  init,
  klDiv,
  logSigmoid,
  logSoftmax,
  logSumExp,
  mseLoss,
  mseLossWithGrad,
  nllLoss,
  sigmoid,
  softmax,
  type Tensor,
} from '../../src/index.js';
import { CATALOGUE, mistakesOf } from '../helpers/catalogue.js';

type Thrower = () => unknown;

function expectError(fn: Thrower, Type: typeof TypeError | typeof RangeError, ...patterns: RegExp[]) {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a throw').toBeInstanceOf(Type);
  const message = (error as Error).message;
  for (const pattern of patterns) expect(message).toMatch(pattern);
  expect(message).not.toMatch(/unreachable|wasm|memory access/i);
}

describe.each([Float32Array, Float64Array])('errors, %s', (Float) => {
  beforeAll(() => init());
  const logits = (): Tensor => ({ data: Float.from([1, 2, 3, 4, 5, 6]), shape: [2, 3] });

  it('input of the wrong kind is a TypeError naming input', () => {
    for (const fn of [softmax, logSoftmax, logSumExp] as ((x: unknown) => unknown)[]) {
      expectError(() => fn([1, 2, 3]), TypeError, /input must be a Tensor/);
      expectError(
        () => fn({ data: Int32Array.from([1, 2]), shape: [2] }),
        TypeError,
        /input\.data must be a Float32Array or Float64Array, received Int32Array of length 2/,
      );
      expectError(() => fn({ data: Float.from([1, 2]), shape: 2 }), TypeError, /input\.shape must be an array/);
    }
    expectError(
      () => crossEntropy(null as never, [0]),
      TypeError,
      /crossEntropy: input must be a Tensor/,
      /received null/,
    );
  });

  it('a shape that does not match the data is a RangeError with both sizes', () => {
    expectError(
      () => softmax({ data: Float.from([1, 2, 3, 4, 5]), shape: [2, 3] }),
      RangeError,
      /softmax: input\.shape \[2, 3\] holds 6 elements but input\.data has 5/,
    );
    expectError(
      () => softmax({ data: Float.from([1, 2]), shape: [-2, -1] }),
      RangeError,
      /input\.shape\[0\] must be a non-negative integer, received -2/,
    );
    expectError(
      () => softmax({ data: Float.from([1, 2]), shape: [1.5, 2] }),
      RangeError,
      /input\.shape\[0\] must be a non-negative integer, received 1\.5/,
    );
    expectError(
      () => crossEntropy({ data: Float.from([1]), shape: [] }, [0]),
      RangeError,
      /input must have shape \(C\), \(N, C\)/,
    );
  });

  it('dim out of range is a RangeError giving the valid range', () => {
    expectError(
      () => softmax(logits(), { dim: 2 }),
      RangeError,
      /options\.dim must be in \[-2, 1\] for an input of 2 dims, received 2/,
    );
    expectError(() => logSumExp(logits(), { dim: -3 }), RangeError, /received -3/);
    expectError(() => logSoftmax(logits(), { dim: 0.5 }), TypeError, /options\.dim must be an integer, received 0\.5/);
  });

  it('class indices out of range name the position and the value', () => {
    expectError(
      () => crossEntropy(logits(), [0, 3]),
      RangeError,
      /target\[1\] = 3 is out of range/,
      /\[0, 3\)/,
      /ignoreIndex \(-100\)/,
    );
    expectError(() => crossEntropy(logits(), [-1, 0]), RangeError, /target\[0\] = -1 is out of range/);
    const kdim = { data: new Float(12), shape: [2, 3, 2] };
    expectError(() => crossEntropy(kdim, { data: [0, 1, 2, 9], shape: [2, 2] }), RangeError, /target\[1, 1\] = 9/);
    expectError(() => crossEntropy(logits(), [0.5, 1]), TypeError, /target\[0\] = 0\.5 is not an integer class index/);
    expectError(() => crossEntropy(logits(), [NaN, 1]), TypeError, /target\[0\] = NaN/);
  });

  it('targets of the wrong kind or shape', () => {
    expectError(
      () => crossEntropy(logits(), Uint8ClampedArray.from([0, 1]) as never),
      TypeError,
      /target must be class indices/,
      /Uint8ClampedArray/,
    );
    expectError(
      () => crossEntropy(logits(), [0, 1, 2]),
      RangeError,
      /class-index target must have shape \[2\].*received \[3\]/,
    );
    expectError(
      () => crossEntropy(logits(), { data: Float.from([0, 1, 0]), shape: [3] }),
      RangeError,
      /probability target must have the input's shape \[2, 3\], received \[3\]/,
    );
    const Other = Float === Float32Array ? Float64Array : Float32Array;
    expectError(
      () => crossEntropy(logits(), { data: Other.from([1, 0, 0, 0, 1, 0]), shape: [2, 3] } as never),
      TypeError,
      new RegExp(`must be a ${Float.name} like the input`),
    );
    expectError(
      () => crossEntropy(logits(), { data: Float.from([1, 0, 0, 0, 1, 0]), shape: [2, 3] }, { ignoreIndex: 0 }),
      RangeError,
      /ignoreIndex must be negative with probability targets/,
    );
  });

  it('options: weight length, labelSmoothing, reduction, unknown names', () => {
    expectError(
      () => crossEntropy(logits(), [0, 1], { weight: [1, 2] }),
      RangeError,
      /options\.weight must have one entry per class \(3\), received length 2/,
    );
    expectError(
      () => crossEntropy(logits(), [0, 1], { weight: 'heavy' as never }),
      TypeError,
      /options\.weight must be a Float32Array, Float64Array or number\[\]/,
    );
    expectError(
      () => crossEntropy(logits(), [0, 1], { labelSmoothing: 1.5 }),
      RangeError,
      /options\.labelSmoothing must be in \[0, 1\], received 1\.5/,
    );
    expectError(() => crossEntropy(logits(), [0, 1], { labelSmoothing: NaN }), RangeError, /received NaN/);
    expectError(
      () => crossEntropy(logits(), [0, 1], { reduction: 'avg' as never }),
      RangeError,
      /options\.reduction must be 'none', 'mean' or 'sum', received "avg"/,
    );
    expectError(
      () => crossEntropy(logits(), [0, 1], { ignore_index: 1 } as never),
      TypeError,
      /unknown option "ignore_index"/,
      /"ignoreIndex"/,
    );
    expectError(
      () => crossEntropy(logits(), [0, 1], { ignoreIndex: 0.5 }),
      TypeError,
      /options\.ignoreIndex must be an integer/,
    );
    expectError(() => softmax(logits(), { dims: 1 } as never), TypeError, /unknown option "dims"/);
    expectError(() => logSumExp(logits(), { keepdim: 1 } as never), TypeError, /options\.keepdim must be a boolean/);
  });

  it('out and gradOutput of the wrong dtype, length or shape', () => {
    const Other = Float === Float32Array ? Float64Array : Float32Array;
    expectError(
      () => crossEntropyWithGrad(logits(), [0, 1], { out: new Other(6) as never }),
      TypeError,
      new RegExp(`options\\.out must be a ${Float.name}`),
    );
    expectError(
      () => crossEntropyWithGrad(logits(), [0, 1], { out: new Float(5) }),
      RangeError,
      /options\.out must have the input's length 6, received length 5/,
    );
    expectError(
      () =>
        crossEntropyWithGrad(logits(), [0, 1], {
          reduction: 'none',
          gradOutput: { data: Float.from([1, 2, 3]), shape: [3] },
        }),
      RangeError,
      /gradOutput must have the loss's shape \[2\], received \[3\]/,
    );
    expectError(
      () => crossEntropyWithGrad(logits(), [0, 1], { gradOutput: Float.from([1, 2]) }),
      TypeError,
      /gradOutput must be a number for a scalar reduction/,
    );
    expectError(
      () => crossEntropy(logits(), [0, 1], { out: new Float(6) } as never),
      TypeError,
      /unknown option "out"/,
    );
  });

  it('the loss family: inputs, targets, weights and options', () => {
    const probs = (): Tensor => ({ data: Float.from([0.1, 0.5, 0.9, 0, 1, 0.3]), shape: [2, 3] });
    const Other = Float === Float32Array ? Float64Array : Float32Array;
    expectError(
      () =>
        binaryCrossEntropy(
          { data: Float.from([0.1, 1.5]), shape: [1, 2] },
          { data: Float.from([0, 1]), shape: [1, 2] },
        ),
      RangeError,
      /binaryCrossEntropy: input\[0, 1\] = 1\.5 is not a probability in \[0, 1\]/,
    );
    expectError(
      () => binaryCrossEntropy({ data: Float.from([NaN]), shape: [1] }, { data: Float.from([1]), shape: [1] }),
      RangeError,
      /input\[0\] = NaN is not a probability/,
    );
    expectError(
      () => binaryCrossEntropy(probs(), { data: Float.from([0, 1, 0]), shape: [3] }),
      RangeError,
      /target must have the input's shape \[2, 3\], received \[3\]/,
    );
    expectError(
      () => binaryCrossEntropy(probs(), { data: Other.from([0, 1, 0, 1, 0, 1]), shape: [2, 3] } as never),
      TypeError,
      new RegExp(`target\\.data must be a ${Float.name}`),
    );
    expectError(
      () => binaryCrossEntropy(probs(), probs(), { weight: [1, 2] }),
      RangeError,
      /options\.weight must have the input's element count \(6\), its last dim's length \(3\)/,
      /received length 2/,
    );
    expectError(
      () => binaryCrossEntropy(probs(), probs(), { weight: { data: [1, 2], shape: [2] } }),
      RangeError,
      /received shape \[2\]/,
    );
    expectError(
      () => binaryCrossEntropy(probs(), probs(), { posWeight: [1, 1, 1] } as never),
      TypeError,
      /unknown option "posWeight"/,
    );
    expectError(
      () => binaryCrossEntropyWithLogits(probs(), probs(), { posWeight: [1, 2, 3, 4] }),
      RangeError,
      /options\.posWeight must have/,
    );
    expectError(
      () => binaryCrossEntropyWithGrad(probs(), probs(), { out: new Float(5) }),
      RangeError,
      /binaryCrossEntropyWithGrad: options\.out must have the input's length 6/,
    );
    expectError(
      () => klDiv(probs(), probs(), { reduction: 'avg' as never }),
      RangeError,
      /'none', 'mean', 'sum' or 'batchmean', received "avg"/,
    );
    expectError(
      () => klDiv(probs(), probs(), { logTarget: 'yes' as never }),
      TypeError,
      /options\.logTarget must be a boolean/,
    );
    expectError(
      () => mseLoss(probs(), { data: Float.from([1, 2]), shape: [2] }),
      RangeError,
      /mseLoss: target must have the input's shape/,
    );
    expectError(
      () => mseLossWithGrad(probs(), probs(), { reduction: 'none', gradOutput: { data: Float.from([1]), shape: [1] } }),
      RangeError,
      /gradOutput must have the loss's shape \[2, 3\]/,
    );
    expectError(() => nllLoss(probs(), [0, 3]), RangeError, /nllLoss: target\[1\] = 3 is out of range/);
    expectError(() => nllLoss(probs(), probs() as never), TypeError, /nllLoss: target must hold class indices/);
    expectError(
      () => entropy({ data: Float.from([0.5, -0.5]), shape: [2] }),
      RangeError,
      /entropy: input\[1\] = -0\.5 is negative/,
    );
    expectError(() => entropy(probs(), { dim: 2 }), RangeError, /options\.dim must be in \[-2, 1\]/);
    expectError(
      () => sigmoid({ data: Int32Array.from([1]), shape: [1] } as never),
      TypeError,
      /sigmoid: input\.data must be a Float32Array or Float64Array/,
    );
    expectError(
      () => logSigmoid({ data: Float.from([1, 2]), shape: [3] }),
      RangeError,
      /logSigmoid: input\.shape \[3\] holds 3 elements but input\.data has 2/,
    );
  });

  it('nothing is modified when a call throws', () => {
    const input = logits();
    const before = input.data.slice();
    const out = new Float(6).fill(7);
    expect(() => crossEntropyWithGrad(input, [0, 5], { out })).toThrow(RangeError);
    expect(Array.from(input.data)).toEqual(Array.from(before));
    expect(Array.from(out)).toEqual(Array(6).fill(7));
  });
});

// Every public function of the catalogue (test/helpers/catalogue.ts), its invalid calls: the error names the
// function and the argument, and no argument is modified.
describe.each([Float32Array, Float64Array])('every public function, wrong arguments, %s', (Float) => {
  beforeAll(() => init());
  const exported = new Map<string, unknown>(Object.entries(library));
  for (const entry of CATALOGUE.filter((e) => !e.form)) {
    it(entry.name, () => {
      const fn = exported.get(entry.name) as (...args: unknown[]) => unknown;
      for (const m of mistakesOf(entry, Float)) {
        const before = JSON.stringify(m.args, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));
        let error: unknown;
        try {
          fn(...m.args, ...(m.options === undefined ? [] : [m.options]));
        } catch (e) {
          error = e;
        }
        expect(error, `${entry.name}: ${m.what}`).toBeInstanceOf(m.error);
        for (const word of m.mentions) expect((error as Error).message, `${entry.name}: ${m.what}`).toContain(word);
        const after = JSON.stringify(m.args, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));
        expect(after, `${entry.name}: ${m.what}: arguments untouched`).toBe(before);
      }
    });
  }
});

it('init rejects options of the wrong kind', async () => {
  await expect(init({ simd: 'yes' as never })).rejects.toThrow(TypeError);
  await expect(init({ thread: 2 } as never)).rejects.toThrow(
    /unknown option "thread"; the options are "simd", "relaxedSimd", "threads"/,
  );
});
