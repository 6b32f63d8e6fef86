import type { DimOptions, FloatArray, Tensor } from '../types.js';
import { layoutAlongDim, runAlongDim, tensorOf } from './common/along-dim.js';
import { checkOptions } from './common/validate.js';

/**
 * `F.log_softmax(input, dim)`: (x − max) − log Σ exp(x − max) along `dim`, never through a softmax.
 * @throws TypeError for a non-float input; RangeError for a shape that does not match the data or a dim out of range.
 */
export function logSoftmax<T extends FloatArray>(input: Tensor<T>, options?: DimOptions): Tensor<T> {
  const { dim = -1 } = checkOptions('logSoftmax', options, ['dim']);
  const layout = layoutAlongDim('logSoftmax', input, dim);
  return tensorOf<T>(runAlongDim('logSoftmax', 'logSoftmax', layout), layout.shape);
}
