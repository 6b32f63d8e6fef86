import { alongDim, runAlongDim } from '../core/families.js';
import { checkBoolean, readOptions } from '../core/validate.js';
import type { FloatArray, LogSumExpOptions, Tensor } from '../types.js';

/**
 * `torch.logsumexp(input, dim, keepdim)`: max + log Σ exp(x − max) along `dim`. As in PyTorch a row
 * of −inf gives −inf, a row holding +inf gives +inf, and an empty dim gives −inf.
 * @throws TypeError for a non-float input; RangeError for a shape that does not match the data or a dim out of range.
 */
export function logSumExp<T extends FloatArray>(input: Tensor<T>, options?: LogSumExpOptions): Tensor<T> {
  const { dim = -1, keepdim } = readOptions('logSumExp', options, ['dim', 'keepdim']);
  const layout = alongDim('logSumExp', input, dim);
  const keep = checkBoolean('logSumExp', 'keepdim', keepdim, false);
  const shape = layout.shape.slice();
  if (shape.length > 0) shape.splice(layout.dim, 1, ...(keep ? [1] : []));
  return { data: runAlongDim('logSumExp', 'logSumExp', layout, 'row') as T, shape };
}
