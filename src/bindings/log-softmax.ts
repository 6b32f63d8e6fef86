import { inHalfAwareCall } from '../core/half.js';
import { readOptions } from '../core/validate.js';
import { alongDim, runAlongDim } from '../families/along-dim.js';
import type { FloatArray, SoftmaxOptions, Tensor } from '../types.js';

/**
 * `F.log_softmax(input, dim)`: (x − max) − log Σ exp(x − max) along `dim`, never through a softmax, so large
 * logits stay exact. `out` as for `softmax`.
 * @throws as `softmax`.
 */
export function logSoftmax<T extends FloatArray>(input: Tensor<T>, options?: SoftmaxOptions<T>): Tensor<T> {
  return inHalfAwareCall(() => {
    const { dim = -1, out } = readOptions('logSoftmax', options, ['dim', 'out']);
    const layout = alongDim('logSoftmax', input, dim);
    return { data: runAlongDim('logSoftmax', 'logSoftmax', layout, 'element', out) as T, shape: layout.shape };
  });
}
