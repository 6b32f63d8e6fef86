import { elementwise } from '../families/along-dim.js';
import type { FloatArray, Tensor, TensorLike } from '../types.js';

/**
 * `F.logsigmoid`: log σ(x) = min(x, 0) − log1p(exp(−|x|)) elementwise, exact for large |x|.
 * @throws TypeError for a non-float input or any options; RangeError for a shape that does not match the data.
 * @param input - a float tensor of any shape.
 * @returns a Tensor of the input's shape and dtype.
 * @example
 * ```ts
 * const x = { data: Float32Array.of(-1, 0, 2), shape: [3] };
 * console.log(Array.from(logSigmoid(x).data, (v) => v.toFixed(4)).join(' ')); // → -1.3133 -0.6931 -0.1269
 * ```
 * @group Functions
 */
export function logSigmoid<T extends FloatArray>(input: TensorLike<T>): Tensor<T> {
  // biome-ignore lint/complexity/noArguments: a second argument is refused, not declared
  return elementwise<T>('logSigmoid', input, arguments[1]);
}
