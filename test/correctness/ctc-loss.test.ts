// ctcLoss and ctcLossWithGrad against Debian's PyTorch (test/golden/ctc_loss.json): float64 cases within 1e-12 of
// F.ctc_loss and its autograd gradient; float32 ones at least as accurate as PyTorch's own float32 against the
// float64 truth. Every build (scalar, SIMD, relaxed SIMD) gives the same bits, since the kernel runs in float64 with
// the same scalar operations in each; threads give the same bits as one thread (threads.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { makeRandom, refCtcLoss } from '../../reference/index.js';
import { ctcLoss, ctcLossWithGrad, init, logSoftmax } from '../../src/index.js';
import { assertAsAccurateAsTorch, assertClose } from '../helpers/assert-close.js';
import { type CtcCase, ctcGolden as golden, values } from '../helpers/ctc-golden.js';
import { decode, type Encoded } from '../helpers/golden.js';

const lossValues = (loss: number | { data: ArrayLike<number> }) =>
  typeof loss === 'number' ? [loss] : Array.from(loss.data);

/** The case's call: log-probabilities, targets as their layout, lengths, options. */
function callOf(c: CtcCase) {
  const lp = decode(c.logProbs);
  const targets = decode(c.targets);
  const unbatched = lp.shape.length === 2;
  const lengths = (e: Encoded) => (unbatched ? Number(decode(e).data[0]) : Int32Array.from(decode(e).data));
  const gradOutput =
    typeof c.gradOutput === 'number' ? c.gradOutput : { data: decode(c.gradOutput).data, shape: c.gradOutput.shape };
  return {
    logProbs: { data: lp.data as Float32Array | Float64Array, shape: lp.shape },
    targets: { data: Int32Array.from(targets.data), shape: targets.shape },
    inputLengths: lengths(c.inputLengths),
    targetLengths: lengths(c.targetLengths),
    options: c.options,
    gradOutput,
  };
}

beforeAll(() => init());

describe('ctcLoss against PyTorch', () => {
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const k = callOf(c);
    const loss = ctcLoss(k.logProbs, k.targets, k.inputLengths, k.targetLengths, k.options);
    const both = ctcLossWithGrad(k.logProbs, k.targets, k.inputLengths, k.targetLengths, {
      ...k.options,
      gradOutput: k.gradOutput as never,
    });
    expect(lossValues(both.loss)).toEqual(lossValues(loss));
    expect(both.grad.shape).toEqual(c.logProbs.shape);
    expect(both.grad.data).toBeInstanceOf(c.dtype === 'float32' ? Float32Array : Float64Array);
    if (c.dtype === 'float64') {
      const bound = (e: number) => 1e-12 * (Math.abs(e) + 1);
      assertClose(lossValues(loss), values(c.loss), { bound, label: `${c.name}: loss` });
      assertClose(both.grad.data, values(c.grad), { bound, label: `${c.name}: grad` });
    } else {
      const truth = c.truth as NonNullable<CtcCase['truth']>;
      assertAsAccurateAsTorch(lossValues(loss), values(c.loss), values(truth.loss), 4, `${c.name}: loss`, true);
      assertAsAccurateAsTorch(both.grad.data, values(c.grad), values(truth.grad), 4, `${c.name}: grad`);
    }
  });
});

describe('ctcLoss from logits', () => {
  it('applies logSoftmax along C and returns the logits’ gradient', () => {
    const [T, N, C] = [9, 3, 5];
    const logits = Float64Array.from({ length: T * N * C }, (_, i) => Math.sin(i * 1.7) * 3);
    const targets = { data: Int32Array.of(1, 2, 2, 3, 0, 0, 4, 1, 4), shape: [3, 3] };
    const [inputs, lengths] = [Int32Array.of(9, 7, 8), Int32Array.of(3, 1, 3)];
    const lp = logSoftmax({ data: logits, shape: [T, N, C] });
    const direct = ctcLossWithGrad(lp, targets, inputs, lengths);
    const fromLogits = ctcLossWithGrad({ data: logits, shape: [T, N, C] }, targets, inputs, lengths, {
      fromLogits: true,
    });
    expect(fromLogits.loss).toBe(direct.loss);
    expect(fromLogits.grad.data).toEqual(direct.grad.data);
    const ref = refCtcLoss(lp.data, [T, N, C], targets.data, targets.shape, inputs, lengths);
    assertClose([direct.loss as number], [ref.loss as number], { bound: () => 1e-12, label: 'loss' });
  });
});

describe('ctcLossWithGrad’s gradient', () => {
  it('is the finite-difference derivative of the loss of the logits (float64, every reduction)', () => {
    const [T, N, C] = [7, 3, 4];
    const logits = Float64Array.from({ length: T * N * C }, (_, i) => Math.sin(i * 2.3) * 2);
    const targets = Int32Array.of(1, 3, 3, 2, 1, 2); // concatenated: [1, 3, 3], [2], [1, 2]
    const [inputs, lengths] = [
      [7, 5, 6],
      [3, 1, 2],
    ];
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const gradOutput = reduction === 'none' ? [0.5, -1, 2] : 1;
      const total = (z: Float64Array) => {
        const loss = ctcLoss({ data: z, shape: [T, N, C] }, targets, inputs, lengths, { reduction, fromLogits: true });
        return typeof loss === 'number' ? loss : loss.data.reduce((a, v, n) => a + v * (gradOutput as number[])[n], 0);
      };
      const { grad } = ctcLossWithGrad({ data: logits, shape: [T, N, C] }, targets, inputs, lengths, {
        reduction,
        fromLogits: true,
        gradOutput: reduction === 'none' ? Float64Array.from(gradOutput as number[]) : 1,
      });
      const h = 1e-6;
      const numeric = Array.from(logits, (_, i) => {
        const [up, down] = [logits.slice(), logits.slice()];
        up[i] += h;
        down[i] -= h;
        return (total(up) - total(down)) / (2 * h);
      });
      assertClose(grad.data, numeric, { bound: (e) => 1e-7 * (Math.abs(e) + 1), label: reduction });
    }
  });
});

describe('ctcLoss on adversarial emissions', () => {
  /**
   * Both builds' loss and gradient against the float64 reference, for log-probabilities (T, N, C). The reference's
   * own gradient error grows with the nll (its exponents α + β − lp + nll cancel terms of the nll's size, each
   * carrying the log-space α's random walk of rounding), so the bound does: 1e-14 · (|nll| + 100) relative.
   */
  async function againstReference(
    lp: Float64Array,
    [T, N, C]: number[],
    targets: Int32Array,
    inputs: number[],
    lengths: number[],
    label: string,
  ) {
    const ref = refCtcLoss(lp, [T, N, C], targets, [targets.length], inputs, lengths, { reduction: 'none' });
    const size = Math.max(...Array.from(ref.nll).filter(Number.isFinite)) + 100;
    for (const simd of [true, false]) {
      await init({ simd });
      const got = ctcLossWithGrad({ data: lp, shape: [T, N, C] }, targets, inputs, lengths, { reduction: 'none' });
      const bound = (e: number) => 1e-14 * size * (Math.abs(e) + 1);
      assertClose(got.loss.data, ref.loss as Float64Array, { bound, label: `${label}, simd ${simd}: loss` });
      assertClose(got.grad.data, ref.grad, { bound, label: `${label}, simd ${simd}: grad` });
      // each frame of a possible sequence sums to 0 (Σ exp(lp) = 1 = Σ of the alignments' shares)
      for (let t = 0; t < T; t++) {
        for (let n = 0; n < N; n++) {
          const row = got.grad.data.subarray((t * N + n) * C, (t * N + n + 1) * C);
          const sum = row.reduce((a, v) => a + v, 0);
          if (Number.isFinite(sum)) expect(Math.abs(sum), `${label}: frame ${t} of ${n}`).toBeLessThan(1e-13);
        }
      }
    }
    await init();
  }
  const logSoftmaxRows = (x: Float64Array, C: number) => logSoftmax({ data: x, shape: [x.length / C, C] }).data;

  it('a long target over random emissions, whose shares at some frame underflow (taken through logs)', async () => {
    // found by scanning: at one frame every α̃ · β̃ underflows though each factor is fine
    const random = makeRandom(2242);
    const [T, C, L] = [1000, 1000, 200];
    const lp = logSoftmaxRows(
      Float64Array.from({ length: T * C }, () => 6 * random.normal()),
      C,
    );
    const targets = Int32Array.from({ length: L }, () => 1 + random.int(C - 1));
    await againstReference(lp, [T, 1, C], targets, [T], [L], 'stretched');
  });

  it('−inf log-probabilities, a frame whose labels lie 800 below its best, NaN, an impossible target', async () => {
    const [T, N, C] = [12, 4, 6];
    const random = makeRandom(2611);
    const lp = logSoftmaxRows(
      Float64Array.from({ length: T * N * C }, () => random.normal()),
      C,
    );
    const at = (t: number, n: number, c: number) => (t * N + n) * C + c;
    for (let t = 0; t < T; t++) lp[at(t, 0, 5)] = -Infinity; // sequence 0: a masked class
    for (let c = 0; c < C; c++) lp[at(6, 1, c)] = c === 4 ? 0 : -800; // sequence 1: frame 6 all on class 4
    lp[at(3, 2, 2)] = Number.NaN; // sequence 2: NaN
    const targets = Int32Array.of(1, 2, 3, 1, 2, 1, 2, 1, 1, 1, 1, 1, 1, 1);
    await againstReference(lp, [T, N, C], targets, [12, 12, 12, 12], [3, 2, 2, 7], 'special values');
  });
});
