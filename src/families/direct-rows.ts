// Row kernels on the direct path (src/core/direct.ts): softmax, logSoftmax and logSumExp along the last dim,
// sigmoid and logSigmoid of every element, on plain values, with no option but `dim` (the last) and `out`.
import {
  asRead,
  callDirect,
  copyInto,
  copyOut,
  type DirectKernel,
  directBlock,
  directFloats,
  directKernel,
  directOut,
  Handoff,
  isWide,
  readPlainTensor,
} from '../core/direct.js';
import type { FloatArray, Tensor } from '../types.js';

type RowKernel = 'softmax' | 'logSoftmax' | 'logSumExp' | 'sigmoid' | 'logSigmoid';

const made: Partial<Record<RowKernel, DirectKernel>> = {};
const kernelOf = (kernel: RowKernel) => (made[kernel] ??= directKernel(kernel, ['x', 'rows', 'cols', 'out']));
const [X, OUT] = [0, 1];

/**
 * `kernel` on the direct path, or a Handoff of the input as read: along the last dim (`options.dim` left out, −1 or
 * the last), or of each element (`elementwise`: rows of one value). A per-row kernel's result drops the last dim.
 * `o` is the options read, of which the caller has checked that none but `dim` and `out` is given.
 */
export function directRows(
  kernel: RowKernel,
  input: unknown,
  o: Readonly<Record<string, unknown>>,
  perRow = false,
  elementwise = false,
): Tensor<FloatArray> | Handoff {
  const x = readPlainTensor(input);
  const b = directBlock();
  if (b === undefined || !directFloats(x, b) || x.dims.length === 0) return new Handoff([asRead(x, input)]);
  const { dims, data, size } = x;
  const { dim = -1, out } = o;
  if ((dim !== -1 && dim !== dims.length - 1) || (perRow && out !== undefined) || !directOut(out, data, b))
    return new Handoff([asRead(x, input)]);
  const cols = elementwise ? 1 : dims[dims.length - 1];
  const rows = size / cols;
  const wide = isWide(data);
  const [at, outAt] = [b.region(X), b.region(OUT)];
  copyInto(b, wide, data, at);
  callDirect(b, kernelOf(kernel), wide, [at, rows, cols, outAt]);
  // (the dims are this call's own copy: the result takes them)
  if (perRow) dims.pop();
  return { data: copyOut(b, wide, outAt, perRow ? rows : size, out as FloatArray | undefined), shape: dims };
}
