// The identities every cross-entropy text teaches, on random distributions (fast-check, float64),
// and finite-difference checks of every …WithGrad of the loss family.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import {
  binaryCrossEntropyWithGrad,
  binaryCrossEntropyWithLogitsWithGrad,
  crossEntropy,
  crossEntropyWithGrad,
  entropy,
  init,
  klDiv,
  klDivWithGrad,
  mseLossWithGrad,
  nllLossWithGrad,
  sigmoid,
  softmax,
  type Tensor,
} from '../../src/index.js';

const RUNS = Number(process.env.XENTROPY_PROPERTY_RUNS ?? 100);

/** rows × classes probability rows, each strictly inside the simplex. */
const distributions = fc
  .record({ rows: fc.integer({ min: 1, max: 4 }), classes: fc.integer({ min: 2, max: 12 }) })
  .chain(({ rows, classes }) =>
    fc.record({
      rows: fc.constant(rows),
      classes: fc.constant(classes),
      p: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), {
        minLength: rows * classes,
        maxLength: rows * classes,
      }),
      q: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), {
        minLength: rows * classes,
        maxLength: rows * classes,
      }),
    }),
  )
  .map(({ rows, classes, p, q }) => {
    const normalise = (v: number[]) => {
      const out = Float64Array.from(v);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let c = 0; c < classes; c++) s += out[r * classes + c];
        for (let c = 0; c < classes; c++) out[r * classes + c] /= s;
      }
      return out;
    };
    return { rows, classes, shape: [rows, classes], p: normalise(p), q: normalise(q) };
  });

const close = (a: number, b: number, tol = 1e-12) => Math.abs(a - b) <= tol * (1 + Math.abs(b));
const sumRows = (t: Tensor<Float64Array>, rows: number, classes: number) =>
  Array.from({ length: rows }, (_, r) => t.data.subarray(r * classes, (r + 1) * classes).reduce((a, b) => a + b, 0));

describe.each(['simd', 'scalar'] as const)('identities, %s build', (build) => {
  beforeAll(() => init({ simd: build === 'simd' }));

  it('H(p, q) = H(p) + KL(p‖q), per row', () => {
    fc.assert(
      fc.property(distributions, ({ rows, classes, shape, p, q }) => {
        const logq = { data: q.map(Math.log), shape };
        const crossEntropyPQ = crossEntropy(logq, { data: p, shape }, { reduction: 'none' }).data;
        const entropyP = entropy({ data: p, shape }).data;
        const kl = sumRows(klDiv(logq, { data: p, shape }, { reduction: 'none' }), rows, classes);
        for (let r = 0; r < rows; r++) {
          if (!close(crossEntropyPQ[r], entropyP[r] + kl[r], 1e-10)) {
            throw new Error(`row ${r}: H(p, q) = ${crossEntropyPQ[r]}, H(p) + KL = ${entropyP[r] + kl[r]}`);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('minimising over q gives q = p: H(p, q) ≥ H(p, p), and the gradient at q = p is 0', () => {
    fc.assert(
      fc.property(distributions, ({ shape, p, q }) => {
        const target = { data: p, shape };
        const atP = crossEntropyWithGrad({ data: p.map(Math.log), shape }, target, { reduction: 'sum' });
        const atQ = crossEntropy({ data: q.map(Math.log), shape }, target, { reduction: 'sum' });
        expect(atQ).toBeGreaterThanOrEqual(atP.loss - 1e-12);
        for (const g of atP.grad.data) expect(Math.abs(g)).toBeLessThan(1e-12);
      }),
      { numRuns: RUNS },
    );
  });

  it('the cross-entropy gradient w.r.t. the logits is softmax − target', () => {
    fc.assert(
      fc.property(distributions, fc.double({ min: -20, max: 20, noNaN: true }), ({ shape, p, q }, shift) => {
        const logits = { data: q.map((v) => Math.log(v) + shift), shape };
        const { grad } = crossEntropyWithGrad(logits, { data: p, shape }, { reduction: 'sum' });
        const s = softmax(logits).data;
        grad.data.forEach((g, i) => {
          expect(close(g, s[i] - p[i], 1e-12)).toBe(true);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('the BCE-with-logits gradient is σ(x) − y', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), {
          minLength: 1,
          maxLength: 40,
        }),
        (pairs) => {
          const x = { data: Float64Array.from(pairs, ([v]) => v), shape: [pairs.length] };
          const y = { data: Float64Array.from(pairs, ([, t]) => t), shape: [pairs.length] };
          const { grad } = binaryCrossEntropyWithLogitsWithGrad(x, y, { reduction: 'sum' });
          const s = sigmoid(x).data;
          grad.data.forEach((g, i) => {
            expect(Math.abs(g - (s[i] - y.data[i]))).toBeLessThan(1e-15);
          });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('MSE after a sigmoid has gradient (σ − y)·σ(1 − σ), which vanishes where the model is most wrong', () => {
    fc.assert(
      fc.property(fc.double({ min: -40, max: 40, noNaN: true }), (z) => {
        const x = { data: Float64Array.of(z), shape: [1] };
        const y = { data: Float64Array.of(1), shape: [1] };
        const s = sigmoid(x).data[0];
        // ½(σ − y)²: mseLossWithGrad gives 2(σ − y) for the sum, so half of it, times dσ/dz = σ(1 − σ)
        const mse = mseLossWithGrad({ data: Float64Array.of(s), shape: [1] }, y, { reduction: 'sum', gradOutput: 0.5 });
        const throughSigmoid = mse.grad.data[0] * s * (1 - s);
        expect(close(throughSigmoid, (s - 1) * s * (1 - s), 1e-14)).toBe(true);
        const crossEntropyGrad = binaryCrossEntropyWithLogitsWithGrad(x, y, { reduction: 'sum' }).grad.data[0];
        if (z < -10) {
          // badly wrong: cross-entropy still pulls with nearly full force, MSE has all but stopped
          expect(crossEntropyGrad).toBeLessThan(-0.9999);
          expect(Math.abs(throughSigmoid)).toBeLessThan(5e-5);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('finite differences of every …WithGrad (float64)', () => {
  beforeAll(() => init());
  const shape = [3, 4];
  const rand = makeRandom(99).next;
  const fill = (f: () => number) => Float64Array.from({ length: 12 }, f);

  type Case = [string, Float64Array, (x: Float64Array) => { loss: number; grad: Tensor<Float64Array> }];
  const p = fill(() => 0.05 + 0.9 * rand());
  const y = fill(() => rand());
  const logits = fill(() => 4 * rand() - 2);
  const g = { data: fill(() => rand() - 0.5), shape };
  const cases: Case[] = [
    [
      'binaryCrossEntropyWithGrad',
      p,
      (x) => binaryCrossEntropyWithGrad({ data: x, shape }, { data: y, shape }, { weight: [1, 2, 0.5, 3] }),
    ],
    [
      'binaryCrossEntropyWithLogitsWithGrad',
      logits,
      (x) =>
        binaryCrossEntropyWithLogitsWithGrad(
          { data: x, shape },
          { data: y, shape },
          { posWeight: [2, 1, 0.5, 4], reduction: 'sum' },
        ),
    ],
    ['klDivWithGrad', logits, (x) => klDivWithGrad({ data: x, shape }, { data: y, shape }, { reduction: 'batchmean' })],
    [
      'klDivWithGrad, logTarget',
      logits,
      (x) => klDivWithGrad({ data: x, shape }, { data: logits, shape }, { logTarget: true }),
    ],
    ['mseLossWithGrad', logits, (x) => mseLossWithGrad({ data: x, shape }, { data: y, shape })],
    ['nllLossWithGrad', logits, (x) => nllLossWithGrad({ data: x, shape }, [0, 3, 2], { weight: [1, 2, 3, 4] })],
  ];
  it.each(cases)('%s', (_, x0, run) => {
    const { grad } = run(x0);
    const h = 1e-6;
    for (let i = 0; i < x0.length; i++) {
      const plus = x0.slice();
      const minus = x0.slice();
      plus[i] += h;
      minus[i] -= h;
      const fd = (run(plus).loss - run(minus).loss) / (2 * h);
      expect(Math.abs(fd - grad.data[i]), `element ${i}: ${fd} vs ${grad.data[i]}`).toBeLessThan(
        1e-6 * (1 + Math.abs(fd)),
      );
    }
  });

  it("'none' with gradOutput is the gradient of Σ gradOutput · loss", () => {
    const none = binaryCrossEntropyWithLogitsWithGrad(
      { data: logits, shape },
      { data: y, shape },
      { reduction: 'none', gradOutput: g },
    );
    const h = 1e-6;
    const total = (x: Float64Array) => {
      const l = binaryCrossEntropyWithLogitsWithGrad({ data: x, shape }, { data: y, shape }, { reduction: 'none' }).loss
        .data;
      return l.reduce((s, v, i) => s + v * g.data[i], 0);
    };
    for (let i = 0; i < logits.length; i++) {
      const plus = logits.slice();
      const minus = logits.slice();
      plus[i] += h;
      minus[i] -= h;
      expect(Math.abs((total(plus) - total(minus)) / (2 * h) - none.grad.data[i])).toBeLessThan(1e-7);
    }
  });
});
