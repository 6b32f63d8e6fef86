import type {
  CrossEntropyOptions, FloatArray, GradOptions, IndexTarget, LossWithGrad, ProbabilityTarget, Tensor,
} from '../types.js';
import { checkGradOutput } from './common/grad-output.js';
import { checkTarget, classLayout, writeClassIndices } from './common/targets.js';
import {
  checkFloatTensor, checkInteger, checkNumberIn, checkOptions, checkOut, checkReduction, checkVector, product, shapeString,
} from './common/validate.js';
import { wasm } from './common/wasm.js';
import { allocate, arrayTypeOf, dtypeOf, floatView, int32View } from './common/workspace.js';

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

  const dtype = dtypeOf(data);
  const Float = arrayTypeOf(dtype);
  const bytes = Float.BYTES_PER_ELEMENT;
  const swapped = inner > 1;
  const perRowGradOutput = typeof gradOutput !== 'number';
  const [x, xRows, t, tRows, w, loss, grad, g] = allocate(kernels, caller, [
    size * bytes,
    swapped ? size * bytes : 0,
    probabilities ? size * bytes : rows * 4,
    probabilities && swapped ? size * bytes : 0,
    weight ? classes * bytes : 0,
    rows * bytes,
    withGrad && !swapped ? size * bytes : 0,
    perRowGradOutput ? rows * bytes : 0,
  ]);

  floatView(kernels, dtype, x, size).set(data);
  const swap = dtype === 'f64' ? kernels.swapLastTwoDimsF64 : kernels.swapLastTwoDimsF32;
  if (swapped) swap(x, xRows, outer, classes, inner);
  if (weight) floatView(kernels, dtype, w, classes).set(weight);
  if (perRowGradOutput) floatView(kernels, dtype, g, rows).set(gradOutput);
  // With the class dim swapped to the end, x's own region is free to take the gradient.
  const gradAt = withGrad ? (swapped ? x : grad) : 0;
  const logits = swapped ? xRows : x;
  let divisor: number;
  if (checkedTarget.kind === 'probability') {
    floatView(kernels, dtype, t, size).set(checkedTarget.data);
    if (swapped) swap(t, tRows, outer, classes, inner);
    divisor = rows;
    const kernel = dtype === 'f64' ? kernels.crossEntropyProbF64 : kernels.crossEntropyProbF32;
    const scale = reduction === 'none' ? (perRowGradOutput ? 1 : (gradOutput as number)) : (gradOutput as number) / (reduction === 'mean' ? divisor : 1);
    kernel(logits, swapped ? tRows : t, rows, classes, weight ? w : 0, smoothing, loss, gradAt, scale, perRowGradOutput ? g : 0);
  } else {
    divisor = writeClassIndices(caller, checkedTarget, classes, ignoreIndex, weight, int32View(kernels, t, rows));
    const kernel = dtype === 'f64' ? kernels.crossEntropyIndexF64 : kernels.crossEntropyIndexF32;
    const scale = reduction === 'none' ? (perRowGradOutput ? 1 : (gradOutput as number)) : (gradOutput as number) / (reduction === 'mean' ? divisor : 1);
    kernel(logits, rows, classes, t, weight ? w : 0, smoothing, loss, gradAt, scale, perRowGradOutput ? g : 0);
  }

  const losses = floatView(kernels, dtype, loss, rows);
  let result: number | Tensor<T>;
  if (reduction === 'none') {
    result = { data: Float.from(losses) as T, shape: lossShape };
  } else {
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += losses[i];
    const value = reduction === 'mean' ? sum / divisor : sum;
    result = dtype === 'f32' ? Math.fround(value) : value;
  }
  if (!out) return { loss: result, grad: undefined as unknown as Tensor<T> };
  if (swapped) swap(x, xRows, outer, inner, classes);
  out.set(floatView(kernels, dtype, swapped ? xRows : grad, size));
  return { loss: result, grad: { data: out, shape } };
}
