// CTC's bad input: each malformed argument is a TypeError or RangeError naming the function and the argument, and
// nothing is written (a target too long for its input is not malformed: its loss is infinite, as in PyTorch).
// Unnormalised log-probabilities get one warning.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ctcBeamSearch, ctcForcedAlign, ctcGreedyDecode, ctcLoss, ctcLossWithGrad, init } from '../../src/index.js';

beforeAll(() => init({ warnings: true }));

const [T, N, C] = [6, 2, 4];
const lp = () => ({ data: new Float32Array(T * N * C).fill(Math.log(1 / C)), shape: [T, N, C] });
const padded = () => ({ data: Int32Array.of(1, 2, 3, 3, 1, 0), shape: [2, 3] });

describe('ctcLoss and ctcLossWithGrad refuse malformed arguments, writing nothing', () => {
  const cases: [string, unknown[], unknown, RegExp][] = [
    [
      'a blank inside the targets',
      [lp(), { data: Int32Array.of(1, 0, 2, 1, 1, 1), shape: [2, 3] }, [6, 6], [3, 2]],
      undefined,
      /targets\[1\] is the blank \(0\)/,
    ],
    [
      'a label ≥ C',
      [lp(), { data: Int32Array.of(1, 4, 2, 1, 1, 1), shape: [2, 3] }, [6, 6], [3, 2]],
      undefined,
      /targets\[1\] must be a class in \[0, 4\)/,
    ],
    [
      'a blank ≥ C',
      [lp(), padded(), [6, 6], [3, 2]],
      { blank: 4 },
      /options\.blank must be a class in \[0, 4\), received 4/,
    ],
    ['a negative blank', [lp(), padded(), [6, 6], [3, 2]], { blank: -1 }, /options\.blank/],
    [
      'an input length > T',
      [lp(), padded(), [7, 6], [3, 2]],
      undefined,
      /inputLengths\[0\] must be an integer in \[0, 6\], received 7/,
    ],
    [
      'a negative target length',
      [lp(), padded(), [6, 6], [3, -1]],
      undefined,
      /targetLengths\[1\] must be an integer in \[0, 3\]/,
    ],
    [
      'a target length > S (padded)',
      [lp(), padded(), [6, 6], [4, 2]],
      undefined,
      /targetLengths\[0\] must be an integer in \[0, 3\]/,
    ],
    ['a fractional length', [lp(), padded(), [6, 5.5], [3, 2]], undefined, /inputLengths\[1\]/],
    ['too few input lengths', [lp(), padded(), [6], [3, 2]], undefined, /inputLengths must be \[2\], one per sequence/],
    ['too many target lengths', [lp(), padded(), [6, 6], [3, 2, 1]], undefined, /targetLengths must be \[2\]/],
    [
      'padded targets with a row too few',
      [lp(), { data: Int32Array.of(1, 2, 3), shape: [1, 3] }, [6, 6], [3, 2]],
      undefined,
      /one row per sequence \(2\)/,
    ],
    [
      'concatenated targets shorter than Σ lengths',
      [lp(), Int32Array.of(1, 2, 3, 3), [6, 6], [3, 2]],
      undefined,
      /hold 4 labels, fewer than Σ targetLengths = 5/,
    ],
    [
      'logProbs of 4 dims',
      [{ data: new Float32Array(48), shape: [2, 2, 3, 4] }, padded(), [6, 6], [3, 2]],
      undefined,
      /logProbs must be \(T, N, C\) or \(T, C\)/,
    ],
    [
      'int targets as floats',
      [lp(), Float32Array.of(1, 2, 3), [6, 6], [1, 2]],
      undefined,
      /targets must be class indices/,
    ],
    ['lengths as a string', [lp(), padded(), 'six', [3, 2]], undefined, /inputLengths must be lengths/],
    ['unknown option', [lp(), padded(), [6, 6], [3, 2]], { blanks: 0 }, /unknown option "blanks"/],
    [
      'zeroInfinity a number',
      [lp(), padded(), [6, 6], [3, 2]],
      { zeroInfinity: 1 },
      /options\.zeroInfinity must be a boolean/,
    ],
    ['reduction batchmean', [lp(), padded(), [6, 6], [3, 2]], { reduction: 'batchmean' }, /options\.reduction/],
  ];
  it.each(cases)('%s', (_, args, options, message) => {
    for (const fn of [ctcLoss, ctcLossWithGrad] as ((...a: unknown[]) => unknown)[]) {
      const out = new Float32Array(T * N * C).fill(7);
      const withOut = fn === ctcLossWithGrad ? { ...(options as object), out } : options;
      const error = (() => {
        try {
          fn(...args, withOut);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error, fn.name).toBeDefined();
      expect(error instanceof TypeError || error instanceof RangeError).toBe(true);
      expect(error?.message).toMatch(new RegExp(`^${fn.name}: `));
      expect(error?.message).toMatch(message);
      expect(out.every((v) => v === 7)).toBe(true);
    }
  });

  it('a target its input cannot hold is no error: an infinite loss, NaN gradient, or 0 with zeroInfinity', () => {
    const targets = { data: Int32Array.of(1, 1, 1, 2, 0, 0), shape: [2, 3] }; // 1 1 1 needs 5 frames
    const none = ctcLossWithGrad(lp(), targets, [4, 6], [3, 1], { reduction: 'none' });
    expect(none.loss.data[0]).toBe(Infinity);
    expect(Number.isFinite(none.loss.data[1])).toBe(true);
    expect(none.grad.data.subarray(0, C).every(Number.isNaN)).toBe(true);
    const zero = ctcLossWithGrad(lp(), targets, [4, 6], [3, 1], { reduction: 'none', zeroInfinity: true });
    expect(zero.loss.data[0]).toBe(0);
    for (let t = 0; t < T; t++)
      expect(Array.from(zero.grad.data.subarray(t * N * C, t * N * C + C))).toEqual([0, 0, 0, 0]);
  });

  it('warns once when the input is not normalised, and not for log-probabilities or fromLogits', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      ctcLoss(lp(), padded(), [6, 6], [3, 2]);
      ctcLoss({ data: new Float32Array(T * N * C).fill(0.5), shape: [T, N, C] }, padded(), [6, 6], [3, 2], {
        fromLogits: true,
      });
      expect(warn).not.toHaveBeenCalled();
      const logits = { data: new Float32Array(T * N * C).fill(0.5), shape: [T, N, C] };
      ctcLoss(logits, padded(), [6, 6], [3, 2]);
      ctcLossWithGrad(logits, padded(), [6, 6], [3, 2]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(
        /ctcLoss received a frame whose probabilities sum to 6\.595, not 1/,
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('reads each argument once: the caller’s arrays are left as they were', () => {
    const x = lp();
    const before = x.data.slice();
    const t = padded();
    ctcLossWithGrad(x, t, Int32Array.of(6, 6), Int32Array.of(3, 2));
    expect(x.data).toEqual(before);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 3, 1, 0]);
  });
});

describe('the alignment and the decoders refuse malformed arguments', () => {
  const one = () => ({ data: new Float64Array(T * C).fill(Math.log(1 / C)), shape: [T, C] });
  it.each([
    ['ctcForcedAlign', () => ctcForcedAlign(one(), [1, 1, 1, 1]), /targets need at least 7 frames .* logProbs has 6/],
    ['ctcForcedAlign', () => ctcForcedAlign(one(), [1, 0]), /targets\[1\] is the blank/],
    ['ctcForcedAlign', () => ctcForcedAlign(lp(), [1]), /logProbs must be \(T, C\) or \(1, T, C\)/],
    [
      'ctcForcedAlign',
      () => ctcForcedAlign(one(), { data: Int32Array.of(1, 2), shape: [2, 1] }),
      /targets must be \(L\) or \(1, L\)/,
    ],
    [
      'ctcGreedyDecode',
      () => ctcGreedyDecode(lp(), { inputLengths: [6] }),
      /options\.inputLengths must be \[2\], one per sequence/,
    ],
    [
      'ctcGreedyDecode',
      () => ctcGreedyDecode(lp(), { inputLengths: [6, 9] }),
      /options\.inputLengths\[1\] must be an integer in \[0, 6\]/,
    ],
    ['ctcGreedyDecode', () => ctcGreedyDecode(lp(), { blank: 4 }), /options\.blank/],
    [
      'ctcBeamSearch',
      () => ctcBeamSearch(one(), { beamWidth: 0 }),
      /options\.beamWidth must be an integer in \[1, 65536\]/,
    ],
    [
      'ctcBeamSearch',
      () => ctcBeamSearch(one(), { tokenLogPrior: [0, 0] }),
      /tokenLogPrior must have one value per class \(4\)/,
    ],
    [
      'ctcBeamSearch',
      () => ctcBeamSearch(one(), { tokenLogPrior: [0, Number.NaN, 0, 0] }),
      /tokenLogPrior must hold log-priors/,
    ],
    [
      'ctcBeamSearch',
      () => ctcBeamSearch(one(), { languageModel: 3 as never }),
      /options\.languageModel must be a function/,
    ],
    [
      'ctcBeamSearch',
      () => ctcBeamSearch(one(), { languageModel: () => Number.NaN }),
      /languageModel must return a log-score/,
    ],
    [
      'ctcBeamSearch',
      () => ctcBeamSearch(one(), { languageModel: () => '1' as never }),
      /languageModel must return a log-score/,
    ],
  ] as const)('%s: %s', (name, call, message) => {
    expect(call).toThrow(message);
    try {
      call();
    } catch (e) {
      expect(e instanceof TypeError || e instanceof RangeError).toBe(true);
      expect((e as Error).message.startsWith(`${name}: `)).toBe(true);
    }
  });
});
