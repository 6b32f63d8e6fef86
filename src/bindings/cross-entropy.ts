import type {
  CrossEntropyOptions, FloatArray, GradOptions, IndexTarget, LossWithGrad, ProbabilityTarget, Tensor,
} from '../types.js';
import { checkGradOutput } from './common/grad-output.js';
import { type ParallelKernels, runRows } from './common/threads.js';
import { checkTarget, classLayout, type IndexTargetParts, writeClassIndices } from './common/targets.js';
import {
  checkFloatTensor, checkInteger, checkNumberIn, checkOptions, checkOut, checkReduction, checkVector, product, shapeString,
} from './common/validate.js';
import { wasm } from './common/wasm.js';
import {
  allocate, arrayTypeOf, chunkRanges, dtypeOf, floatView, int32View, overlaps, residentAddress, sliceOf, stable,
} from './common/workspace.js';

type Target<T extends FloatArray> = IndexTarget | ProbabilityTarget<T>;
type ScalarReduction = CrossEntropyOptions & { reduction?: 'mean' | 'sum' };
type NoReduction = CrossEntropyOptions & { reduction: 'none' };

const OPTIONS = ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'] as const;
const GRAD_OPTIONS = [...OPTIONS, 'gradOutput', 'out'] as const;

/**
 * `F.cross_entropy(input, target, …)`: log-softmax over the class dim and negative log-likelihood in
 * one fused pass. `input` is (C), (N, C) or (N, C, d1, …, dk) logits; `target` holds class indices
 * (the input's shape without C) or probabilities (the input's shape).
 * @returns a number for 'mean' and 'sum'; for 'none' a Tensor shaped like the target's indices.
 * @throws TypeError for a wrong kind of argument or an unknown option; RangeError for shapes, indices
 * out of range, weight length ≠ C, labelSmoothing outside [0, 1], ignoreIndex ≥ 0 with probabilities.
 */
export function crossEntropy<T extends FloatArray>(input: Tensor<T>, target: Target<T>, options: NoReduction): Tensor<T>;
export function crossEntropy<T extends FloatArray>(input: Tensor<T>, target: Target<T>, options?: ScalarReduction): number;
export function crossEntropy<T extends FloatArray>(
  input: Tensor<T>, target: Target<T>, options?: CrossEntropyOptions,
): number | Tensor<T>;
export function crossEntropy<T extends FloatArray>(
  input: Tensor<T>, target: Target<T>, options?: CrossEntropyOptions,
): number | Tensor<T> {
  return run<T>('crossEntropy', input, target, checkOptions('crossEntropy', options, OPTIONS), false).loss;
}

/**
 * `crossEntropy` and its gradient with respect to the logits in one call (exp once per element):
 * grad = gradOutput · (softmax · Σq − q) per row, q the weighted, smoothed target, scaled by the reduction.
 * @throws as `crossEntropy`, and for `gradOutput` or `out` of the wrong kind, shape, dtype or length.
 */
export function crossEntropyWithGrad<T extends FloatArray>(
  input: Tensor<T>, target: Target<T>, options: NoReduction & GradOptions<T>,
): LossWithGrad<Tensor<T>, T>;
export function crossEntropyWithGrad<T extends FloatArray>(
  input: Tensor<T>, target: Target<T>, options?: ScalarReduction & GradOptions<T>,
): LossWithGrad<number, T>;
export function crossEntropyWithGrad<T extends FloatArray>(
  input: Tensor<T>, target: Target<T>, options?: CrossEntropyOptions & GradOptions<T>,
): LossWithGrad<number | Tensor<T>, T>;
export function crossEntropyWithGrad<T extends FloatArray>(
  input: Tensor<T>, target: Target<T>, options?: CrossEntropyOptions & GradOptions<T>,
): LossWithGrad<number | Tensor<T>, T> {
  const checked = checkOptions('crossEntropyWithGrad', options, GRAD_OPTIONS);
  return run<T>('crossEntropyWithGrad', input, target, checked, true) as LossWithGrad<number | Tensor<T>, T>;
}

function run<T extends FloatArray>(
  caller: string, input: Tensor<T>, target: Target<T>, options: CrossEntropyOptions & GradOptions<T>, withGrad: boolean,
): LossWithGrad<number | Tensor<T>, T> {
  const kernels = wasm(caller);
  const { data, shape, size } = checkFloatTensor<T>(caller, 'input', input);
  const { classes, outer, inner, rows, lossShape } = classLayout(caller, shape);

  const reduction = checkReduction(caller, options.reduction);
  const smoothing = checkNumberIn(caller, 'labelSmoothing', options.labelSmoothing, 0, 0, 1);
  const ignoreIndex = checkInteger(caller, 'ignoreIndex', options.ignoreIndex, -100);
  const weight = options.weight === undefined ? undefined : checkVector(caller, 'options.weight', options.weight, classes);
  const checkedTarget = checkTarget(caller, target, data, shape, lossShape);
  const probabilities = checkedTarget.kind === 'probability';
  if (probabilities && ignoreIndex >= 0) {
    throw new RangeError(`${caller}: options.ignoreIndex must be negative with probability targets (as in PyTorch), received ${ignoreIndex}`);
  }
  const gradOutput = withGrad ? checkGradOutput(caller, options.gradOutput, lossShape, reduction !== 'none') : 1;
  const out = withGrad ? checkOut(caller, options.out, data) : undefined;

  // Class indices are checked and converted once, so that 'mean' knows Σ w_t before any kernel runs.
  const indices = checkedTarget.kind === 'index' ? new Int32Array(rows) : undefined;
  const divisor = indices ? writeClassIndices(caller, checkedTarget as IndexTargetParts, classes, ignoreIndex, weight, indices) : rows;
  const perRowGradOutput = typeof gradOutput !== 'number';
  const scale = perRowGradOutput ? 1 : reduction === 'mean' ? gradOutput / divisor : gradOutput;

  const dtype = dtypeOf(data);
  const Float = arrayTypeOf(dtype);
  const bytes = Float.BYTES_PER_ELEMENT;
  const swapped = inner > 1;
  const block = classes * inner; // elements of one sample
  const swap = dtype === 'f64' ? kernels.swapLastTwoDimsF64 : kernels.swapLastTwoDimsF32;
  const parallel = kernels as unknown as ParallelKernels;
  const rowBytes = classes * bytes;
  const lossValues = reduction === 'none' ? new Float(rows) : undefined;
  let lossSum = 0;
  // Zero copy: logits, and a gradient `out` that does not overlap them, already in WebAssembly memory
  // are used where they are (their addresses stay valid if memory grows; their views may not).
  const inputAt = residentAddress(kernels, data);
  const outAt = out && !overlaps(out, data) ? residentAddress(kernels, out) : undefined;
  // Arrays read or written after memory may have grown are reached through getters.
  const source = stable(kernels, data);
  const liveOut = out && stable(kernels, out);
  const liveTargets = checkedTarget.kind === 'probability' ? stable(kernels, checkedTarget.data) : undefined;
  const liveGradOutput = perRowGradOutput ? stable(kernels, gradOutput) : undefined;
  const liveWeight = weight && stable(kernels, weight);
  const xBytes = inputAt === undefined ? block : 0;
  // With the class dim swapped to the end, a copied x's region is free to take the gradient.
  const gradBytes = !withGrad ? 0 : swapped ? (inputAt === undefined ? 0 : block) : outAt === undefined ? block : 0;
  const sampleBytes = bytes * (xBytes + (swapped ? block : 0) + gradBytes + inner + (perRowGradOutput ? inner : 0))
    + (probabilities ? bytes * block * (swapped ? 2 : 1) : 4 * inner);
  for (const [start, end] of chunkRanges(caller, outer, sampleBytes, classes * bytes + 128)) {
    const n = (end - start) * block;
    const r = (end - start) * inner;
    const [xCopy, xRows, t, tRows, w, loss, gradRegion, g] = allocate(kernels, caller, [
      xBytes * (end - start) * bytes,
      swapped ? n * bytes : 0,
      probabilities ? n * bytes : r * 4,
      probabilities && swapped ? n * bytes : 0,
      weight ? classes * bytes : 0,
      r * bytes,
      gradBytes * (end - start) * bytes,
      perRowGradOutput ? r * bytes : 0,
    ]);
    const offset = start * block * bytes;
    const x = inputAt === undefined ? xCopy : inputAt + offset;
    if (inputAt === undefined) floatView(kernels, dtype, x, n).set(source().subarray(start * block, end * block));
    if (swapped) swap(x, xRows, end - start, classes, inner);
    if (liveWeight) floatView(kernels, dtype, w, classes).set(liveWeight());
    if (liveGradOutput) floatView(kernels, dtype, g, r).set(sliceOf(liveGradOutput(), start * inner, end * inner));
    const gradAt = !withGrad ? 0 : swapped ? (inputAt === undefined ? xCopy : gradRegion) : outAt === undefined ? gradRegion : outAt + offset;
    const logits = swapped ? xRows : x;
    if (indices) {
      int32View(kernels, t, r).set(indices.subarray(start * inner, end * inner));
      runRows(parallel, dtype === 'f64' ? 'crossEntropyIndexF64' : 'crossEntropyIndexF32', r, classes, (a, b) => [
        logits + a * rowBytes, b - a, classes, t + a * 4, weight ? w : 0, smoothing, loss + a * bytes,
        gradAt ? gradAt + a * rowBytes : 0, scale, perRowGradOutput ? g + a * bytes : 0,
      ]);
    } else {
      floatView(kernels, dtype, t, n).set((liveTargets as () => FloatArray)().subarray(start * block, end * block));
      if (swapped) swap(t, tRows, end - start, classes, inner);
      const targetsAt = swapped ? tRows : t;
      runRows(parallel, dtype === 'f64' ? 'crossEntropyProbF64' : 'crossEntropyProbF32', r, classes, (a, b) => [
        logits + a * rowBytes, targetsAt + a * rowBytes, b - a, classes, weight ? w : 0, smoothing, loss + a * bytes,
        gradAt ? gradAt + a * rowBytes : 0, scale, perRowGradOutput ? g + a * bytes : 0,
      ]);
    }
    const losses = floatView(kernels, dtype, loss, r);
    if (lossValues) lossValues.set(losses, start * inner);
    else for (let i = 0; i < r; i++) lossSum += losses[i];
    if (!liveOut) continue;
    if (swapped) {
      const target = outAt === undefined ? xRows : outAt + offset;
      swap(gradAt, target, end - start, inner, classes);
      if (outAt === undefined) liveOut().set(floatView(kernels, dtype, xRows, n), start * block);
    } else if (outAt === undefined) {
      liveOut().set(floatView(kernels, dtype, gradAt, n), start * block);
    }
  }

  let result: number | Tensor<T>;
  if (lossValues) {
    result = { data: lossValues as T, shape: lossShape };
  } else {
    const value = reduction === 'mean' ? lossSum / divisor : lossSum;
    result = dtype === 'f32' ? Math.fround(value) : value;
  }
  if (!liveOut) return { loss: result, grad: undefined as unknown as Tensor<T> };
  // a resident `out` is handed back as a live view, in case memory grew during the call
  return { loss: result, grad: { data: liveOut(), shape } };
}
