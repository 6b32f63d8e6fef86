// A call's cost is bounded by its elements: shapes that hold nothing return at once (or throw a RangeError for a
// result no typed array can hold), however large their other dims. Each call runs under a 50 ms watchdog.
import { beforeAll, describe, expect, it } from 'vitest';
import * as x from '../../src/index.js';

beforeAll(() => x.init());

/** Runs `call` and returns how long it took, in ms. */
function timed(call: () => unknown): number {
  const start = performance.now();
  try {
    call();
  } catch (error) {
    if (!(error instanceof RangeError || error instanceof TypeError)) throw error;
  }
  return performance.now() - start;
}

const empty = (shape: number[]) => ({ data: new Float32Array(0), shape });

describe('shapes that hold nothing', () => {
  it('softmax and logSoftmax of [2^40, 2^40, 0] return an empty result at once', () => {
    for (const f of [x.softmax, x.logSoftmax]) {
      expect(timed(() => expect(f(empty([2 ** 40, 2 ** 40, 0])).data.length).toBe(0))).toBeLessThan(50);
    }
    expect(timed(() => x.softmax(empty([2 ** 24, 0])))).toBeLessThan(50);
  });

  it('logSumExp over an empty dim with 2^80 rows is a RangeError (no typed array holds the result), at once', () => {
    expect(() => x.logSumExp(empty([2 ** 40, 2 ** 40, 0]))).toThrow(RangeError);
    expect(timed(() => x.logSumExp(empty([2 ** 40, 2 ** 40, 0])))).toBeLessThan(50);
  });

  it('tokenLogProbs and perplexity with shift and a position dim of 0 return at once', () => {
    const logits = empty([2, 0, 5]);
    const target = { data: new Int32Array(0), shape: [2, 0] };
    expect(timed(() => expect(x.tokenLogProbs(logits, target, { shift: true }).shape).toEqual([2, 0]))).toBeLessThan(
      50,
    );
    expect(timed(() => expect(x.perplexity(logits, target, { shift: true })).toBeNaN())).toBeLessThan(50);
  });

  it('crossEntropy on 2^32 rows of no classes with probability targets: NaN for mean, 0 for sum, at once', () => {
    // (rows of no elements run once and repeat; 'mean' divides by numel / C = 0 / 0, as PyTorch)
    const rows = empty([2 ** 32, 0]);
    expect(timed(() => expect(x.crossEntropy(rows, empty([2 ** 32, 0]))).toBeNaN())).toBeLessThan(50);
    const sum = () => x.crossEntropyWithGrad(rows, empty([2 ** 32, 0]), { reduction: 'sum' });
    expect(timed(() => expect(sum().loss).toBe(0))).toBeLessThan(50);
    const out = new Float32Array(0);
    expect(x.crossEntropyWithGrad(rows, empty([2 ** 32, 0]), { reduction: 'sum', out }).grad.data).toBe(out);
  });
});
