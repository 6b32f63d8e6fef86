// Elementwise losses on the direct path (src/core/direct.ts): an input and a target of plain values of one shape and
// dtype, no weight, and a number (or nothing) as gradOutput. The kernel call, its scalars and the reduction are the
// pipeline's (pairLoss): the same export, arguments and divisor.
import {
  asRead,
  callDirect,
  copyInto,
  copyOut,
  type DirectBlock,
  type DirectKernel,
  directBlock,
  directFloats,
  directKernel,
  directOut,
  Handoff,
  isWide,
  readPlainTensor,
} from '../core/direct.js';
import type { KernelName } from '../core/kernels.js';
import { typedArrayTag } from '../core/validate.js';
import { KERNEL_TABLE } from '../generated/kernel-table.js';
import type { FloatArray, Tensor } from '../types.js';
import { type AnyReduction, reduced } from './finish.js';
import type { LossResult } from './loss.js';

const ARGS = ['x', 'y', 'rows', 'cols', 'lossOut', 'grad'];
const made = new Map<KernelName, { kernel: DirectKernel; params: readonly string[] }>();

/** The kernel, called with ARGS and every param it has (its own ones from `scalars`, the rest 0). */
function kernelOf(kernel: KernelName) {
  let k = made.get(kernel);
  if (k === undefined) {
    const params = KERNEL_TABLE[kernel].params.map(([name]) => name);
    k = { kernel: directKernel(kernel, ARGS, params), params };
    made.set(kernel, k);
  }
  return k;
}

/** Whether two shapes are the same. */
function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What pairLoss takes, read: the loss's kernel and scalars, its reductions, its value check. */
export interface DirectPair {
  caller: string;
  kernel: KernelName;
  withGrad: boolean;
  o: Readonly<Record<string, unknown>>;
  reductions: readonly AnyReduction[];
  defaultReduction: AnyReduction;
  scalars: Readonly<Record<string, number | undefined>> | undefined;
  check?: (data: FloatArray, shape: number[]) => void;
}

/** An elementwise loss on the direct path, or a Handoff of the input and target as read for the pipeline. */
export function directPairLoss(p: DirectPair, input: unknown, target: unknown): LossResult<FloatArray> | Handoff {
  const { o } = p;
  if (o.weight !== undefined || o.posWeight !== undefined) return new Handoff([input, target]);
  const x = readPlainTensor(input);
  const y = x && readPlainTensor(target);
  const b = directBlock();
  const { reduction = p.defaultReduction, gradOutput = 1, out } = o;
  if (
    b === undefined ||
    !directFloats(x, b) ||
    !directFloats(y, b) ||
    x.dims.length === 0 ||
    typedArrayTag(y.data) !== typedArrayTag(x.data) ||
    !sameDims(x.dims, y.dims) ||
    !p.reductions.includes(reduction as AnyReduction) ||
    typeof gradOutput !== 'number' ||
    !directOut(out, x.data, b, y.data)
  )
    return new Handoff([asRead(x, input), asRead(y, target)]);
  p.check?.(x.data, x.dims); // (its errors are the pipeline's: every argument is read and fits)
  return run(p, b, x, y.data, reduction as AnyReduction, gradOutput, out as FloatArray | undefined);
}

/** The loss's kernel on the block: its input x (checked, of `x.size` values), its target `y`. */
function run(
  p: DirectPair,
  b: DirectBlock,
  { data: x, dims, size }: { data: FloatArray; dims: number[]; size: number },
  y: FloatArray,
  reduction: AnyReduction,
  gradOutput: number,
  out: FloatArray | undefined,
): LossResult<FloatArray> {
  const cols = dims[dims.length - 1];
  const divisor = reduction === 'mean' ? size : reduction === 'batchmean' ? dims[0] : 1;
  const meanLike = reduction === 'mean' || reduction === 'batchmean';
  const wide = isWide(x);
  const [xAt, yAt, lossOut, grad] = [b.region(0), b.region(1), b.region(2), b.region(3)];
  copyInto(b, wide, x, xAt);
  copyInto(b, wide, y, yAt);
  const gradScale = p.withGrad ? (meanLike ? gradOutput / divisor : gradOutput) : 0;
  const { kernel, params } = kernelOf(p.kernel);
  const values = new Array<number>(params.length);
  for (let i = 0; i < params.length; i++) {
    const name = params[i];
    values[i] = name === 'gradScale' ? gradScale : (p.scalars?.[name] ?? 0);
  }
  const none = reduction === 'none';
  const sum = callDirect(
    b,
    kernel,
    wide,
    [xAt, yAt, size / cols, cols, none ? lossOut : 0, p.withGrad ? grad : 0],
    values,
  );
  const loss = none
    ? ({ data: copyOut(b, wide, lossOut, size), shape: dims } as Tensor<FloatArray>)
    : reduced(sum ?? 0, divisor, reduction, !wide);
  if (!p.withGrad) return { loss };
  // (the dims are this call's own copy: one result takes them)
  return { loss, grad: { data: copyOut(b, wide, grad, size, out), shape: none ? dims.slice() : dims } };
}
