import { inHalfAwareCall } from '../core/half.js';
import { elementwise } from '../families/along-dim.js';
import type { FloatArray, Tensor } from '../types.js';

/**
 * `F.logsigmoid`: log σ(x) = min(x, 0) − log1p(exp(−|x|)) elementwise, exact for large |x|.
 * @throws TypeError for a non-float input or any options; RangeError for a shape that does not match the data.
 */
export function logSigmoid<T extends FloatArray>(input: Tensor<T>): Tensor<T> {
  return inHalfAwareCall(() => {
    // biome-ignore lint/complexity/noArguments: a second argument is refused, not declared
    return elementwise<T>('logSigmoid', 'logSigmoid', input, arguments[1]);
  });
}
