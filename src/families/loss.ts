// What every loss shares once its arguments are read: the upstream gradient and the destination, read once
// (readLossGradient), and the run of a loss plan on the row-kernel pipeline with its one reduction (runLoss).

import type { ArgName, KernelName } from '../core/kernels.js';
import { type Operand, type Output, run } from '../core/pipeline/index.js';
import { checkOut, checkShape, describe, floatValues, product, shapeString, tensorFields } from '../core/validate.js';
import type { FloatArray, Tensor } from '../types.js';
import { type AnyReduction, finishLoss } from './finish.js';

export type { AnyReduction };

type FloatConstructor = Float32ArrayConstructor | Float64ArrayConstructor;
const ctorOf = (a: FloatArray): FloatConstructor => (a instanceof Float64Array ? Float64Array : Float32Array);

/** `values` in the dtype of `like`: itself when it already is, else a converted copy. */
export const inDtype = (values: FloatArray, like: FloatArray): FloatArray =>
  values instanceof ctorOf(like) ? values : ctorOf(like).from(values);

/**
 * The upstream gradient, read once: a number for a scalar reduction (default 1); for 'none' a Tensor (or flat
 * array) of the loss's shape in the input's dtype, or a number for every element.
 */
export function readGradOutput(
  caller: string,
  value: unknown,
  lossShape: number[],
  scalar: boolean,
  like: FloatArray,
): number | FloatArray {
  if (value === undefined) return 1;
  if (typeof value === 'number') return value;
  if (scalar)
    throw new TypeError(
      `${caller}: options.gradOutput must be a number for a scalar reduction, received ${describe(value)}`,
    );
  const expected = `a number or a Tensor of floats shaped like the loss ${shapeString(lossShape)}`;
  const isTensor = typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
  const fields = isTensor ? tensorFields(caller, 'options.gradOutput', value, expected) : undefined;
  const data = floatValues(caller, 'options.gradOutput', fields ? fields.data : value, expected);
  const shape = fields ? checkShape(caller, 'options.gradOutput', fields.shape) : [data.length];
  if (fields ? shapeString(shape) !== shapeString(lossShape) : data.length !== product(lossShape)) {
    throw new RangeError(
      `${caller}: options.gradOutput must have the loss's shape ${shapeString(lossShape)}, ` +
        `received ${shapeString(shape)}`,
    );
  }
  if (fields && product(shape) !== data.length) {
    throw new RangeError(
      `${caller}: options.gradOutput.shape ${shapeString(shape)} holds ${product(shape)} elements ` +
        `but its data has ${data.length}`,
    );
  }
  return inDtype(data, like);
}

/** A …WithGrad call's gradient options, read once. */
export interface LossGradient {
  gradOutput: number | FloatArray;
  /** The caller's `out`, viewed afresh, and the object itself (handed back). */
  into?: FloatArray;
  given?: unknown;
  /** Adds the gradient into `out` instead of writing over it. */
  accumulate: boolean;
}

/** Reads gradOutput, out and accumulate (in that order). */
export function readLossGradient(
  caller: string,
  gradOutput: unknown,
  out: unknown,
  accumulate: boolean,
  lossShape: number[],
  scalar: boolean,
  like: FloatArray,
): LossGradient {
  const upstream = readGradOutput(caller, gradOutput, lossShape, scalar, like);
  const into = checkOut(caller, out, like);
  if (accumulate && !into) {
    throw new TypeError(`${caller}: options.accumulate adds the gradient into options.out, which is missing`);
  }
  return { gradOutput: upstream, into, given: out, accumulate };
}

/** A loss, planned: everything the run needs, read and checked. */
export interface LossPlan<K extends KernelName> {
  caller: string;
  kernel: K;
  input: { data: FloatArray; shape: number[] };
  outer: number;
  cols: number;
  inner: number;
  lossShape: number[];
  reduction: AnyReduction;
  /** Where the loss comes from: one value per row (summed here, in row order), or the kernel's Σ (per element). */
  lossPer: 'row' | 'element';
  /** Values per row of a 'none' loss (and of its gradOutput) when lossPer is 'row' (default 1). */
  lossWidth?: number;
  /** A …WithGrad call's gradient; absent: the loss only. */
  gradient?: LossGradient;
  operands: Partial<Record<ArgName<K>, Operand | undefined>>;
  scalars?: Partial<Record<ArgName<K>, number>>;
  /** What 'mean' (or 'batchmean', or a given divisor) divides the loss by, and the z-loss by. */
  divisor: number;
  zDivisor?: number;
  /** A z-loss beside the loss (crossEntropy's lseSquareScale): its scale s of s · lse². */
  zScale?: number;
  /** The per-row log-sum-exp as an output (crossEntropy's returnLse). */
  lse?: boolean;
  /** Scratch arrays of the input's shape the kernel takes (by argument name). */
  scratch?: readonly string[];
}

export interface LossResult<T extends FloatArray> {
  loss: number | Tensor<T>;
  grad?: Tensor<T>;
  zLoss?: number | Tensor<T>;
  lse?: Tensor<T>;
}

/**
 * The loss's gradient scale: a scalar gradOutput (1 for a per-item one) divided by what a mean divides by; whether the
 * gradOutput is per item; and whether the reduction is a mean.
 */
export function gradientScale(
  gradient: { gradOutput: number | FloatArray } | undefined,
  reduction: AnyReduction,
  divisor: number,
) {
  const perItem = gradient !== undefined && typeof gradient.gradOutput !== 'number';
  const meanLike = !perItem && reduction !== 'none' && reduction !== 'sum';
  const upstream = gradient === undefined || perItem ? 1 : (gradient.gradOutput as number);
  return { scale: meanLike ? upstream / divisor : upstream, perItem, meanLike };
}

/** Runs a loss plan and reduces: a loss and, with a gradient, the gradient. */
export function runLoss<K extends KernelName, T extends FloatArray>(plan: LossPlan<K>): LossResult<T> {
  const { input, reduction, lossPer, gradient, divisor, zDivisor = divisor } = plan;
  const { scale, perItem, meanLike } = gradientScale(gradient, reduction, divisor);
  const rowOutput = (): Output => (reduction === 'none' ? { per: 'row' } : { per: 'row', reduce: true });
  const outputs: Partial<Record<string, Output>> = {
    lossOut:
      reduction === 'none'
        ? { per: lossPer, width: plan.lossWidth }
        : lossPer === 'row'
          ? { per: 'row', reduce: true }
          : undefined,
    zLossOut: plan.zScale === undefined ? undefined : rowOutput(),
    lseOut: plan.lse ? { per: 'row' } : undefined,
    grad: gradient && { per: 'element', into: gradient.into, given: gradient.given, accumulate: gradient.accumulate },
  };
  for (const name of plan.scratch ?? []) outputs[name] = { per: 'element', scratch: true };
  // the z-loss's gradient 2 s · lse · softmax, in units of the loss's own gradient scale
  const zGrad = gradient && plan.zScale ? 2 * plan.zScale * (meanLike ? divisor / zDivisor : 1) : 0;
  const gradOperand: Operand | undefined = perItem
    ? { label: 'options.gradOutput', data: gradient?.gradOutput as FloatArray, per: lossPer, width: plan.lossWidth }
    : undefined;
  const ran = run({
    caller: plan.caller,
    kernel: plan.kernel,
    input: input.data,
    outer: plan.outer,
    cols: plan.cols,
    inner: plan.inner,
    operands: Object.assign({ gradOutput: gradOperand }, plan.operands) as never,
    outputs: outputs as never,
    scalars: Object.assign({ gradScale: gradient ? scale : 0, zGrad }, plan.scalars) as never,
  });
  const result: LossResult<T> = finishLoss<T>({
    reduction,
    isFloat32: input.data instanceof Float32Array,
    lossShape: plan.lossShape,
    loss: ran.outputs.lossOut as T,
    zLoss: ran.outputs.zLossOut as T,
    lossSum: ran.sum + (ran.sums.lossOut ?? 0),
    zLossSum: ran.sums.zLossOut ?? 0,
    divisor,
    zDivisor,
    withZ: plan.zScale !== undefined,
  });
  if (gradient) result.grad = { data: ran.outputs.grad as T, shape: input.shape };
  if (plan.lse) result.lse = { data: ran.outputs.lseOut as T, shape: plan.lossShape };
  return result;
}
