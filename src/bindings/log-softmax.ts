import { softmaxAlong } from '../families/along-dim.js';
import type { FloatArray, SoftmaxOptions, Tensor, TensorLike } from '../types.js';

/**
 * `F.log_softmax(input, dim)`: (x − max) − log Σ exp(x − max) along `dim`, never through a softmax, so large
 * logits stay exact. `out` as for `softmax`.
 * @throws as `softmax`.
 * @param input - a float tensor of any shape.
 * @param options - {@link SoftmaxOptions}: `dim` (-1) and `out`.
 * @returns a Tensor of the input's shape and dtype (whose data is `out` when given).
 * @example
 * ```ts
 * const logits = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * const lp = logSoftmax(logits).data;
 * console.log(Array.from(lp, (v) => v.toFixed(4)).join(' ')); // → -0.4170 -1.4170 -2.3170 -2.2200 -0.2200 -2.4200
 * ```
 * @group Functions
 */
export function logSoftmax<T extends FloatArray>(input: TensorLike<T>, options?: SoftmaxOptions<T>): Tensor<T> {
  return softmaxAlong('logSoftmax', input, options);
}
