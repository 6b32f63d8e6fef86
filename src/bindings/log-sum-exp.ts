import type { FloatArray, LogSumExpOptions, Tensor } from '../types.js';
import { layoutAlongDim, runAlongDim, tensorOf } from './common/along-dim.js';
import { checkBoolean, checkOptions } from './common/validate.js';

/**
 * `torch.logsumexp(input, dim, keepdim)`: max + log Σ exp(x − max) along `dim`. As in PyTorch a row
 * of −inf gives −inf, a row holding +inf gives +inf, and an empty dim gives −inf.
 * @throws TypeError for a non-float input; RangeError for a shape that does not match the data or a dim out of range.
 */
export function logSumExp<T extends FloatArray>(input: Tensor<T>, options?: LogSumExpOptions): Tensor<T> {
  const { dim = -1, keepdim } = checkOptions('logSumExp', options, ['dim', 'keepdim']);
  const layout = layoutAlongDim('logSumExp', input, dim);
  const keep = checkBoolean('logSumExp', 'keepdim', keepdim, false);
  const shape = layout.shape.length === 0 ? [] : layout.shape.slice();
  if (shape.length > 0) shape.splice(layout.dim, 1, ...(keep ? [1] : []));
  return tensorOf<T>(runAlongDim('logSumExp', 'logSumExp', layout), shape);
}
