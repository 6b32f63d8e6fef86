import type { FloatArray, SoftmaxOptions, Tensor } from '../types.js';
import { layoutAlongDim, runAlongDim, tensorOf } from './common/along-dim.js';
import { checkOptions, checkOut } from './common/validate.js';

/**
 * `F.softmax(input, dim)`: exp(x − max) / Σ exp(x − max) along `dim`, with the input's shape and dtype.
 * `out` (the input's dtype and length; it may be `input.data`) receives the result, with no copy where both
 * live in WebAssembly memory.
 * @throws TypeError for a non-float input or `out`; RangeError for a shape that does not match the data, a dim
 * out of range, or an `out` of the wrong length.
 */
export function softmax<T extends FloatArray>(input: Tensor<T>, options?: SoftmaxOptions<T>): Tensor<T> {
  const { dim = -1, out } = checkOptions('softmax', options, ['dim', 'out']);
  const layout = layoutAlongDim('softmax', input, dim);
  const target = out === undefined ? undefined : checkOut('softmax', out, layout.data);
  return tensorOf<T>(runAlongDim('softmax', 'softmax', layout, target), layout.shape);
}
