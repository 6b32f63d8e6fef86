// crossEntropy on the direct path (src/core/direct.ts): logits (C) or (N, C) of plain values, class indices (a
// number[], an Int32Array or a Tensor of one) in range or ignored, and no option but reduction, ignoreIndex,
// gradOutput as a number and out. The kernel call and the reduction are the pipeline's: the same export, arguments,
// row-order sum and divisor.
import {
  asRead,
  callDirect,
  copyInto,
  copyOut,
  directBlock,
  directFloats,
  directKernel,
  directOut,
  Handoff,
  isWide,
  readPlainTensor,
  sumOf,
} from '../core/direct.js';
import { copied, onlyOptions, typedArrayTag } from '../core/validate.js';
import type { FloatArray, Tensor } from '../types.js';
import { lookForMistakes } from './class-loss.js';
import { reduced } from './finish.js';
import type { LossResult } from './loss.js';

const OPTIONS = ['reduction', 'ignoreIndex'];
const GRAD_OPTIONS = [...OPTIONS, 'gradOutput', 'out'];
const KERNEL = directKernel(
  'crossEntropyIndex',
  ['x', 'rows', 'cols', 'targets', 'lossOut', 'grad'],
  ['vocabSize', 'gradScale'],
);
const [X, TARGETS, LOSS, GRAD] = [0, 1, 2, 3];

/** Class indices as read: their values (a number[] copied, an Int32Array itself), what the pipeline gets in the
 * target's place, and the array the values lie in. */
interface Indices {
  values?: ArrayLike<unknown>;
  handed: unknown;
  source?: unknown;
}

/** The values of a number[] (copied, each element read once) or an Int32Array; undefined for anything else. */
function indexValues(caller: string, data: unknown, name: string): ArrayLike<unknown> | undefined {
  if (Array.isArray(data)) return copied(data, caller, name);
  return typedArrayTag(data) === 'Int32Array' ? (data as Int32Array) : undefined;
}

/** The target of `rows` rows: a number for a (C) input; else a number[] or Int32Array, or a Tensor of one of [rows]. */
function readIndices(caller: string, target: unknown, rows: number, scalar: boolean): Indices {
  if (scalar) return { values: typeof target === 'number' ? [target] : undefined, handed: target };
  const bare = Array.isArray(target) || ArrayBuffer.isView(target);
  const t = bare ? undefined : readPlainTensor(target);
  if (t === undefined) {
    const values = bare ? indexValues(caller, target, 'target') : undefined;
    return { values, handed: Array.isArray(target) ? values : target, source: target };
  }
  if (t.dims?.length !== 1 || t.dims[0] !== rows) return { handed: asRead(t, target) };
  const values = indexValues(caller, t.data, 'target.data');
  return { values, handed: { data: Array.isArray(t.data) ? values : t.data, shape: t.shape }, source: t.data };
}

/**
 * The class indices into the block's int32 view from `first`, an ignored row as −1; returns the count of rows not
 * ignored, or −1 where a value is one the pipeline refuses (it says why).
 */
function writeIndices(
  values: ArrayLike<unknown>,
  rows: number,
  classes: number,
  ignoreIndex: number,
  i32: Int32Array,
  first: number,
): number {
  if (values.length !== rows) return -1;
  let count = 0;
  for (let i = 0; i < rows; i++) {
    const t = values[i];
    if (t === ignoreIndex) {
      i32[first + i] = -1;
      continue;
    }
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t >= classes) return -1;
    i32[first + i] = t;
    count++;
  }
  return count;
}

/**
 * crossEntropy (or its …WithGrad) on the direct path, or a Handoff of the arguments as read for the pipeline.
 * `o` is the options, read.
 */
export function directCrossEntropy(
  caller: string,
  withGrad: boolean,
  input: unknown,
  target: unknown,
  o: Readonly<Record<string, unknown>>,
): LossResult<FloatArray> | Handoff {
  if (!onlyOptions(o, withGrad ? GRAD_OPTIONS : OPTIONS)) return new Handoff([input, target]);
  const x = readPlainTensor(input);
  if (x?.dims === undefined || x.dims.length === 0 || x.dims.length > 2) return new Handoff([asRead(x, input), target]);
  const { dims } = x;
  const scalar = dims.length === 1;
  const rows = scalar ? 1 : dims[0];
  const classes = dims[dims.length - 1];
  const indices = readIndices(caller, target, rows, scalar);
  const { reduction = 'mean', gradOutput = 1, out, ignoreIndex = -100 } = o;
  const reduces = reduction === 'mean' || reduction === 'sum';
  const b = directBlock();
  if (
    b === undefined ||
    !directFloats(x, b) ||
    indices.values === undefined ||
    !(reduces || reduction === 'none') ||
    typeof gradOutput !== 'number' ||
    !Number.isSafeInteger(ignoreIndex) ||
    !directOut(out, x.data, b, indices.source)
  )
    return new Handoff([asRead(x, input), indices.handed]);
  const at = b.region(X);
  const targets = b.region(TARGETS);
  const lossOut = b.region(LOSS);
  const grad = b.region(GRAD);
  // Σ w_t over the rows not ignored (their count: no weight) is what 'mean' divides by
  const count = writeIndices(indices.values, rows, classes, ignoreIndex as number, b.i32, targets / 4);
  if (count < 0) return new Handoff([asRead(x, input), indices.handed]);
  lookForMistakes(caller, 'probabilities', x.data, { classes, inner: 1, rows });
  const wide = isWide(x.data);
  copyInto(b, wide, x.data, at);
  const gradScale = withGrad ? (reduction === 'mean' ? gradOutput / count : gradOutput) : 0;
  callDirect(b, KERNEL, wide, [at, rows, classes, targets, lossOut, withGrad ? grad : 0], [classes, gradScale]);
  const loss = reduces
    ? reduced(sumOf(b, wide, lossOut, rows), count, reduction, !wide)
    : ({ data: copyOut(b, wide, lossOut, rows), shape: scalar ? [] : [rows] } as Tensor<FloatArray>);
  if (!withGrad) return { loss };
  // (the dims are this call's own copy: the gradient takes them)
  return { loss, grad: { data: copyOut(b, wide, grad, rows * classes, out as FloatArray), shape: dims } };
}
