// linearCrossEntropy's edge cases as PyTorch has them, and its destinations held to the overlap rules.
import { beforeAll, describe, expect, it } from 'vitest';
import * as x from '../../src/index.js';

beforeAll(() => x.init());

describe('linearCrossEntropy at the edges', () => {
  it('d = 0: every logit is 0 (no bias), so each row costs log V, as F.cross_entropy(F.linear(…)) gives', () => {
    const input = { data: new Float64Array(0), shape: [3, 0] };
    const weight = { data: new Float64Array(0), shape: [7, 0] };
    expect(x.linearCrossEntropy(input, weight, [0, 3, 6])).toBeCloseTo(Math.log(7), 15);
    const r = x.linearCrossEntropyWithGrad(input, weight, [0, 3, 6], { reduction: 'sum' });
    expect(r.loss).toBeCloseTo(3 * Math.log(7), 14);
    expect(r.gradInput.data.length).toBe(0);
  });

  it('N = 0: zero gradients for the weight and bias (not leftover memory), NaN for the mean', () => {
    const input = { data: new Float32Array(0), shape: [0, 4] };
    const weight = { data: Float32Array.from({ length: 20 }, (_, i) => i), shape: [5, 4] };
    // leave junk in the scratch first
    x.linearCrossEntropyWithGrad({ data: new Float32Array(8).fill(3), shape: [2, 4] }, weight, [1, 2]);
    const r = x.linearCrossEntropyWithGrad(input, weight, [], { linearBias: new Float32Array(5).fill(1) });
    expect(r.loss).toBeNaN();
    expect(Array.from(r.gradWeight.data)).toEqual(new Array(20).fill(0));
    expect(Array.from(r.gradBias?.data ?? [])).toEqual(new Array(5).fill(0));
  });

  it('destinations that overlap each other are refused, with nothing written', () => {
    const input = { data: new Float32Array(8).fill(0.5), shape: [2, 4] };
    const weight = { data: new Float32Array(8).fill(0.25), shape: [2, 4] };
    const shared = new Float32Array(16).fill(7);
    const call = () =>
      x.linearCrossEntropyWithGrad(input, weight, [0, 1], {
        gradInputOut: shared.subarray(0, 8),
        gradWeightOut: shared.subarray(4, 12),
      });
    expect(call).toThrow(/options\.gradWeightOut overlaps options\.gradInputOut|gradInputOut overlaps/);
    expect(call).toThrow(RangeError);
    expect(Array.from(shared)).toEqual(new Array(16).fill(7));
    expect(() =>
      x.linearCrossEntropyWithGrad(input, weight, [0, 1], {
        gradInputOut: shared.subarray(0, 8),
        gradWeightOut: shared.subarray(0, 8),
      }),
    ).toThrow(RangeError);
  });

  it('accumulate adds into gradBiasOut as into gradWeightOut', () => {
    const input = { data: Float64Array.from([0.1, -0.2, 0.3, 0.4]), shape: [2, 2] };
    const weight = { data: Float64Array.from([0.5, -0.5, 0.25, 1, -1, 0]), shape: [3, 2] };
    const bias = Float64Array.from([0.1, 0, -0.1]);
    const fresh = x.linearCrossEntropyWithGrad(input, weight, [2, 0], { linearBias: bias });
    const gradBiasOut = Float64Array.from([1, 2, 3]);
    x.linearCrossEntropyWithGrad(input, weight, [2, 0], {
      linearBias: bias,
      gradWeightOut: new Float64Array(6),
      gradBiasOut,
      accumulate: true,
    });
    const expected = Array.from(fresh.gradBias?.data ?? [], (g, i) => g + [1, 2, 3][i]);
    for (let i = 0; i < 3; i++) expect(gradBiasOut[i]).toBeCloseTo(expected[i], 14);
  });
});
