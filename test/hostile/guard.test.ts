// The raw-logits guard: crossEntropy given rows that are probability distributions (a softmax applied first), or
// nllLoss given values that cannot be log-probabilities, warns once per process; init({ warnings: false })
// silences it. The order of the tests matters: each warning is said once per process.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as x from '../../src/index.js';

beforeAll(() => x.init());
afterEach(() => vi.restoreAllMocks());

const logits = { data: Float32Array.from([2, 1, 0.1, 0.5, 2.5, 0.3]), shape: [2, 3] };
const probabilities = x.softmax; // applied in the tests, after init
const warnings = () => {
  const spy = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  return () => spy.mock.calls.map((c) => String(c[0]));
};

describe('crossEntropy given probabilities', () => {
  it('says nothing when silenced, then warns once when turned back on; never for logits', async () => {
    const said = warnings();
    const p = probabilities(logits);
    await x.init({ warnings: false });
    x.crossEntropy(p, [0, 1]);
    expect(said()).toEqual([]);
    await x.init({ warnings: true });
    x.crossEntropy(logits, [0, 1]);
    x.crossEntropyWithGrad(logits, { data: p.data, shape: [2, 3] });
    expect(said()).toEqual([]);
    x.crossEntropy(p, [0, 1]);
    x.crossEntropyWithGrad(p, [0, 1]);
    expect(said()).toHaveLength(1);
    expect(said()[0]).toMatch(/^xentropy: crossEntropy received rows that look like probabilities/);
    expect(said()[0]).toMatch(/applied twice/);
    expect(said()[0]).toMatch(/Pass the raw logits/);
  });

  it('the example of the primer: the loss of softmax outputs is not the loss the user meant', () => {
    const meant = x.crossEntropy({ data: Float32Array.from([0.7, 0.2, 0.1].map(Math.log)), shape: [1, 3] }, [0]);
    const got = x.crossEntropy({ data: Float32Array.from([0.7, 0.2, 0.1]), shape: [1, 3] }, [0]);
    expect([meant.toFixed(3), got.toFixed(3)]).toEqual(['0.357', '0.768']);
  });
});

describe('nllLoss given values that are not log-probabilities', () => {
  it('warns once for probabilities (the class dim not last too); never for log-probabilities', () => {
    const said = warnings();
    x.nllLoss(x.logSoftmax(logits), [0, 1]);
    expect(said()).toEqual([]);
    const p = x.softmax(
      { data: Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), shape: [2, 3, 2] },
      { dim: 1 },
    );
    x.nllLoss(p, { data: [0, 1, 2, 0], shape: [2, 2] });
    x.nllLossWithGrad(p, { data: [0, 1, 2, 0], shape: [2, 2] });
    expect(said()).toHaveLength(1);
    expect(said()[0]).toMatch(/^xentropy: nllLoss received a positive value .* where log-probabilities \(all ≤ 0\)/);
  });
});

describe('klDiv given probabilities, not log-probabilities', () => {
  it("warns once, naming the value; never for log-probabilities; the loss is still PyTorch's", async () => {
    const said = warnings();
    const p = x.softmax(logits);
    const logQ = x.logSoftmax({ data: logits.data.map((v) => -v), shape: [2, 3] });
    x.klDiv(logQ, p, { reduction: 'batchmean' });
    x.klDivWithGrad(logQ, p);
    expect(said()).toEqual([]);
    await x.init({ warnings: false });
    x.klDiv(x.softmax(logQ), p);
    expect(said()).toEqual([]);
    await x.init({ warnings: true });
    const q = x.softmax(logQ);
    const got = x.klDiv(q, p, { reduction: 'sum' });
    x.klDivWithGrad(q, p);
    expect(said()).toHaveLength(1);
    expect(said()[0]).toMatch(
      /^xentropy: klDiv received a positive value \(0\.\d+\) in its input, which holds log-prob/,
    );
    // Σ p·(log p − q): what PyTorch returns for these arguments, warning or not
    const want = Array.from(p.data).reduce((s, pi, i) => s + pi * (Math.log(pi) - q.data[i]), 0);
    expect(got).toBeCloseTo(want, 5);
  });
});
