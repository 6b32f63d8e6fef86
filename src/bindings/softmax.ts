import type { DimOptions, FloatArray, Tensor } from '../types.js';
import { layoutAlongDim, runAlongDim, tensorOf } from './common/along-dim.js';
import { checkOptions } from './common/validate.js';

/**
 * `F.softmax(input, dim)`: exp(x − max) / Σ exp(x − max) along `dim`, with the input's shape and dtype.
 * @throws TypeError for a non-float input; RangeError for a shape that does not match the data or a dim out of range.
 */
export function softmax<T extends FloatArray>(input: Tensor<T>, options?: DimOptions): Tensor<T> {
  const { dim = -1 } = checkOptions('softmax', options, ['dim']);
  const layout = layoutAlongDim('softmax', input, dim);
  return tensorOf<T>(runAlongDim('softmax', 'softmax', layout), layout.shape);
}
