// Functions along a dim (softmax, logSoftmax, logSumExp, entropy) and elementwise functions of one tensor (sigmoid,
// logSigmoid, as rows of one element): the input read, the row kernel run over (outer, cols, inner).
import { Handoff } from '../core/direct.js';
import { inHalfAwareCall } from '../core/half.js';
import { type Output, run } from '../core/pipeline/index.js';
import { checkOut, describe, floatTensor, normalizeDim, product, readOptions } from '../core/validate.js';
import type { FloatArray, Tensor } from '../types.js';
import { directRows } from './direct-rows.js';

/** A float input along `dim`: (outer, size, inner) around it (a 0-dim input is one element along dim 0). */
export function alongDim(caller: string, input: unknown, dim: unknown) {
  const x = floatTensor(caller, 'input', input);
  const d = normalizeDim(caller, dim, x.shape.length);
  const dims = x.shape.length === 0 ? [1] : x.shape;
  // (object spreads are slow in V8: these objects are built on every call)
  const [outer, cols, inner] = [product(dims.slice(0, d)), dims[d], product(dims.slice(d + 1))];
  return { data: x.data, shape: x.shape, size: x.size, dim: d, outer, cols, inner };
}

/** Runs a row kernel along the dim: one value per row, or one per element (into `out` when given). */
export function runAlongDim(
  caller: string,
  kernel: 'softmax' | 'logSoftmax' | 'logSumExp' | 'logSumExpWide' | 'entropy' | 'sigmoid' | 'logSigmoid',
  layout: ReturnType<typeof alongDim>,
  per: 'row' | 'element',
  out?: unknown,
  type?: Output['type'],
): FloatArray {
  const into = per === 'element' ? checkOut(caller, out, layout.data) : undefined;
  const { outputs } = run({
    caller,
    kernel,
    input: layout.data,
    outer: layout.outer,
    cols: layout.cols,
    inner: layout.inner,
    inPlace: true,
    outputs: { out: { per, into, given: out, type } },
  });
  return outputs.out;
}

const SOFTMAX_OPTIONS = ['dim', 'out'] as const;
const NO_KEYS = [] as const;

/** softmax or logSoftmax along `options.dim`: the direct path for a small call, else the pipeline. */
export function softmaxAlong<T extends FloatArray>(
  caller: 'softmax' | 'logSoftmax',
  input: unknown,
  options: unknown,
): Tensor<T> {
  const o = readOptions(caller, options, SOFTMAX_OPTIONS);
  const direct = directRows(caller, input, o);
  if (!(direct instanceof Handoff)) return direct as Tensor<T>;
  return inHalfAwareCall(() => {
    const layout = alongDim(caller, direct.args[0], o.dim === undefined ? -1 : o.dim);
    return { data: runAlongDim(caller, caller, layout, 'element', o.out) as T, shape: layout.shape };
  });
}

/** An elementwise function of a float tensor of any shape. */
export function elementwise<T extends FloatArray>(
  caller: 'sigmoid' | 'logSigmoid',
  input: unknown,
  extra: unknown,
): Tensor<T> {
  const direct =
    extra === undefined
      ? directRows(caller, input, readOptions(caller, undefined, NO_KEYS), false, true)
      : new Handoff([input]);
  if (!(direct instanceof Handoff)) return direct as Tensor<T>;
  return inHalfAwareCall(() => {
    const x = floatTensor<T>(caller, 'input', direct.args[0]);
    // (an `out` or `dim` passed here would otherwise be dropped without a word)
    if (extra !== undefined) throw new TypeError(`${caller}: takes no options, received ${describe(extra)}`);
    const layout = { data: x.data, shape: x.shape, size: x.size, dim: 0, outer: x.size, cols: 1, inner: 1 };
    const data = runAlongDim(caller, caller, layout, 'element');
    return { data: data as T, shape: x.shape };
  });
}
