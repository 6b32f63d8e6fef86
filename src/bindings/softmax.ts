import { softmaxAlong } from '../families/along-dim.js';
import type { FloatArray, SoftmaxOptions, Tensor, TensorLike } from '../types.js';

/**
 * `F.softmax(input, dim)`: exp(x − max) / Σ exp(x − max) along `dim`, with the input's shape and dtype.
 * `out` (the input's dtype and length; it may be `input.data`) receives the result, with no copy where both
 * live in WebAssembly memory.
 * @throws TypeError for a non-float input or `out`; RangeError for a shape that does not match the data, a dim
 * out of range, or an `out` of the wrong length or overlapping the input other than exactly.
 * @param input - a float tensor of any shape.
 * @param options - {@link SoftmaxOptions}: `dim` (-1) and `out`.
 * @returns a Tensor of the input's shape and dtype (whose data is `out` when given).
 * @example
 * ```ts
 * const logits = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * const probabilities = softmax(logits).data;
 * console.log(Array.from(probabilities, (v) => v.toFixed(4)).join(' ')); // → 0.6590 0.2424 0.0986 0.1086 0.8025 0.0889
 * ```
 * @group Functions
 */
export function softmax<T extends FloatArray>(input: TensorLike<T>, options?: SoftmaxOptions<T>): Tensor<T> {
  return softmaxAlong('softmax', input, options);
}
