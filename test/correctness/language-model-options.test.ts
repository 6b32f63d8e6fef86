// crossEntropy's language-model options beyond the golden vectors: accumulation, the shapes of zLoss and lse,
// finite differences through the softcap and the z-loss, and every bad input named, with nothing written.
import { beforeAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import {
  allocTensor,
  crossEntropy,
  crossEntropyWithGrad,
  init,
  logSumExp,
  meanDivisor,
  type Tensor,
} from '../../src/index.js';
import { assertClose, assertUlpClose } from '../helpers/assert-close.js';

beforeAll(() => init());

const r = makeRandom(2026);
const [rows, classes] = [5, 9];
const data = Float64Array.from({ length: rows * classes }, () => 3 * r.normal());
const logits = { data, shape: [rows, classes] };
const target = Int32Array.from([0, 8, -100, 4, 2]);

describe('crossEntropyWithGrad: what the options return', () => {
  it('zLoss and lse follow the reduction; the loss includes the z-loss', () => {
    const none = crossEntropyWithGrad(logits, target, { reduction: 'none', lseSquareScale: 0.1, returnLse: true });
    const plain = crossEntropyWithGrad(logits, target, { reduction: 'none' });
    const z = (none.zLoss as Tensor).data;
    expect((none.lse as Tensor).shape).toEqual([rows]);
    expect(z[2]).toBe(0); // an ignored row has no z-loss
    for (let i = 0; i < rows; i++) {
      const lse = (none.lse as Tensor).data[i];
      if (i !== 2) expect(z[i]).toBeCloseTo(0.1 * lse * lse, 12);
      expect((none.loss as Tensor).data[i]).toBeCloseTo((plain.loss as Tensor).data[i] + z[i], 12);
    }
    const mean = crossEntropyWithGrad(logits, target, { lseSquareScale: 0.1 });
    const counted = Array.from(z).reduce((a, b) => a + b, 0) / 4;
    expect(mean.zLoss).toBeCloseTo(counted, 12);
    expect(mean.loss).toBeCloseTo((crossEntropy(logits, target) as number) + counted, 12);
    expect(crossEntropyWithGrad(logits, target).zLoss).toBeUndefined();
  });

  it('finite differences agree with the gradient through softcap and z-loss', () => {
    const options = { softcap: 2, lseSquareScale: 0.05, labelSmoothing: 0.1, reduction: 'sum' } as const;
    const { grad } = crossEntropyWithGrad(logits, target, options);
    const h = 1e-6;
    const numeric = Float64Array.from(data, (_, i) => {
      const plus = data.slice();
      const minus = data.slice();
      plus[i] += h;
      minus[i] -= h;
      const f = (x: Float64Array) => crossEntropy({ data: x, shape: logits.shape }, target, options) as number;
      return (f(plus) - f(minus)) / (2 * h);
    });
    assertClose(grad.data, numeric, { bound: () => 1e-7, label: 'finite differences' });
  });

  it('accumulate adds the gradient into out, plain or allocTensor', () => {
    const { grad } = crossEntropyWithGrad(logits, target);
    const out = new Float64Array(rows * classes).fill(0.5);
    crossEntropyWithGrad(logits, target, { out, accumulate: true });
    crossEntropyWithGrad(logits, target, { out, accumulate: true });
    assertUlpClose(
      out,
      Float64Array.from(grad.data, (g) => 0.5 + 2 * g),
      2,
      'float64',
      'accumulated twice',
    );
    const resident = allocTensor(Float64Array, [rows, classes]);
    resident.data.fill(1);
    crossEntropyWithGrad(logits, target, { out: resident.data, accumulate: true });
    assertUlpClose(
      resident.data,
      Float64Array.from(grad.data, (g) => 1 + g),
      2,
      'float64',
      'into a WasmTensor',
    );
    resident.free();
  });

  it('safe: all −inf rows and ignored rows give 0, where PyTorch gives NaN', () => {
    const masked = Float64Array.from(data);
    masked.fill(-Infinity, classes, 2 * classes);
    masked.fill(-Infinity, 2 * classes, 3 * classes); // ignored too
    const input = { data: masked, shape: logits.shape };
    const unsafe = crossEntropyWithGrad(input, target, { reduction: 'none' });
    expect((unsafe.loss as Tensor).data[1]).toBeNaN();
    const safe = crossEntropyWithGrad(input, target, { reduction: 'none', safe: true });
    expect(Array.from((safe.loss as Tensor).data.subarray(1, 3))).toEqual([0, 0]);
    expect(Array.from(safe.grad.data.subarray(classes, 3 * classes)).every((g) => g === 0)).toBe(true);
    expect(Number.isFinite(crossEntropy(input, target, { safe: true }))).toBe(true);
  });

  it("logSumExp(…, { dtype: 'float64' }) of float32 logits: the float64 value, not rounded to float32", () => {
    const f32 = { data: Float32Array.from(data), shape: logits.shape };
    const wide = logSumExp(f32, { dtype: 'float64' });
    expect(wide.data).toBeInstanceOf(Float64Array);
    expect(wide.shape).toEqual([rows]);
    const exact = logSumExp({ data: Float64Array.from(f32.data), shape: logits.shape }).data;
    const narrow = logSumExp(f32).data;
    for (let r = 0; r < rows; r++) {
      expect(Math.abs(wide.data[r] - exact[r])).toBeLessThan(1e-6 * Math.abs(exact[r]));
      expect(Math.abs(wide.data[r] - exact[r])).toBeLessThanOrEqual(Math.abs(narrow[r] - exact[r]) + 1e-7);
    }
    expect(() => logSumExp(f32, { dtype: 'float32' } as never)).toThrow(/options.dtype must be 'float64'/);
  });

  it("every target ignored: meanDivisor is 0, and a divisor of 0 gives what 'mean' gives (NaN, gradient 0)", () => {
    const ignored = new Int32Array(rows).fill(-100);
    expect(meanDivisor(ignored)).toBe(0);
    const mean = crossEntropyWithGrad(logits, ignored, { lseSquareScale: 0.1 });
    const divided = crossEntropyWithGrad(logits, ignored, {
      reduction: 'sum',
      divisor: meanDivisor(ignored),
      lseSquareScale: 0.1,
      zLossDivisor: meanDivisor(ignored),
    });
    expect([mean.loss, divided.loss, mean.zLoss, divided.zLoss]).toEqual([NaN, NaN, NaN, NaN]);
    expect(Array.from(divided.grad.data)).toEqual(new Array(rows * classes).fill(0));
    expect(Array.from(mean.grad.data)).toEqual(new Array(rows * classes).fill(0));
  });

  it('meanDivisor is what mean divides by', () => {
    const weight = Float64Array.from({ length: classes }, (_, c) => 0.5 + c / 4);
    expect(meanDivisor(target)).toBe(4);
    expect(meanDivisor(target, { weight })).toBeCloseTo(weight[0] + weight[8] + weight[4] + weight[2], 12);
    const sum = crossEntropy(logits, target, { weight, reduction: 'sum' }) as number;
    expect(crossEntropy(logits, target, { weight })).toBeCloseTo(sum / meanDivisor(target, { weight }), 12);
    expect(meanDivisor({ data: Int32Array.from([1, -100, 2, 3]), shape: [2, 2] })).toBe(3);
  });
});

describe('crossEntropy: bad language-model options are named errors, and nothing is written', () => {
  const before = data.slice();
  const probabilities = { data: Float64Array.from(data, () => 1 / classes), shape: logits.shape };
  it.each([
    [
      'softcap 0',
      () => crossEntropy(logits, target, { softcap: 0 }),
      RangeError,
      /options.softcap must be a finite number > 0/,
    ],
    ['softcap −1', () => crossEntropy(logits, target, { softcap: -1 }), RangeError, /softcap/],
    [
      'softcap "2"',
      () => crossEntropy(logits, target, { softcap: '2' as never }),
      TypeError,
      /softcap must be a number/,
    ],
    ['lseSquareScale −1', () => crossEntropy(logits, target, { lseSquareScale: -1 }), RangeError, /lseSquareScale/],
    ['divisor −1', () => crossEntropy(logits, target, { reduction: 'sum', divisor: -1 }), RangeError, /divisor/],
    [
      'divisor null',
      () => crossEntropy(logits, target, { reduction: 'sum', divisor: null as never }),
      TypeError,
      /options.divisor must be a number, received null/,
    ],
    [
      'zLossDivisor without divisor',
      () => crossEntropy(logits, target, { reduction: 'sum', lseSquareScale: 0.1, zLossDivisor: 2 }),
      TypeError,
      /zLossDivisor divides the z-loss of a call given options.divisor, which is missing/,
    ],
    [
      'divisor with mean',
      () => crossEntropy(logits, target, { divisor: 2 }),
      RangeError,
      /divisor needs reduction: 'sum'/,
    ],
    [
      'vocabStart −1',
      () => crossEntropy(logits, target, { vocabStart: -1, lse: new Float64Array(rows) }),
      RangeError,
      /vocabStart must be ≥ 0/,
    ],
    [
      'vocabStart 1.5',
      () => crossEntropy(logits, target, { vocabStart: 1.5, lse: new Float64Array(rows) }),
      TypeError,
      /vocabStart must be an integer/,
    ],
    [
      'vocabStart without lse',
      () => crossEntropy(logits, target, { vocabStart: 9 }),
      TypeError,
      /vocabStart needs options.lse/,
    ],
    [
      'lse of the wrong length',
      () => crossEntropy(logits, target, { lse: new Float64Array(3), vocabSize: classes }),
      RangeError,
      /lse must hold one log-sum-exp per row \(5\)/,
    ],
    [
      'lse of the wrong shape',
      () =>
        crossEntropy(logits, target, {
          lse: { data: new Float64Array(rows), shape: [1, rows] } as never,
          vocabSize: classes,
        }),
      RangeError,
      /options.lse must be shaped like the loss per row \[5\], received \[1, 5\]/,
    ],
    [
      'a shard of unknown vocabulary',
      () => crossEntropy(logits, target, { lse: new Float64Array(rows), vocabStart: 0 }),
      TypeError,
      /a vocabulary shard \(options.lse given\) needs options.vocabSize.*received neither/,
    ],
    [
      'lse of the wrong dtype',
      () => crossEntropy(logits, target, { lse: new Float32Array(rows) }),
      TypeError,
      /options.lse must be a Float64Array \(or/,
    ],
    [
      'a vocabulary smaller than the shard',
      () => crossEntropy(logits, target, { lse: new Float64Array(rows), vocabStart: 4, vocabSize: 10 }),
      RangeError,
      /vocabulary \(10\) must hold/,
    ],
    [
      'smoothing a shard of unknown vocabulary',
      () => crossEntropy(logits, target, { lse: new Float64Array(rows), labelSmoothing: 0.1 }),
      TypeError,
      /needs options.vocabSize/,
    ],
    [
      'z-loss with probabilities',
      () => crossEntropy(logits, probabilities, { lseSquareScale: 0.1 }),
      TypeError,
      /lseSquareScale needs class-index targets/,
    ],
    [
      'accumulate without out',
      () => crossEntropyWithGrad(logits, target, { accumulate: true }),
      TypeError,
      /accumulate adds the gradient into options.out/,
    ],
    [
      'returnLse on crossEntropy',
      () => crossEntropy(logits, target, { returnLse: true } as never),
      TypeError,
      /unknown option "returnLse"/,
    ],
    [
      'safe "yes"',
      () => crossEntropy(logits, target, { safe: 'yes' as never }),
      TypeError,
      /options.safe must be a boolean/,
    ],
  ] as const)('%s', (_, call, Type, message) => {
    expect(call).toThrow(Type);
    expect(call).toThrow(message);
    expect(Array.from(data)).toEqual(Array.from(before));
  });

  it('a target beyond the shard is fine, beyond the vocabulary is not', () => {
    const lse = new Float64Array(rows);
    expect(() => crossEntropy(logits, [0, 30, -100, 4, 2], { lse, vocabStart: 20, vocabSize: 40 })).not.toThrow();
    expect(() => crossEntropy(logits, [0, 40, -100, 4, 2], { lse, vocabStart: 20, vocabSize: 40 })).toThrow(
      /target\[1\] = 40 is out of range.*\[0, 40\)/,
    );
    // the vocabulary's size from a weight for the whole of it
    const weight = new Float64Array(40).fill(1);
    expect(() => crossEntropy(logits, [0, 40, -100, 4, 2], { lse, vocabStart: 20, weight })).toThrow(
      /target\[1\] = 40 is out of range.*\[0, 40\)/,
    );
  });
});
