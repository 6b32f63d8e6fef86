// crossEntropy on the direct path (src/core/direct.ts): logits (C) or (N, C) of plain values, class indices in
// range, and no option but reduction, gradOutput as a number and out. The kernel call and the reduction are the
// pipeline's: the same export, arguments and row-order sum.
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
import { onlyOptions, typedArrayTag } from '../core/validate.js';
import type { FloatArray, Tensor } from '../types.js';
import { lookForMistakes } from './class-loss.js';
import { reduced } from './finish.js';
import type { LossResult } from './loss.js';

const OPTIONS = ['reduction'];
const GRAD_OPTIONS = ['reduction', 'gradOutput', 'out'];
const KERNEL = directKernel(
  'crossEntropyIndex',
  ['x', 'rows', 'cols', 'targets', 'lossOut', 'grad'],
  ['vocabSize', 'gradScale'],
);
const [X, TARGETS, LOSS, GRAD] = [0, 1, 2, 3];

/** Class indices read once each: a copy of a number[], the Int32Array itself, or a number; undefined otherwise. */
function readIndices(target: unknown, scalar: boolean): ArrayLike<unknown> | undefined {
  if (scalar) return typeof target === 'number' ? [target] : undefined;
  if (Array.isArray(target)) {
    const n = target.length;
    const copy: unknown[] = [];
    for (let i = 0; i < n; i++) copy.push(target[i]);
    return copy;
  }
  return typedArrayTag(target) === 'Int32Array' ? (target as Int32Array) : undefined;
}

/** Whether every index is an integer class in [0, classes) (an ignored row or a bad one: the pipeline's). */
function inRange(indices: ArrayLike<unknown>, rows: number, classes: number): boolean {
  if (indices.length !== rows) return false;
  for (let i = 0; i < rows; i++) {
    const t = indices[i];
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t >= classes) return false;
  }
  return true;
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
  const scalar = x.dims.length === 1;
  const [rows, classes] = scalar ? [1, x.dims[0]] : x.dims;
  const indices = readIndices(target, scalar);
  const { reduction = 'mean', gradOutput = 1, out } = o;
  const reduces = reduction === 'mean' || reduction === 'sum';
  const b = directBlock();
  if (
    b === undefined ||
    !directFloats(x, b) ||
    indices === undefined ||
    !(reduces || reduction === 'none') ||
    typeof gradOutput !== 'number' ||
    !directOut(out, x.data, b, [target]) ||
    !inRange(indices, rows, classes)
  )
    return new Handoff([x.read, indices === undefined || scalar ? target : indices]);
  lookForMistakes(caller, 'probabilities', x.data, { classes, outer: rows, inner: 1, rows, lossShape: [] });
  // the pipeline's call: Σ w_t = rows (no weight, nothing ignored) is what 'mean' divides by
  const wide = isWide(x.data);
  const [at, targets, lossOut, grad] = [b.region(X), b.region(TARGETS), b.region(LOSS), b.region(GRAD)];
  copyInto(b, wide, x.data, at);
  for (let i = 0; i < rows; i++) b.i32[targets / 4 + i] = indices[i] as number;
  const gradScale = withGrad ? (reduction === 'mean' ? gradOutput / rows : gradOutput) : 0;
  callDirect(b, KERNEL, wide, [at, rows, classes, targets, lossOut, withGrad ? grad : 0], [classes, gradScale]);
  const loss = reduces
    ? reduced(sumOf(b, wide, lossOut, rows), rows, reduction, !wide)
    : ({ data: copyOut(b, wide, lossOut, rows), shape: scalar ? [] : [rows] } as Tensor<FloatArray>);
  if (!withGrad) return { loss };
  return { loss, grad: { data: copyOut(b, wide, grad, rows * classes, out as FloatArray), shape: x.dims.slice() } };
}
