import { inHalfAwareCall } from '../core/half.js';
import { readOptions } from '../core/validate.js';
import { alongDim, runAlongDim } from '../families/along-dim.js';
import type { FloatArray, SoftmaxOptions, Tensor } from '../types.js';

/**
 * `F.softmax(input, dim)`: exp(x − max) / Σ exp(x − max) along `dim`, with the input's shape and dtype.
 * `out` (the input's dtype and length; it may be `input.data`) receives the result, with no copy where both
 * live in WebAssembly memory.
 * @throws TypeError for a non-float input or `out`; RangeError for a shape that does not match the data, a dim
 * out of range, or an `out` of the wrong length or overlapping the input other than exactly.
 */
export function softmax<T extends FloatArray>(input: Tensor<T>, options?: SoftmaxOptions<T>): Tensor<T> {
  return inHalfAwareCall(() => {
    const { dim = -1, out } = readOptions('softmax', options, ['dim', 'out']);
    const layout = alongDim('softmax', input, dim);
    return { data: runAlongDim('softmax', 'softmax', layout, 'element', out) as T, shape: layout.shape };
  });
}
