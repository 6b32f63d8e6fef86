import { Handoff } from '../core/direct.js';
import { inHalfAwareCall } from '../core/half.js';
import { checkBoolean, describe, readOptions } from '../core/validate.js';
import { alongDim, runAlongDim } from '../families/along-dim.js';
import { directRows } from '../families/direct-rows.js';
import type { FloatArray, LogSumExpOptions, Tensor, TensorLike } from '../types.js';

/**
 * `torch.logsumexp(input, dim, keepdim)`: max + log Σ exp(x − max) along `dim`. As in PyTorch a row
 * of −inf gives −inf, a row holding +inf gives +inf, and an empty dim gives −inf.
 * @throws TypeError for a non-float input; RangeError for a shape that does not match the data or a dim out of range.
 * @param input - a float tensor of any shape.
 * @param options - {@link LogSumExpOptions}: `dim` (-1), `keepdim` (false), and `dtype: 'float64'` for a float64
 * result of a float32 input.
 * @returns a Tensor of the input's shape without `dim` (kept as 1 with `keepdim`).
 * @example
 * ```ts
 * const logits = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * console.log(Array.from(logSumExp(logits).data, (v) => v.toFixed(4)).join(' ')); // → 2.4170 2.7200
 * ```
 * @group Functions
 */
export function logSumExp<T extends FloatArray>(
  input: TensorLike<T>,
  options?: LogSumExpOptions & { dtype?: undefined },
): Tensor<T>;
export function logSumExp(input: TensorLike, options: LogSumExpOptions & { dtype: 'float64' }): Tensor<Float64Array>;
export function logSumExp(input: TensorLike, options?: LogSumExpOptions): Tensor<FloatArray> {
  const o = readOptions('logSumExp', options, ['dim', 'keepdim', 'dtype']);
  const plain = o.keepdim === undefined && o.dtype === undefined;
  const direct = plain ? directRows('logSumExp', input, o, true) : new Handoff([input]);
  if (!(direct instanceof Handoff)) return direct;
  return inHalfAwareCall(() => {
    const { dim = -1, keepdim, dtype } = o;
    const layout = alongDim('logSumExp', direct.args[0], dim);
    const keep = checkBoolean('logSumExp', 'keepdim', keepdim, false);
    if (dtype !== undefined && dtype !== 'float64') {
      throw new TypeError(`logSumExp: options.dtype must be 'float64' when given, received ${describe(dtype)}`);
    }
    const shape = layout.shape.slice();
    if (shape.length > 0) shape.splice(layout.dim, 1, ...(keep ? [1] : []));
    // float64 out of float32 input: the row's max plus the log of its float64 sum, neither rounded to float32
    const wide = dtype === 'float64' && layout.data instanceof Float32Array;
    const data = wide
      ? runAlongDim('logSumExp', 'logSumExpWide', layout, 'row', undefined, 'float64')
      : runAlongDim('logSumExp', 'logSumExp', layout, 'row');
    return { data, shape };
  });
}
