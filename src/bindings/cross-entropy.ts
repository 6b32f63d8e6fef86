import { classLoss } from '../core/families.js';
import {
  LANGUAGE_MODEL_GRAD_OPTIONS,
  LANGUAGE_MODEL_OPTIONS,
  readLanguageModelOptions,
} from '../core/language-model.js';
import { checkNumberIn, readOptions } from '../core/validate.js';
import type { CrossEntropyGradOptions, CrossEntropyOptions, LossFunction, LossWithGradFunction } from '../types.js';

const OPTIONS = ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing', ...LANGUAGE_MODEL_OPTIONS] as const;
const GRAD_OPTIONS = [...OPTIONS, 'gradOutput', 'out', ...LANGUAGE_MODEL_GRAD_OPTIONS] as const;

function crossEntropyOf(caller: string, input: unknown, target: unknown, options: unknown, withGrad: boolean) {
  const o = readOptions(caller, options, withGrad ? GRAD_OPTIONS : OPTIONS);
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
    lm: (like, reduction) => readLanguageModelOptions(caller, o, like, reduction),
  });
}

/**
 * `F.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)`: log-softmax over the class
 * dim and negative log-likelihood in one fused pass. `input` is (C), (N, C) or (N, C, d1, …, dk) logits; `target`
 * holds class indices (the input's shape without C) or probabilities (the input's shape). With class indices it
 * also takes the language-model options: z-loss (`lseSquareScale`), `softcap`, `safe`, `divisor`, and vocabulary
 * shards (`vocabStart` with the global `lse`).
 * @returns a number for 'mean' and 'sum' (the z-loss included); for 'none' a Tensor shaped like the target's
 * indices.
 * @throws TypeError for a wrong kind of argument or an unknown option; RangeError for shapes, indices out of range,
 * weight length ≠ C, labelSmoothing outside [0, 1], ignoreIndex ≥ 0 with probabilities, a softcap or divisor ≤ 0.
 */
export const crossEntropy = ((input: unknown, target: unknown, options?: unknown) =>
  crossEntropyOf('crossEntropy', input, target, options, false).loss) as LossFunction<CrossEntropyOptions, 'class'>;

/**
 * `crossEntropy` and its gradient with respect to the logits in one call (exp once per element):
 * grad = gradOutput · (softmax · Σq − q) per row, q the weighted, smoothed target, scaled by the reduction.
 * Also returns `zLoss` (with `lseSquareScale`, same reduction) and `lse` (with `returnLse`); `accumulate` adds
 * the gradient into `out`.
 * @throws as `crossEntropy`, and for `gradOutput` or `out` of the wrong kind, shape, dtype or length, or an `out`
 * that overlaps another argument other than exactly the input.
 */
export const crossEntropyWithGrad = ((input: unknown, target: unknown, options?: unknown) =>
  crossEntropyOf('crossEntropyWithGrad', input, target, options, true)) as LossWithGradFunction<
  CrossEntropyOptions & CrossEntropyGradOptions,
  'class'
>;
