// Plain numbers where PyTorch takes a 0-dim tensor: the target of an unbatched (C) input, and the binary losses'
// `weight` and `posWeight`. Each must give exactly what the same value as a Tensor or a full array gives.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithGrad,
  binaryCrossEntropyWithLogits,
  binaryCrossEntropyWithLogitsWithGrad,
  crossEntropy,
  crossEntropyWithGrad,
  init,
  nllLoss,
} from '../../src/index.js';

beforeAll(() => init({ warnings: false }));

describe('a plain number is a 0-dim class-index target', () => {
  const row = { data: Float64Array.of(1.5, -0.5, 3, 0), shape: [4] };

  it('for a (C) input, as PyTorch takes torch.tensor(2)', () => {
    const tensor = { data: [2], shape: [] };
    expect(crossEntropy(row, 2)).toBe(crossEntropy(row, tensor));
    expect(crossEntropyWithGrad(row, 2, { labelSmoothing: 0.2 })).toEqual(
      crossEntropyWithGrad(row, tensor, { labelSmoothing: 0.2 }),
    );
    const none = nllLoss(row, 1, { reduction: 'none' });
    expect(none.shape).toEqual([]);
    expect(Array.from(none.data)).toEqual([0.5]);
    expect(crossEntropy(row, -100)).toBeNaN(); // ignored, as PyTorch's mean over no targets
  });

  it('refused where the target needs a shape, and out of range as an index is', () => {
    expect(() => crossEntropy({ data: new Float32Array(6), shape: [2, 3] }, 1)).toThrow(
      /crossEntropy: class-index target must have shape \[2\] .*received \[\]/,
    );
    expect(() => crossEntropy(row, 4)).toThrow(RangeError);
    expect(() => crossEntropy(row, 1.5)).toThrow(/target = 1.5 is not an integer class index/);
  });
});

describe('a plain number is a 0-dim weight or posWeight', () => {
  const shape = [2, 3];
  const logits = { data: Float32Array.of(-2, 0.5, 3, 1, -1, 0), shape };
  const target = { data: Float32Array.of(0, 1, 1, 0.25, 0, 1), shape };
  const probs = { data: logits.data.map((v) => 1 / (1 + Math.exp(-v))), shape };

  it('posWeight: 3 is [3, 3, 3], and a weight of 2 is 2 everywhere, with every reduction and the gradient', () => {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const numbers = { reduction, posWeight: 3, weight: 2 };
      const arrays = { reduction, posWeight: [3, 3, 3], weight: { data: [2], shape: [1, 1] } };
      expect(binaryCrossEntropyWithLogits(logits, target, numbers)).toEqual(
        binaryCrossEntropyWithLogits(logits, target, arrays),
      );
      expect(binaryCrossEntropyWithLogitsWithGrad(logits, target, numbers)).toEqual(
        binaryCrossEntropyWithLogitsWithGrad(logits, target, arrays),
      );
      expect(binaryCrossEntropy(probs, target, { reduction, weight: 2 })).toEqual(
        binaryCrossEntropy(probs, target, { reduction, weight: [2, 2, 2, 2, 2, 2] }),
      );
      expect(binaryCrossEntropyWithGrad(probs, target, { reduction, weight: 0.5 })).toEqual(
        binaryCrossEntropyWithGrad(probs, target, { reduction, weight: { data: [0.5], shape: [] } }),
      );
    }
  });

  it('a 0-dim weight scales the loss: 2 · the unweighted loss, exactly (a power of two)', () => {
    expect(binaryCrossEntropy(probs, target, { weight: 2, reduction: 'sum' })).toBe(
      2 * binaryCrossEntropy(probs, target, { reduction: 'sum' }),
    );
  });

  it('a non-number is still a TypeError naming the option', () => {
    expect(() => binaryCrossEntropyWithLogits(logits, target, { posWeight: '3' } as never)).toThrow(
      /binaryCrossEntropyWithLogits: options\.posWeight must be a number, a Float32Array/,
    );
  });
});
