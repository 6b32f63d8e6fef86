// Properties that hold for any input, checked with fast-check on random shapes, options and values.
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { refCrossEntropy } from '../../reference/index.js';
import { makeRandom } from '../../reference/random.js';
import { crossEntropy, crossEntropyWithGrad, init, logSoftmax, softmax, type Tensor } from '../../src/index.js';
import { assertClose, assertUlpClose, EPS, finiteScale } from '../helpers/assert-close.js';

const RUNS = Number(process.env.XENTROPY_PROPERTY_RUNS ?? 100);

/** A tensor of 1–3 dims and up to 40 elements along each, with float64 logits in [−30, 30]. */
const logitTensor = fc
  .array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 3 })
  .filter((shape) => shape.reduce((a, b) => a * b, 1) <= 2000)
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      values: fc.array(fc.double({ min: -30, max: 30, noNaN: true }), {
        minLength: shape.reduce((a, b) => a * b, 1),
        maxLength: shape.reduce((a, b) => a * b, 1),
      }),
      dim: fc.integer({ min: -shape.length, max: shape.length - 1 }),
    }),
  );

/** A cross-entropy problem: (C), (N, C) or (N, C, d) logits, targets of either kind, and options. */
const crossEntropyProblem = fc
  .record({
    shape: fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 9 })).map(([c]) => [c]),
      fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 9 })),
      fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 })),
    ),
    probabilities: fc.boolean(),
    reduction: fc.constantFrom('none', 'mean', 'sum') as fc.Arbitrary<'none' | 'mean' | 'sum'>,
    labelSmoothing: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
    weighted: fc.boolean(),
    seed: fc.integer(),
  })
  .map((p) => {
    const shape = p.shape as number[];
    const rand = makeRandom(p.seed).next;
    const classes = shape.length === 1 ? shape[0] : shape[1];
    const size = shape.reduce((a, b) => a * b, 1);
    const rows = size / classes;
    const input = Float64Array.from({ length: size }, () => 8 * rand() - 4);
    const weight = p.weighted ? Float64Array.from({ length: classes }, () => 0.25 + 2 * rand()) : undefined;
    let target: Float64Array | Int32Array;
    if (p.probabilities) {
      target = Float64Array.from({ length: size }, () => rand());
      // normalise along the class dim
      const inner = shape.slice(2).reduce((a, b) => a * b, 1);
      for (let r = 0; r < rows; r++) {
        const at = (c: number) => Math.floor(r / inner) * classes * inner + c * inner + (r % inner);
        let total = 0;
        for (let c = 0; c < classes; c++) total += target[at(c)];
        for (let c = 0; c < classes; c++) target[at(c)] /= total;
      }
    } else {
      // about one target in five is ignored
      target = Int32Array.from({ length: rows }, () => (rand() < 0.2 ? -100 : Math.floor(rand() * classes)));
    }
    const gradOutput =
      p.reduction === 'none' ? Float64Array.from({ length: rows }, () => 2 * rand() - 1) : 0.5 + rand();
    return { ...p, shape, classes, rows, input, weight, target, gradOutput };
  });

type Problem = typeof crossEntropyProblem extends fc.Arbitrary<infer P> ? P : never;

function targetOf(p: Problem) {
  const indexShape = p.shape.filter((_, d) => d !== (p.shape.length === 1 ? 0 : 1));
  return p.probabilities
    ? { data: p.target as Float64Array, shape: p.shape }
    : { data: p.target as Int32Array, shape: indexShape };
}

function gradientOf(p: Problem) {
  const options = {
    reduction: p.reduction,
    labelSmoothing: p.labelSmoothing,
    weight: p.weight,
    gradOutput: p.gradOutput,
  };
  return crossEntropyWithGrad({ data: p.input, shape: p.shape }, targetOf(p), options);
}

function lossOf(p: Problem, input: Float64Array): number {
  const options = { reduction: p.reduction, labelSmoothing: p.labelSmoothing, weight: p.weight };
  const loss = crossEntropy({ data: input, shape: p.shape }, targetOf(p), options);
  if (typeof loss === 'number') return loss * (p.gradOutput as number);
  const g = p.gradOutput as Float64Array;
  return loss.data.reduce((sum, l, i) => sum + l * g[i], 0);
}

describe.each(['simd', 'scalar'] as const)('properties, %s build', (build) => {
  beforeAll(() => init({ simd: build === 'simd' }));

  it('softmax sums to 1 along dim, float32 and float64', () => {
    fc.assert(
      fc.property(logitTensor, fc.boolean(), ({ shape, values, dim }, f32) => {
        const Float = f32 ? Float32Array : Float64Array;
        const out = softmax({ data: Float.from(values), shape }, { dim }).data;
        const d = dim < 0 ? dim + shape.length : dim;
        const size = shape[d];
        const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
        const sums = [];
        for (let o = 0; o < out.length / (size * inner); o++) {
          for (let i = 0; i < inner; i++) {
            let s = 0;
            for (let c = 0; c < size; c++) s += out[o * size * inner + c * inner + i];
            sums.push(s);
          }
        }
        assertUlpClose(
          sums,
          sums.map(() => 1),
          2 * size + 4,
          f32 ? 'float32' : 'float64',
          'row sums',
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('log-softmax is invariant to shifting a row by a constant (float64)', () => {
    fc.assert(
      fc.property(logitTensor, fc.double({ min: -1000, max: 1000, noNaN: true }), ({ shape, values, dim }, shift) => {
        const a = logSoftmax({ data: Float64Array.from(values), shape }, { dim }).data;
        const b = logSoftmax({ data: Float64Array.from(values, (v) => v + shift), shape }, { dim }).data;
        // x + shift is rounded: allow a few ulps of |shift| + 30 on each element
        const tol = 8 * EPS.float64 * (Math.abs(shift) + 60);
        return a.every((v, i) => Math.abs(v - b[i]) <= tol);
      }),
      { numRuns: RUNS },
    );
  });

  it('cross-entropy gradient rows sum to 0, class indices and probabilities', () => {
    fc.assert(
      fc.property(crossEntropyProblem, (p) => {
        const { grad } = gradientOf(p);
        const inner = p.shape.slice(2).reduce((a, b) => a * b, 1);
        // p_j·Σq − q_j cancels at the target: the rounding is relative to |g|·Σq, not to the result
        const g = typeof p.gradOutput === 'number' ? p.gradOutput : Math.max(...p.gradOutput.map(Math.abs));
        const termScale = Math.abs(g) * (p.weight ? Math.max(...p.weight) : 1) * 2;
        for (let r = 0; r < p.rows; r++) {
          let sum = 0;
          let magnitude = termScale;
          for (let c = 0; c < p.classes; c++) {
            const g = grad.data[Math.floor(r / inner) * p.classes * inner + c * inner + (r % inner)];
            sum += g;
            magnitude += Math.abs(g);
          }
          if (Math.abs(sum) > 16 * EPS.float64 * magnitude) return false;
        }
        return true;
      }),
      { numRuns: RUNS },
    );
  });

  it('crossEntropyWithGrad matches central finite differences of crossEntropy (float64)', () => {
    fc.assert(
      fc.property(crossEntropyProblem, (p) => {
        const { grad } = gradientOf(p);
        if (Number.isNaN(lossOf(p, p.input))) return true; // 'mean' over all-ignored targets
        const h = 1e-6;
        for (let i = 0; i < p.input.length; i++) {
          const plus = p.input.slice();
          const minus = p.input.slice();
          plus[i] += h;
          minus[i] -= h;
          const fd = (lossOf(p, plus) - lossOf(p, minus)) / (2 * h);
          if (!(Math.abs(fd - grad.data[i]) <= 1e-6 * (1 + Math.abs(fd)))) {
            throw new Error(`element ${i}: finite difference ${fd}, gradient ${grad.data[i]}`);
          }
        }
        return true;
      }),
      { numRuns: Math.max(20, RUNS / 2) },
    );
  });

  it('crossEntropy agrees with the plain float64 reference on every option', () => {
    fc.assert(
      fc.property(crossEntropyProblem, (p) => {
        const options = { reduction: p.reduction, labelSmoothing: p.labelSmoothing, weight: p.weight };
        const ours = crossEntropyWithGrad({ data: p.input, shape: p.shape }, targetOf(p), options);
        const ref = refCrossEntropy(p.input, p.shape, p.target, p.probabilities, options);
        const oursLoss = typeof ours.loss === 'number' ? [ours.loss] : (ours.loss as Tensor).data;
        const refLoss = typeof ref.loss === 'number' ? [ref.loss] : ref.loss;
        // 64 ulps relative, with an absolute floor of 64 ulps of 1 (the size of p·Σq and q before they cancel)
        const bound = (e: number) => 64 * EPS.float64 * (Math.abs(e) + 1 + finiteScale(ref.grad));
        assertClose(oursLoss, refLoss, { bound, label: 'loss' });
        assertClose(ours.grad.data, ref.grad, { bound, label: 'grad' });
        return true;
      }),
      { numRuns: RUNS },
    );
  });
});
