import type { FloatArray, SoftmaxOptions, Tensor } from '../types.js';
import { layoutAlongDim, runAlongDim, tensorOf } from './common/along-dim.js';
import { checkOptions, checkOut } from './common/validate.js';

/**
 * `F.log_softmax(input, dim)`: (x − max) − log Σ exp(x − max) along `dim`, never through a softmax.
 * `out` (the input's dtype and length; it may be `input.data`) receives the result, with no copy where both
 * live in WebAssembly memory.
 * @throws TypeError for a non-float input or `out`; RangeError for a shape that does not match the data, a dim
 * out of range, or an `out` of the wrong length.
 */
export function logSoftmax<T extends FloatArray>(input: Tensor<T>, options?: SoftmaxOptions<T>): Tensor<T> {
  const { dim = -1, out } = checkOptions('logSoftmax', options, ['dim', 'out']);
  const layout = layoutAlongDim('logSoftmax', input, dim);
  const target = out === undefined ? undefined : checkOut('logSoftmax', out, layout.data);
  return tensorOf<T>(runAlongDim('logSoftmax', 'logSoftmax', layout, target), layout.shape);
}
