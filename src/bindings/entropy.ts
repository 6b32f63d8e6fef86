import type { DimOptions, FloatArray, Tensor } from '../types.js';
import { layoutAlongDim, runAlongDim, tensorOf } from './common/along-dim.js';
import { checkOptions, elementName } from './common/validate.js';

/**
 * Shannon entropy along `dim`, as `torch.distributions.Categorical(probs=p).entropy()`: each
 * distribution is first normalised to sum to 1, and p·log p is taken as 0 where p = 0 (PyTorch clamps
 * p to [ε, 1 − ε] inside the log, so a one-hot row has entropy ε, not exactly 0).
 * @throws RangeError for a negative probability (PyTorch rejects it too); a row summing to 0 gives NaN.
 */
export function entropy<T extends FloatArray>(input: Tensor<T>, options?: DimOptions): Tensor<T> {
  const { dim = -1 } = checkOptions('entropy', options, ['dim']);
  const layout = layoutAlongDim('entropy', input, dim);
  const { data, shape } = layout;
  for (let i = 0; i < data.length; i++) {
    if (data[i] < 0) {
      throw new RangeError(`entropy: ${elementName('input', i, shape)} = ${data[i]} is negative: probabilities must be ≥ 0`);
    }
  }
  const outShape = shape.filter((_, d) => d !== layout.dim);
  return tensorOf<T>(runAlongDim('entropy', 'entropy', layout), outShape);
}
