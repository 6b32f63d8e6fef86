// The shared plumbing of the elementwise losses (binaryCrossEntropy, binaryCrossEntropyWithLogits,
// klDiv, mseLoss): checks, one fused kernel call for loss and gradient, reduction.
import type { FloatArray, Tensor } from '../../types.js';
import { type CheckedWeight, checkBroadcastWeight } from './broadcast.js';
import { checkGradOutput } from './grad-output.js';
import { checkFloatTensor, checkOptions, checkOut, checkReduction, describe, shapeString } from './validate.js';
import { wasm } from './wasm.js';
import { allocate, arrayTypeOf, chunkRanges, dtypeOf, floatView, sliceOf, stable } from './workspace.js';

/** Kernel op codes of assembly/kernels/elementwise-losses.ts. */
export const Op = { bce: 0, bceWithLogits: 1, klDiv: 2, klDivLogTarget: 3, mse: 4 } as const;

export interface ElementwiseRequest<T extends FloatArray> {
  op: number;
  input: Tensor<T>;
  target: unknown;
  reduction: 'none' | 'mean' | 'sum' | 'batchmean';
  weight?: unknown;
  posWeight?: unknown;
  gradOutput?: unknown;
  out?: unknown;
  withGrad: boolean;
  /** Checks each input value (e.g. probabilities in [0, 1]); throws for a bad one. */
  checkInputValue?: (value: number, index: number, shape: number[], caller: string) => void;
}

export function runElementwiseLoss<T extends FloatArray>(
  caller: string, request: ElementwiseRequest<T>,
): { loss: number | Tensor<T>; grad?: Tensor<T> } {
  const kernels = wasm(caller);
  const { data, shape, size } = checkFloatTensor<T>(caller, 'input', request.input);
  const target = checkFloatTensor(caller, 'target', request.target);
  if (target.data.constructor !== data.constructor) {
    throw new TypeError(`${caller}: target.data must be a ${data.constructor.name} like the input, received ${describe(target.data)}`);
  }
  if (shapeString(target.shape) !== shapeString(shape)) {
    throw new RangeError(`${caller}: target must have the input's shape ${shapeString(shape)}, received ${shapeString(target.shape)}`);
  }
  if (request.checkInputValue) for (let i = 0; i < size; i++) request.checkInputValue(data[i], i, shape, caller);
  const weight = request.weight === undefined ? undefined : checkBroadcastWeight(caller, 'weight', request.weight, shape);
  const posWeight = request.posWeight === undefined ? undefined : checkBroadcastWeight(caller, 'posWeight', request.posWeight, shape);
  const { reduction, withGrad } = request;
  const gradOutput = withGrad ? checkGradOutput(caller, request.gradOutput, shape, reduction !== 'none') : 1;
  const out = withGrad ? checkOut(caller, request.out, data) : undefined;

  const dtype = dtypeOf(data);
  const Float = arrayTypeOf(dtype);
  const bytes = Float.BYTES_PER_ELEMENT;
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1];
  const rows = cols === 0 ? 0 : size / cols;
  const perElementGradOutput = typeof gradOutput !== 'number';
  const divisor = reduction === 'mean' ? size : reduction === 'batchmean' && shape.length > 0 ? shape[0] : 1;
  const scale = perElementGradOutput ? 1 : reduction === 'none' ? gradOutput : gradOutput / divisor;
  const kernel = dtype === 'f64' ? kernels.elementwiseLossF64 : kernels.elementwiseLossF32;
  const lossValues = reduction === 'none' ? new Float(size) : undefined;
  // Per-element arrays travel with their chunk; per-column weights are copied whole each time.
  const columnBytes = (w?: CheckedWeight) => (w && !w.perElement ? cols * bytes : 0);
  const elementCount = 2 + (weight?.perElement ? 1 : 0) + (posWeight?.perElement ? 1 : 0)
    + (lossValues ? 1 : 0) + (withGrad ? 1 : 0) + (perElementGradOutput ? 1 : 0);
  let total = 0;
  // Arrays read or written after memory may have grown are reached through getters.
  const [source, targets, liveOut] = [stable(kernels, data), stable(kernels, target.data), out && stable(kernels, out)];
  const live = (b?: CheckedWeight) => b && { ...b, values: stable(kernels, b.values) };
  const [liveWeight, livePosWeight] = [live(weight), live(posWeight)];
  const liveGradOutput = perElementGradOutput ? stable(kernels, gradOutput) : undefined;
  for (const [start, end] of chunkRanges(caller, rows, cols * bytes * elementCount, columnBytes(weight) + columnBytes(posWeight) + 128)) {
    const [from, to] = [start * cols, end * cols];
    const n = to - from;
    const region = (w?: CheckedWeight) => (w ? (w.perElement ? n : cols) * bytes : 0);
    const [x, y, w, pw, loss, grad, g] = allocate(kernels, caller, [
      n * bytes, n * bytes, region(weight), region(posWeight), lossValues ? n * bytes : 0, withGrad ? n * bytes : 0,
      perElementGradOutput ? n * bytes : 0,
    ]);
    floatView(kernels, dtype, x, n).set(source().subarray(from, to));
    floatView(kernels, dtype, y, n).set(targets().subarray(from, to));
    const copyWeight = (at: number, b?: { perElement: boolean; values: () => ArrayLike<number> }) => {
      if (b) floatView(kernels, dtype, at, b.perElement ? n : cols).set(b.perElement ? sliceOf(b.values(), from, to) : b.values());
    };
    copyWeight(w, liveWeight);
    copyWeight(pw, livePosWeight);
    if (liveGradOutput) floatView(kernels, dtype, g, n).set(sliceOf(liveGradOutput(), from, to));
    total += kernel(
      request.op, x, y, end - start, cols, weight ? w : 0, weight?.perElement ? 1 : 0, posWeight ? pw : 0,
      posWeight?.perElement ? 1 : 0, lossValues ? loss : 0, withGrad ? grad : 0, scale, perElementGradOutput ? g : 0,
    );
    if (lossValues) lossValues.set(floatView(kernels, dtype, loss, n), from);
    if (liveOut) liveOut().set(floatView(kernels, dtype, grad, n), from);
  }
  let result: number | Tensor<T>;
  if (lossValues) {
    result = { data: lossValues as T, shape };
  } else {
    const value = total / divisor;
    result = dtype === 'f32' ? Math.fround(value) : value;
  }
  if (!liveOut) return { loss: result };
  return { loss: result, grad: { data: liveOut(), shape } };
}

/** What distinguishes one elementwise loss from another. */
export interface ElementwiseLossSpec {
  /** Option names besides 'reduction', 'gradOutput' and 'out'. */
  options: readonly string[];
  reductions?: readonly ('none' | 'mean' | 'sum' | 'batchmean')[];
  /** The kernel op for these (checked) options. */
  op: (options: Record<string, unknown>, caller: string) => number;
  checkInputValue?: ElementwiseRequest<FloatArray>['checkInputValue'];
}

/** A loss and its …WithGrad from one spec: option checks, the fused kernel call, the reduction. */
export function elementwiseLossPair(name: string, spec: ElementwiseLossSpec) {
  const withGradName = `${name}WithGrad`;
  const run = (caller: string, input: Tensor<FloatArray>, target: unknown, options: unknown, withGrad: boolean) => {
    const accepted = [...spec.options, 'reduction', ...(withGrad ? ['gradOutput', 'out'] : [])];
    const o = checkOptions(caller, options as Record<string, unknown> | undefined, accepted);
    return runElementwiseLoss(caller, {
      op: spec.op(o, caller), input, target, reduction: checkReduction(caller, o.reduction, spec.reductions),
      weight: o.weight, posWeight: o.posWeight, gradOutput: o.gradOutput, out: o.out, withGrad,
      checkInputValue: spec.checkInputValue,
    });
  };
  return {
    loss: (input: Tensor<FloatArray>, target: unknown, options?: unknown) => run(name, input, target, options, false).loss,
    withGrad: (input: Tensor<FloatArray>, target: unknown, options?: unknown) => run(withGradName, input, target, options, true),
  };
}
