import { classTargets, inDtype, runLoss } from '../core/families.js';
import { classLayout, readTarget } from '../core/targets.js';
import {
  checkInteger,
  checkNumberIn,
  checkReduction,
  checkVector,
  floatTensor,
  readOptions,
} from '../core/validate.js';
import type { CrossEntropyOptions, LossFunction, LossWithGradFunction } from '../types.js';

const OPTIONS = ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing', 'gradOutput', 'out'] as const;

function crossEntropyOf(caller: string, input: unknown, target: unknown, options: unknown, withGrad: boolean) {
  const o = readOptions(caller, options, OPTIONS.slice(0, withGrad ? 6 : 4));
  const x = floatTensor(caller, 'input', input);
  const layout = classLayout(caller, x.shape);
  const reduction = checkReduction(caller, o.reduction);
  const smoothing = checkNumberIn(caller, 'labelSmoothing', o.labelSmoothing, 0, 0, 1);
  const ignoreIndex = checkInteger(caller, 'ignoreIndex', o.ignoreIndex, -100);
  const weight =
    o.weight === undefined
      ? undefined
      : inDtype(checkVector(caller, 'options.weight', o.weight, layout.classes), x.data);
  const t = readTarget(caller, target, x.data, x.shape, layout.lossShape);
  if (t.kind === 'probability' && ignoreIndex >= 0) {
    throw new RangeError(
      `${caller}: options.ignoreIndex must be negative with probability targets (as in PyTorch), ` +
        `received ${ignoreIndex}`,
    );
  }
  return runLoss({
    caller,
    kernel: t.kind === 'index' ? 'crossEntropyIndex' : 'crossEntropyProb',
    input: x,
    outer: layout.outer,
    cols: layout.classes,
    inner: layout.inner,
    lossShape: layout.lossShape,
    reduction,
    lossPer: 'row',
    withGrad,
    gradOutput: o.gradOutput,
    out: o.out,
    scalars: { smoothing },
    prepare: () => {
      const { targets, divisor } = classTargets(caller, t, layout, ignoreIndex, weight);
      return {
        operands: { targets, weight: weight && { label: 'options.weight', data: weight, per: 'whole' } },
        divisor,
      };
    },
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
