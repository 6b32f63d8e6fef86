// The SIMD build held to the scalar build (its plain reference loops) and both to float64, at every
// vector-width boundary (rows of 1 to 17, odd lengths, multiples of 4 and 8 ± 1) and on adversarial rows.
import { beforeAll, describe, expect, it } from 'vitest';
import { refCrossEntropy, refLogSoftmaxRows } from '../../reference/index.js';
import { makeRandom } from '../../reference/random.js';
import {
  binaryCrossEntropyWithGrad,
  binaryCrossEntropyWithLogitsWithGrad,
  crossEntropyWithGrad,
  entropy,
  type FloatArray,
  huberLossWithGrad,
  init,
  klDivWithGrad,
  l1LossWithGrad,
  logSigmoid,
  logSoftmax,
  logSumExp,
  mseLossWithGrad,
  sigmoid,
  sigmoidFocalLossWithGrad,
  smoothL1LossWithGrad,
  softmax,
  type Tensor,
} from '../../src/index.js';
import { assertUlpClose, type DTypeName } from '../helpers/assert-close.js';
import { onBothBuilds } from '../helpers/builds.js';

const LENGTHS = [...Array.from({ length: 17 }, (_, i) => i + 1), 31, 32, 33, 63, 64, 65, 127, 1000, 1025];
const DTYPES: [DTypeName, Float32ArrayConstructor | Float64ArrayConstructor][] = [
  ['float32', Float32Array],
  ['float64', Float64Array],
];

type Adversary = (r: ReturnType<typeof makeRandom>, cols: number, row: number) => number;
// Each input family says why it is there.
const FAMILIES: Record<string, Adversary> = {
  // plain logits
  normal: (r) => 3 * r.normal(),
  // exp(x) overflows in float32, exp(x − max) does not
  'in [90, 100]': (r) => r.uniform(90, 100),
  // masked classes; the first row is all −inf (NaN in PyTorch), the others keep their last class
  '-inf masks': (r, cols, row) => (row === 0 || (r.next() < 0.4 && cols > 1) ? -Infinity : r.normal()),
  // x − max overflows to −inf in float32
  '±1e38': (r) => (r.next() < 0.5 ? 1e38 : -1e38) * r.uniform(0.5, 3),
  // +inf and NaN poison their row
  'inf and NaN': (r, _cols, row) =>
    row === 1 && r.next() < 0.3 ? Infinity : row === 2 && r.next() < 0.3 ? NaN : r.normal(),
  // softmax → 1 at one place: cancellation in p − 1
  'one huge logit': (_r, _cols, row) => (row === 0 ? 40 : 1e-3 * row),
};

const ROWS = 3;

describe.each(DTYPES)('SIMD build against scalar build, %s', (dtype, Float) => {
  beforeAll(() => init());
  const ulps = dtype === 'float32' ? 8 : 8;

  for (const [family, value] of Object.entries(FAMILIES)) {
    it(`${family}: every function at lengths ${LENGTHS.slice(0, 5).join(', ')}, …, ${LENGTHS.at(-1)}`, async () => {
      for (const cols of LENGTHS) {
        const seed = cols * 7919 + family.length;
        const r = makeRandom(seed);
        const data = Float.from(Array.from({ length: ROWS * cols }, (_, i) => value(r, cols, Math.floor(i / cols))));
        const input: Tensor = { data, shape: [ROWS, cols] };
        const target = Int32Array.from({ length: ROWS }, () => r.int(cols));
        const weight = Float.from(Array.from({ length: cols }, () => r.uniform(0.5, 2)));
        const probs = softmaxRowsF64(
          Float.from(Array.from({ length: ROWS * cols }, () => r.normal())),
          ROWS,
          cols,
          Float,
        );
        const label = `${family}, C = ${cols}, ${dtype}, seed ${seed}`;
        const { simd, scalar } = await onBothBuilds(() => ({
          softmax: softmax(input).data,
          logSoftmax: logSoftmax(input).data,
          logSumExp: logSumExp(input).data,
          ceIndex: crossEntropyWithGrad(input, target, { reduction: 'none', weight, labelSmoothing: 0.1 }),
          ceProb: crossEntropyWithGrad(input, { data: probs, shape: [ROWS, cols] }, { reduction: 'sum', weight }),
          // the language-model options: softcap (vector tanh and sech²), z-loss, the log-sum-exp
          ceLm: crossEntropyWithGrad(input, target, {
            reduction: 'none',
            weight,
            labelSmoothing: 0.1,
            softcap: 3,
            lseSquareScale: 1e-2,
            returnLse: true,
          }),
        }));
        for (const part of ['loss', 'zLoss', 'lse', 'grad'] as const) {
          const [a, b] = [simd.ceLm[part] as Tensor, scalar.ceLm[part] as Tensor];
          assertUlpClose(a.data, b.data, ulps, dtype, `CE with softcap and z-loss, ${part}: ${label}`);
        }
        for (const name of ['softmax', 'logSoftmax', 'logSumExp'] as const) {
          assertUlpClose(simd[name], scalar[name], ulps, dtype, `${name}: ${label}`);
        }
        assertUlpClose(
          (simd.ceIndex.loss as Tensor).data,
          (scalar.ceIndex.loss as Tensor).data,
          ulps,
          dtype,
          `CE loss: ${label}`,
        );
        assertUlpClose(simd.ceIndex.grad.data, scalar.ceIndex.grad.data, ulps, dtype, `CE grad: ${label}`);
        assertUlpClose(
          [simd.ceProb.loss as number],
          [scalar.ceProb.loss as number],
          ulps,
          dtype,
          `CE prob loss: ${label}`,
        );
        assertUlpClose(simd.ceProb.grad.data, scalar.ceProb.grad.data, ulps, dtype, `CE prob grad: ${label}`);
        if (family === 'normal') {
          // Both builds against the float64 reference.
          const ref = refLogSoftmaxRows(data, ROWS, cols);
          assertUlpClose(simd.logSoftmax, ref, 16, dtype, `logSoftmax vs float64: ${label}`);
          const ce = refCrossEntropy(data, [ROWS, cols], target, false, {
            reduction: 'none',
            weight,
            labelSmoothing: 0.1,
          });
          assertUlpClose(
            (simd.ceIndex.loss as Tensor).data,
            ce.loss as Float64Array,
            16,
            dtype,
            `CE vs float64: ${label}`,
          );
          assertUlpClose(simd.ceIndex.grad.data, ce.grad, 16, dtype, `CE grad vs float64: ${label}`);
        }
      }
    });
  }

  it('the max is found at every position of the row (vector body, one-vector loop and tail)', async () => {
    for (const cols of LENGTHS.filter((n) => n <= 130)) {
      // Row p holds 1000 at position p and 0 elsewhere: a missed max makes exp(1000) overflow.
      const data = Float.from(
        Array.from({ length: cols * cols }, (_, i) => (Math.floor(i / cols) === i % cols ? 1000 : 0)),
      );
      const input = { data, shape: [cols, cols] };
      const { simd, scalar } = await onBothBuilds(() => ({
        logSumExp: Array.from(logSumExp(input).data),
        softmax: softmax(input).data,
        loss: crossEntropyWithGrad(
          input,
          Int32Array.from({ length: cols }, (_, p) => p),
          { reduction: 'sum' },
        ).loss,
      }));
      for (const out of [simd, scalar]) {
        expect(out.logSumExp).toEqual(Array(cols).fill(1000));
        for (let p = 0; p < cols; p++) expect(out.softmax[p * cols + p]).toBe(1);
        expect(out.loss).toBe(0);
      }
    }
  });

  it('C = 1: log-softmax is 0, softmax is 1, the loss and gradient are 0', async () => {
    const input = { data: Float.from([3, -1e38, 7.5]), shape: [3, 1] };
    const { simd, scalar } = await onBothBuilds(() => ({
      softmax: Array.from(softmax(input).data),
      logSoftmax: Array.from(logSoftmax(input).data),
      ce: crossEntropyWithGrad(input, [0, 0, 0], { reduction: 'sum' }),
    }));
    for (const out of [simd, scalar]) {
      expect(out.softmax).toEqual([1, 1, 1]);
      expect(out.logSoftmax).toEqual([0, 0, 0]);
      expect(out.ce.loss).toBe(0);
      expect(Array.from(out.ce.grad.data)).toEqual([0, 0, 0]);
    }
  });
});

function softmaxRowsF64(
  x: FloatArray,
  rows: number,
  cols: number,
  Float: Float32ArrayConstructor | Float64ArrayConstructor,
): FloatArray {
  return Float.from(refLogSoftmaxRows(x, rows, cols).map(Math.exp));
}

describe.each(DTYPES)('SIMD build against scalar build, the rest of the family, %s', (dtype, Float) => {
  beforeAll(() => init());

  // probabilities with exact 0 and 1 sprinkled in (the −100 clamp and the ε of the BCE gradient)
  const probability = (r: ReturnType<typeof makeRandom>) => {
    const u = r.next();
    return u < 0.1 ? 0 : u < 0.2 ? 1 : r.next();
  };
  // logits: plain, far out (exp under- and overflows), infinite and NaN
  const logit = (r: ReturnType<typeof makeRandom>) => {
    const u = r.next();
    return u < 0.05
      ? Infinity
      : u < 0.1
        ? -Infinity
        : u < 0.12
          ? NaN
          : u < 0.2
            ? 1e4 * r.normal()
            : u < 0.3
              ? 100 * r.normal()
              : 4 * r.normal();
  };

  const lengths = `${LENGTHS.slice(0, 5).join(', ')}, …, ${LENGTHS.at(-1)}`;
  it(`elementwise losses, entropy, sigmoid and logSigmoid at lengths ${lengths}`, async () => {
    for (const cols of LENGTHS) {
      const seed = cols * 104729;
      const r = makeRandom(seed);
      const shape = [ROWS, cols];
      const n = ROWS * cols;
      const fill = (f: () => number) => Float.from(Array.from({ length: n }, f));
      const p = { data: fill(() => probability(r)), shape };
      const y = { data: fill(() => probability(r)), shape };
      const x = { data: fill(() => logit(r)), shape };
      const logq = { data: fill(() => (r.next() < 0.1 ? -Infinity : -5 * r.next())), shape };
      const g = { data: fill(() => r.normal()), shape };
      const weight = fill(() => r.uniform(0, 2));
      const posWeight = Float.from(Array.from({ length: cols }, () => r.uniform(0.5, 3)));
      const label = `C = ${cols}, ${dtype}, seed ${seed}`;
      const { simd, scalar } = await onBothBuilds(() => ({
        bce: binaryCrossEntropyWithGrad(p, y, { reduction: 'none', weight, gradOutput: g }),
        bceLogits: binaryCrossEntropyWithLogitsWithGrad(x, y, { reduction: 'none', weight, posWeight, gradOutput: g }),
        kl: klDivWithGrad(logq, y, { reduction: 'none', gradOutput: g }),
        klLogTarget: klDivWithGrad(logq, logq, { reduction: 'none', logTarget: true }),
        mse: mseLossWithGrad(x, y, { reduction: 'none', gradOutput: g }),
        focal: sigmoidFocalLossWithGrad(x, y, { gradOutput: g }),
        focalGamma: sigmoidFocalLossWithGrad(x, y, { alpha: -1, gamma: 0.5, reduction: 'sum' }),
        huber: huberLossWithGrad(x, y, { reduction: 'none', delta: 0.5, gradOutput: g }),
        smoothL1: smoothL1LossWithGrad(x, y, { reduction: 'none', beta: 0.5, gradOutput: g }),
        smoothL1Zero: smoothL1LossWithGrad(x, y, { beta: 0, reduction: 'sum' }),
        l1: l1LossWithGrad(x, y, { reduction: 'none', gradOutput: g }),
        sum: binaryCrossEntropyWithLogitsWithGrad(x, y, { reduction: 'sum', posWeight }),
        entropy: entropy(p).data,
        sigmoid: sigmoid(x).data,
        logSigmoid: logSigmoid(x).data,
      }));
      const losses = ['bce', 'bceLogits', 'kl', 'klLogTarget', 'mse', 'focal', 'focalGamma', 'sum'] as const;
      for (const name of [...losses, 'huber', 'smoothL1', 'smoothL1Zero', 'l1'] as const) {
        const [a, b] = [simd[name], scalar[name]];
        const lossA = typeof a.loss === 'number' ? [a.loss] : a.loss.data;
        const lossB = typeof b.loss === 'number' ? [b.loss] : b.loss.data;
        assertUlpClose(lossA, lossB, 8, dtype, `${name} loss: ${label}`);
        assertUlpClose(a.grad.data, b.grad.data, 8, dtype, `${name} grad: ${label}`);
      }
      for (const name of ['entropy', 'sigmoid', 'logSigmoid'] as const) {
        assertUlpClose(simd[name], scalar[name], 8, dtype, `${name}: ${label}`);
      }
    }
  });
});
