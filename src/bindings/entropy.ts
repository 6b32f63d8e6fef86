import { inHalfAwareCall } from '../core/half.js';
import { elementName, readOptions } from '../core/validate.js';
import { alongDim, runAlongDim } from '../families/along-dim.js';
import type { DimOptions, FloatArray, Tensor, TensorLike } from '../types.js';

/**
 * Shannon entropy along `dim`, as `torch.distributions.Categorical(probs=p).entropy()`: each
 * distribution is first normalised to sum to 1, and p·log p is taken as 0 where p = 0 (PyTorch clamps
 * p to [ε, 1 − ε] inside the log, so a one-hot row has entropy ε, not exactly 0).
 * @throws RangeError for a negative probability or a 0-dim input (PyTorch rejects both); a row summing to 0 gives NaN.
 * @param input - probabilities (each distribution along `dim`), any shape but 0-dim.
 * @param options - {@link DimOptions}: `dim` (-1).
 * @returns a Tensor of the input's shape without `dim`.
 * @example
 * ```ts
 * const p = { data: Float32Array.of(0.5, 0.25, 0.25), shape: [3] };
 * console.log(Array.from(entropy(p).data, (v) => v.toFixed(4)).join(' ')); // → 1.0397
 * ```
 * @group Functions
 */
export function entropy<T extends FloatArray>(input: TensorLike<T>, options?: DimOptions): Tensor<T> {
  return inHalfAwareCall(() => {
    const { dim = -1 } = readOptions('entropy', options, ['dim']);
    const layout = alongDim('entropy', input, dim);
    const { data, shape } = layout;
    if (shape.length === 0) {
      throw new RangeError('entropy: input must have at least one dim (the distribution), received a 0-dim tensor');
    }
    for (let i = 0; i < data.length; i++) {
      if (data[i] < 0) {
        throw new RangeError(
          `entropy: ${elementName('input', i, shape)} = ${data[i]} is negative: probabilities must be ≥ 0`,
        );
      }
    }
    return {
      data: runAlongDim('entropy', 'entropy', layout, 'row') as T,
      shape: shape.filter((_, d) => d !== layout.dim),
    };
  });
}
