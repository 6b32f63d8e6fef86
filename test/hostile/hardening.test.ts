// Bad input never reaches WebAssembly; any input either throws a TypeError/RangeError or agrees with
// the float64 reference; large inputs go through in chunks with the same answers.
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type RefElementwiseOp,
  refAlongDim,
  refCrossEntropy,
  refElementwiseLoss,
  refEntropyRow,
  refLogSoftmaxRow,
  refLogSumExpRow,
  refNllLoss,
  refSoftmaxRow,
} from '../../reference/index.js';
import { chunkUnits, DEFAULT_CHUNK_BYTES, setChunkBytes } from '../../src/core/pipeline/index.js';
import * as x from '../../src/index.js';
import { assertClose, finiteScale } from '../helpers/assert-close.js';
import { CATALOGUE, type Family, type Float } from '../helpers/catalogue.js';

const FUZZ_RUNS = Number(process.env.XENTROPY_FUZZ_RUNS ?? 300);

beforeAll(() => x.init());

// --- every function of a tensor named `input`, and a valid call to it (from the catalogue) ---------------------
type Call = {
  fn: (...args: never[]) => unknown;
  args: (Float: Float32ArrayConstructor | Float64ArrayConstructor) => unknown[];
};
const exported = new Map<string, unknown>(Object.entries(x));
const INPUT_FAMILIES: readonly Family[] = ['along-dim', 'elementwise', 'class-loss', 'elementwise-loss'];
const PUBLIC: Record<string, Call> = Object.fromEntries(
  CATALOGUE.filter((e) => INPUT_FAMILIES.includes(e.family) && !e.form).map((e) => [
    e.name,
    {
      fn: exported.get(e.name) as Call['fn'],
      args: (F: Float) => [...e.args(F, [2, 3]), ...(e.family === 'elementwise' ? [] : [{}])],
    },
  ]),
);

function detachedFloatArray(Float: Float32ArrayConstructor | Float64ArrayConstructor) {
  const data = Float.from([1, 2, 3, 4, 5, 6]);
  structuredClone(data.buffer, { transfer: [data.buffer] });
  return data;
}

/** Bad first arguments, each with what the message must say. */
const BAD_INPUTS: [
  string,
  (F: Float32ArrayConstructor | Float64ArrayConstructor) => unknown,
  typeof TypeError | typeof RangeError,
  RegExp,
][] = [
  ['a plain object', () => ({ a: 1 }), TypeError, /input must be a Tensor/],
  [
    'nested arrays',
    () => ({
      data: [
        [1, 2],
        [3, 4],
      ],
      shape: [2, 2],
    }),
    TypeError,
    /input\.data must be a Float32Array or Float64Array, received \[\[1, 2\], \[3, 4\]\]/,
  ],
  [
    'Int32Array logits',
    () => ({ data: Int32Array.from([1, 2]), shape: [1, 2] }),
    TypeError,
    /input\.data must be a Float32Array or Float64Array, received Int32Array/,
  ],
  [
    'a detached buffer',
    (F) => ({ data: detachedFloatArray(F), shape: [2, 3] }),
    TypeError,
    /input\.data is a view of a detached ArrayBuffer/,
  ],
  [
    'a shape that does not match',
    (F) => ({ data: F.from([1, 2, 3]), shape: [2, 3] }),
    RangeError,
    /input\.shape \[2, 3\] holds 6 elements but input\.data has 3/,
  ],
  [
    'a negative dim',
    (F) => ({ data: F.from([1, 2]), shape: [-1, -2] }),
    RangeError,
    /input\.shape\[0\] must be a non-negative integer, received -1/,
  ],
  [
    'a fractional dim',
    (F) => ({ data: F.from([1, 2]), shape: [2.5] }),
    RangeError,
    /input\.shape\[0\] must be a non-negative integer, received 2\.5/,
  ],
  ['a string shape', (F) => ({ data: F.from([1, 2]), shape: '2' }), TypeError, /input\.shape must be an array/],
];

describe.each([Float32Array, Float64Array])('the bad-input catalogue, %s', (Float) => {
  for (const [name, { fn, args }] of Object.entries(PUBLIC)) {
    it(`${name}: every bad input is a named TypeError or RangeError`, () => {
      const expectError = (call: () => unknown, Type: typeof TypeError | typeof RangeError, pattern: RegExp) => {
        let error: unknown;
        try {
          call();
        } catch (e) {
          error = e;
        }
        expect(error, `${name}: expected ${Type.name} matching ${pattern}`).toBeInstanceOf(Type);
        expect((error as Error).message).toMatch(new RegExp(`^${name}: `));
        expect((error as Error).message).toMatch(pattern);
      };
      const valid = args(Float);
      for (const [, bad, Type, pattern] of BAD_INPUTS) {
        expectError(() => (fn as (...a: unknown[]) => unknown)(bad(Float), ...valid.slice(1)), Type, pattern);
      }
      const last = valid.length - 1;
      if (last >= 1 && typeof valid[last] === 'object') {
        const withOption = (o: object) => valid.map((a, i) => (i === last ? { ...(a as object), ...o } : a));
        expectError(
          () => (fn as (...a: unknown[]) => unknown)(...withOption({ ignore_index: 1 })),
          TypeError,
          /unknown option "ignore_index"/,
        );
        expectError(
          () => (fn as (...a: unknown[]) => unknown)(...valid.slice(0, last), 'mean'),
          TypeError,
          /options must be an object, received "mean"/,
        );
      }
      if (name.endsWith('WithGrad')) {
        const call = (o: object) => (fn as (...a: unknown[]) => unknown)(...valid.slice(0, last), o);
        const Other = Float === Float32Array ? Float64Array : Float32Array;
        expectError(() => call({ out: new Other(6) }), TypeError, /options\.out must be a/);
        expectError(
          () => call({ out: new Float(7) }),
          RangeError,
          /options\.out must have the input's length 6, received length 7/,
        );
        expectError(
          () => call({ out: detachedFloatArray(Float) }),
          TypeError,
          /options\.out is a view of a detached ArrayBuffer/,
        );
        expectError(
          () => call({ reduction: 'none', gradOutput: { data: Float.from([1]), shape: [1] } }),
          RangeError,
          /options\.gradOutput must have the loss's shape/,
        );
        expectError(() => call({ gradOutput: 'one' }), TypeError, /options\.gradOutput must be a number/);
      }
      if (['crossEntropy', 'crossEntropyWithGrad', 'nllLoss', 'nllLossWithGrad'].includes(name)) {
        const call = (target: unknown) => (fn as (...a: unknown[]) => unknown)(valid[0], target, {});
        expectError(() => call([NaN, 0]), TypeError, /target\[0\] = NaN is not an integer class index/);
        expectError(() => call([0.5, 0]), TypeError, /target\[0\] = 0\.5 is not an integer class index/);
        expectError(() => call([-1, 0]), RangeError, /target\[0\] = -1 is out of range/);
        expectError(
          () => call([0, 3]),
          RangeError,
          /target\[1\] = 3 is out of range: class indices must be in \[0, 3\)/,
        );
        expectError(() => call(Uint8ClampedArray.from([0, 1])), TypeError, /target must be class indices/);
        expectError(
          () => call({ data: [0, 1, 2], shape: [3] }),
          RangeError,
          /class-index target must have shape \[2\]/,
        );
        expectError(
          () => call({ data: Float.from([1, 0, 0]), shape: [1, 3] }),
          RangeError,
          /must have the input's shape \[2, 3\]|must hold class indices/,
        );
      }
    });
  }

  it('NaN and ±inf values are not errors: they give PyTorch-style results', () => {
    const special = { data: Float.from([NaN, Infinity, -Infinity, 0, 1, 2]), shape: [2, 3] };
    expect(() => x.softmax(special)).not.toThrow();
    expect(Number.isNaN(x.crossEntropy(special, [0, 1]))).toBe(true);
    expect(x.crossEntropy({ data: Float.from([-Infinity, 0, 1]), shape: [1, 3] }, [2])).toBeGreaterThan(0);
    const targets = { data: Float.from([0.5, 0.5, 0.1, 0.9, 0, 1]), shape: [2, 3] };
    expect(() => x.binaryCrossEntropyWithLogits(special, targets, { weight: [NaN, 1, 1] })).not.toThrow();
  });
});

// --- chunked processing gives the same answers --------------------------------------------------------------
describe('large inputs go through in chunks of whole rows', () => {
  afterEach(() => void setChunkBytes(DEFAULT_CHUNK_BYTES));

  it('every chunked function agrees with the same call done in one piece', () => {
    const r = fc.sample(fc.double({ min: -5, max: 5, noNaN: true }), { numRuns: 6 * 7 * 5 * 4, seed: 7 });
    const input = { data: Float64Array.from(r), shape: [6, 7, 5, 4] };
    const probs = x.softmax(input, { dim: 1 });
    const target = {
      data: Int32Array.from({ length: 6 * 5 * 4 }, (_, i) => (i % 9 === 0 ? -100 : i % 7)),
      shape: [6, 5, 4],
    };
    const gradOutput = { data: Float64Array.from({ length: 6 * 5 * 4 }, (_, i) => (i % 5) - 2), shape: [6, 5, 4] };
    const run = () => ({
      softmax: x.softmax(input, { dim: 1 }).data,
      logSoftmax: x.logSoftmax(input, { dim: 0 }).data,
      logSumExp: x.logSumExp(input, { dim: 2 }).data,
      entropy: x.entropy(probs, { dim: 1 }).data,
      sigmoid: x.sigmoid(input).data,
      ce: x.crossEntropyWithGrad(input, target, { labelSmoothing: 0.1, weight: [1, 2, 3, 1, 2, 3, 1] }),
      ceNone: x.crossEntropyWithGrad(input, target, { reduction: 'none', gradOutput }),
      ceProb: x.crossEntropyWithGrad(input, probs, { reduction: 'sum' }),
      bce: x.binaryCrossEntropyWithLogitsWithGrad(input, probs, {
        weight: [1, 2, 3, 4],
        posWeight: { data: [2], shape: [1] },
      }),
    });
    const whole = run();
    const before = setChunkBytes(3000); // a few samples per chunk
    const chunked = run();
    setChunkBytes(before);
    for (const key of ['softmax', 'logSoftmax', 'logSumExp', 'entropy', 'sigmoid'] as const) {
      expect(Array.from(chunked[key]), key).toEqual(Array.from(whole[key]));
    }
    for (const key of ['ce', 'ceNone', 'ceProb', 'bce'] as const) {
      const [a, b] = [chunked[key], whole[key]];
      const lossA = typeof a.loss === 'number' ? [a.loss] : Array.from(a.loss.data);
      const lossB = typeof b.loss === 'number' ? [b.loss] : Array.from(b.loss.data);
      assertClose(lossA, lossB, { bound: (e) => 1e-14 * Math.abs(e), label: `${key} loss` });
      expect(Array.from(a.grad.data), `${key} grad`).toEqual(Array.from(b.grad.data));
    }
  });

  it('one row too large for WebAssembly memory is a RangeError before any work', () => {
    expect(() => chunkUnits('crossEntropy', 10, 2 ** 33, 0, 1)).toThrow(
      /crossEntropy: one row needs 8589934592 bytes of WebAssembly memory, more than its 4 GiB address space/,
    );
  });
});

// --- fuzzing against the float64 reference ------------------------------------------------------------------
const adversarial = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -8, max: 8, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity, NaN, 1e38, -1e38, 0, -0, 1e4, -1e4, 95, 100) },
);
const probability = fc.oneof(
  { weight: 5, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, NaN) },
);

const shapes = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 9 })).map(([c]) => [c]),
  fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 9 })),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 })),
) as fc.Arbitrary<number[]>;

const problem = shapes.chain((shape) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = (arb: fc.Arbitrary<number>) =>
    fc.array(arb, { minLength: n, maxLength: n }).map((v) => Float64Array.from(v));
  return fc.record({
    shape: fc.constant(shape),
    input: values(adversarial),
    target: values(probability),
    // no zero weights: a 'mean' over zero total weight divides by 0, whose inf·0 patterns the golden cases pin instead
    weights: values(fc.double({ min: 0.25, max: 3, noNaN: true })),
    classPick: fc.array(fc.integer({ min: -1, max: 20 }), { minLength: n, maxLength: n }),
    dim: fc.integer({ min: -shape.length, max: shape.length - 1 }),
    reduction: fc.constantFrom('none', 'mean', 'sum') as fc.Arbitrary<'none' | 'mean' | 'sum'>,
    labelSmoothing: fc.constantFrom(0, 0, 0.1, 1),
    fn: fc.constantFrom(
      'softmax',
      'logSoftmax',
      'logSumExp',
      'entropy',
      'crossEntropy',
      'crossEntropyProb',
      'nllLoss',
      'bce',
      'bceWithLogits',
      'klDiv',
      'klDivLogTarget',
      'mse',
      'sigmoidFocal',
      'huber',
      'smoothL1',
      'l1',
    ),
    alpha: fc.constantFrom(0.25, -1, 0.9),
    gamma: fc.constantFrom(2, 0, 1, 0.5, 3.7),
    threshold: fc.constantFrom(1, 0.5, 2.5, 1e-3),
  });
});

/**
 * Special values must match exactly; finite ones within 1e-12 relative to the output's scale, or for a
 * reduced loss to Σ|terms| (a sum of ±1e38 that cancels keeps only that much of its small terms).
 */
function agree(ours: ArrayLike<number>, ref: ArrayLike<number>, label: string, terms?: ArrayLike<number>) {
  const scale = terms
    ? Array.from(terms).reduce((s, t) => s + (Number.isFinite(t) ? Math.abs(t) : 0), 0)
    : finiteScale(ref);
  assertClose(ours, ref, { bound: (e) => 1e-12 * (Math.abs(e) + scale + 1), label });
}

describe.each(['simd', 'scalar'] as const)('fuzzing against the float64 reference, %s build', (build) => {
  beforeAll(() => x.init({ simd: build === 'simd' }));

  it(`${FUZZ_RUNS} random calls throw a TypeError/RangeError or agree with the reference (XENTROPY_FUZZ_RUNS)`, () => {
    fc.assert(
      fc.property(problem, (p) => {
        const input = { data: p.input, shape: p.shape };
        const classes = p.shape.length === 1 ? p.shape[0] : p.shape[1];
        const rowCount = classes === 0 ? 0 : p.input.length / classes;
        const indices = Int32Array.from({ length: rowCount }, (_, i) =>
          p.classPick[i] < 0 ? -100 : p.classPick[i] % Math.max(classes, 1),
        );
        const indexShape = p.shape.filter((_, d) => d !== (p.shape.length === 1 ? 0 : 1));
        const weight = p.weights.subarray(0, classes);
        let ours: { loss: number | x.Tensor; grad?: x.Tensor } | x.Tensor;
        let ref: { loss: number | Float64Array; grad?: Float64Array; terms?: Float64Array } | Float64Array;
        try {
          switch (p.fn) {
            case 'softmax':
            case 'logSoftmax':
            case 'logSumExp':
            case 'entropy': {
              const rowFn = {
                softmax: refSoftmaxRow,
                logSoftmax: refLogSoftmaxRow,
                logSumExp: refLogSumExpRow,
                entropy: refEntropyRow,
              }[p.fn];
              const data = p.fn === 'entropy' ? p.target : p.input;
              const alongDim = {
                softmax: x.softmax,
                logSoftmax: x.logSoftmax,
                logSumExp: x.logSumExp,
                entropy: x.entropy,
              }[p.fn];
              ours = alongDim({ data, shape: p.shape }, { dim: p.dim });
              ref = refAlongDim(data, p.shape, p.dim, rowFn);
              break;
            }
            case 'crossEntropy':
              ours = x.crossEntropyWithGrad(
                input,
                { data: indices, shape: indexShape },
                { reduction: p.reduction, weight, labelSmoothing: p.labelSmoothing },
              );
              ref = refCrossEntropy(p.input, p.shape, indices, false, {
                reduction: p.reduction,
                weight,
                labelSmoothing: p.labelSmoothing,
              });
              break;
            case 'crossEntropyProb':
              ours = x.crossEntropyWithGrad(
                input,
                { data: p.target, shape: p.shape },
                { reduction: p.reduction, labelSmoothing: p.labelSmoothing },
              );
              ref = refCrossEntropy(p.input, p.shape, p.target, true, {
                reduction: p.reduction,
                labelSmoothing: p.labelSmoothing,
              });
              break;
            case 'nllLoss':
              ours = x.nllLossWithGrad(input, { data: indices, shape: indexShape }, { reduction: p.reduction, weight });
              ref = refNllLoss(p.input, p.shape, indices, { reduction: p.reduction, weight });
              break;
            default: {
              const op = p.fn as RefElementwiseOp;
              const data = op === 'bce' ? p.target : p.input;
              const own = {
                sigmoidFocal: { alpha: p.alpha, gamma: p.gamma },
                huber: { delta: p.threshold },
                smoothL1: { beta: p.threshold },
              }[op as string];
              const options = op.startsWith('bce')
                ? { reduction: p.reduction, weight: p.weights }
                : { reduction: p.reduction, ...own };
              const call = (
                {
                  bce: x.binaryCrossEntropyWithGrad,
                  bceWithLogits: x.binaryCrossEntropyWithLogitsWithGrad,
                  klDiv: x.klDivWithGrad,
                  klDivLogTarget: x.klDivWithGrad,
                  mse: x.mseLossWithGrad,
                  sigmoidFocal: x.sigmoidFocalLossWithGrad,
                  huber: x.huberLossWithGrad,
                  smoothL1: x.smoothL1LossWithGrad,
                  l1: x.l1LossWithGrad,
                } as Record<string, (...args: unknown[]) => { loss: number | x.Tensor; grad: x.Tensor }>
              )[op];
              ours = call(
                { data, shape: p.shape },
                { data: p.target, shape: p.shape },
                { ...options, ...(op === 'klDivLogTarget' ? { logTarget: true } : {}) },
              );
              const weights = op.startsWith('bce') ? p.weights : undefined;
              ref = refElementwiseLoss(
                op,
                data,
                p.target,
                p.reduction,
                p.shape[0],
                weights,
                undefined,
                p.alpha,
                p.gamma,
                p.threshold,
              );
            }
          }
        } catch (error) {
          if (error instanceof TypeError || error instanceof RangeError) return true;
          throw error;
        }
        if (ref instanceof Float64Array) {
          agree((ours as x.Tensor).data, ref, p.fn);
          return true;
        }
        const o = ours as { loss: number | x.Tensor; grad: x.Tensor };
        if (typeof ref.loss === 'number') agree([o.loss as number], [ref.loss], `${p.fn} loss`, ref.terms);
        else agree((o.loss as x.Tensor).data, ref.loss, `${p.fn} loss`);
        agree(o.grad.data, ref.grad as Float64Array, `${p.fn} grad`);
        return true;
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
