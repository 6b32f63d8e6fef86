// nllLoss, read once and then run: the arguments and options read and checked in order, the plan (the kernel
// reads each row's one input value, gathered here), the run and the reduction.
import { inHalfAwareCall } from '../core/half.js';
import { checkInteger, checkReduction, floatTensor, readOptions } from '../core/validate.js';
import {
  checkWeightLength,
  classIndexOperand,
  classLossPlan,
  lookForMistakes,
  readClassWeight,
  weightOperand,
} from '../families/class-loss.js';
import { type LossPlan, readLossGradient, runLoss } from '../families/loss.js';
import { classLayout, gatherTargets, readClassDim, readTarget } from '../families/targets.js';
import type {
  Exactly,
  FloatArray,
  GradOptions,
  IndexTarget,
  LossOutput,
  LossWithGrad,
  NllLossOptions,
  NoOptions,
  TensorLike,
} from '../types.js';

const OPTIONS = ['weight', 'ignoreIndex', 'reduction', 'classDim', 'gradOutput', 'out'] as const;

function readNllLoss(caller: string, withGrad: boolean, input: unknown, targetArg: unknown, options: unknown) {
  const o = readOptions(caller, options, OPTIONS.slice(0, withGrad ? 6 : 4));
  const x = floatTensor(caller, 'input', input);
  const layout = classLayout(caller, x.shape, readClassDim(caller, o.classDim));
  const reduction = checkReduction(caller, o.reduction);
  const ignoreIndex = checkInteger(caller, 'ignoreIndex', o.ignoreIndex, -100);
  const weight = readClassWeight(caller, o.weight, x.data);
  checkWeightLength(caller, weight, layout.classes);
  const target = readTarget(caller, targetArg, x.data, x.shape, layout.lossShape);
  if (target.kind !== 'index') {
    throw new TypeError(`${caller}: target must hold class indices (an integer array), received probabilities`);
  }
  const gradient = withGrad
    ? readLossGradient(caller, o.gradOutput, o.out, false, layout.lossShape, reduction !== 'none', x.data)
    : undefined;
  // last, the values: the input's look, the class indices' range
  lookForMistakes(caller, 'not log-probabilities', x.data, layout);
  const indices = classIndexOperand(caller, target, layout.classes, ignoreIndex, weight, gradient?.into);
  return { caller, x, layout, reduction, weight, gradient, indices };
}

function planNllLoss(r: ReturnType<typeof readNllLoss>): LossPlan<'nllLoss'> {
  const { layout, indices } = r;
  const picked = gatherTargets(r.x.data, layout, indices.indices);
  return classLossPlan(r, {
    kernel: 'nllLoss',
    reduction: r.reduction,
    operands: {
      targets: indices.operand,
      weight: weightOperand(r.weight),
      picked: { label: 'input', data: picked, per: 'row', fresh: true },
    },
    divisor: indices.weightSum,
  });
}

const nllLossOf = (caller: string, withGrad: boolean, input: unknown, target: unknown, options: unknown) =>
  runLoss(planNllLoss(readNllLoss(caller, withGrad, input, target, options)));

/**
 * `F.nll_loss(input, target, weight, ignore_index, reduction)`: −w_t · input[t] per row. It takes log-probabilities
 * (logSoftmax of logits); crossEntropy takes the logits themselves. Warns once when the input holds a positive
 * value, which log-probabilities never do.
 * @param input - log-probabilities (C), (N, C) or (N, C, d1, …, dk); with `classDim: -1`, (…, C).
 * @param target - class indices shaped like the input without its class dim (a bare array for [N], a number for
 * (C)).
 * @param options - {@link NllLossOptions}: `weight`, `ignoreIndex` (-100), `reduction` ('mean') and `classDim` (1).
 * @returns a number for 'mean' and 'sum', a Tensor shaped like the target for 'none'.
 * @throws TypeError for a wrong kind of argument, probabilities as the target, or an unknown option; RangeError for
 * shapes, indices out of range and a weight whose length is not C.
 * @example
 * ```ts
 * const logProbs = logSoftmax({ data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] });
 * const perRow = nllLoss(logProbs, [0, 1], { reduction: 'none' });
 * console.log(Array.from(perRow.data, (v) => v.toFixed(4)).join(' ')); // → 0.4170 0.2200
 * ```
 * @group Class losses
 */
export function nllLoss<T extends FloatArray, O extends NllLossOptions = NoOptions>(
  input: TensorLike<T>,
  target: IndexTarget,
  options?: Exactly<O, NllLossOptions>,
): LossOutput<O, T> {
  return inHalfAwareCall(() => nllLossOf('nllLoss', false, input, target, options).loss) as LossOutput<O, T>;
}

/**
 * `nllLoss` and its gradient with respect to the log-probabilities: −w_t · gradOutput (/ Σ w_t for 'mean') at each
 * target, 0 elsewhere.
 * @param input - log-probabilities, as `nllLoss` takes them.
 * @param target - class indices, as `nllLoss` takes them.
 * @param options - `nllLoss`'s options and {@link GradOptions}: `gradOutput` and `out` (which may be `input.data`).
 * @returns `{ loss, grad }`: the loss as `nllLoss` returns it, and ∂loss/∂input of the input's shape.
 * @throws as `nllLoss`, and for a gradOutput or out of the wrong kind, shape, dtype or length.
 * @example
 * ```ts
 * const logProbs = logSoftmax({ data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] });
 * const { loss, grad } = nllLossWithGrad(logProbs, [0, 1]);
 * console.log(loss.toFixed(4)); // → 0.3185
 * console.log(Array.from(grad.data, (g) => g.toFixed(4)).join(' ')); // → -0.5000 0.0000 0.0000 0.0000 -0.5000 0.0000
 * ```
 * @group Class losses
 */
export function nllLossWithGrad<T extends FloatArray, O extends NllLossOptions & GradOptions<T> = NoOptions>(
  input: TensorLike<T>,
  target: IndexTarget,
  options?: Exactly<O, NllLossOptions & GradOptions<T>>,
): LossWithGrad<LossOutput<O, T>, T> {
  return inHalfAwareCall(() => nllLossOf('nllLossWithGrad', true, input, target, options)) as LossWithGrad<
    LossOutput<O, T>,
    T
  >;
}
