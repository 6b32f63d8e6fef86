import { classLoss } from '../core/families.js';
import { checkNumberIn, readOptions } from '../core/validate.js';
import type { CrossEntropyOptions, LossFunction, LossWithGradFunction } from '../types.js';

const OPTIONS = ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing', 'gradOutput', 'out'] as const;

function crossEntropyOf(caller: string, input: unknown, target: unknown, options: unknown, withGrad: boolean) {
  const o = readOptions(caller, options, OPTIONS.slice(0, withGrad ? 6 : 4));
  const smoothing = checkNumberIn(caller, 'labelSmoothing', o.labelSmoothing, 0, 0, 1);
  return classLoss({
    caller,
    input,
    target,
    withGrad,
    options: o,
    kernel: (kind) => (kind === 'index' ? 'crossEntropyIndex' : 'crossEntropyProb'),
    guard: 'probabilities',
    scalars: { smoothing },
  });
}

/**
 * `F.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)`: log-softmax over the class
 * dim and negative log-likelihood in one fused pass. `input` is (C), (N, C) or (N, C, d1, …, dk) logits; `target`
 * holds class indices (the input's shape without C) or probabilities (the input's shape).
 * @returns a number for 'mean' and 'sum'; for 'none' a Tensor shaped like the target's indices.
 * @throws TypeError for a wrong kind of argument or an unknown option; RangeError for shapes, indices out of range,
 * weight length ≠ C, labelSmoothing outside [0, 1], ignoreIndex ≥ 0 with probabilities.
 */
export const crossEntropy = ((input: unknown, target: unknown, options?: unknown) =>
  crossEntropyOf('crossEntropy', input, target, options, false).loss) as LossFunction<CrossEntropyOptions, 'class'>;

/**
 * `crossEntropy` and its gradient with respect to the logits in one call (exp once per element):
 * grad = gradOutput · (softmax · Σq − q) per row, q the weighted, smoothed target, scaled by the reduction.
 * @throws as `crossEntropy`, and for `gradOutput` or `out` of the wrong kind, shape, dtype or length, or an `out`
 * that overlaps another argument other than exactly the input.
 */
export const crossEntropyWithGrad = ((input: unknown, target: unknown, options?: unknown) =>
  crossEntropyOf('crossEntropyWithGrad', input, target, options, true)) as LossWithGradFunction<
  CrossEntropyOptions,
  'class'
>;
