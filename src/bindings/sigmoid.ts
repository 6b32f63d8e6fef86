import { elementwise } from '../families/along-dim.js';
import type { FloatArray, Tensor, TensorLike } from '../types.js';

/**
 * `torch.sigmoid`: 1 / (1 + exp(−x)) elementwise, with the input's shape and dtype (0 and 1 at the ends, no NaN).
 * @throws TypeError for a non-float input or any options; RangeError for a shape that does not match the data.
 * @param input - a float tensor of any shape.
 * @returns a Tensor of the input's shape and dtype.
 * @example
 * ```ts
 * const x = { data: Float32Array.of(-1, 0, 2), shape: [3] };
 * console.log(Array.from(sigmoid(x).data, (v) => v.toFixed(4)).join(' ')); // → 0.2689 0.5000 0.8808
 * ```
 * @group Functions
 */
export function sigmoid<T extends FloatArray>(input: TensorLike<T>): Tensor<T> {
  // biome-ignore lint/complexity/noArguments: a second argument is refused, not declared
  return elementwise<T>('sigmoid', input, arguments[1]);
}
