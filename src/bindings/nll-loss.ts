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
import type { LossFunction, LossWithGradFunction, NllLossOptions } from '../types.js';

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
  const indices = classIndexOperand(caller, target, layout.classes, ignoreIndex, weight);
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
 * `F.nll_loss(input, target, weight, ignore_index, reduction)`: −w_t · input[t] per row, `input` holding
 * log-probabilities of shape (C), (N, C) or (N, C, d1, …, dk) and `target` class indices.
 * @throws as crossEntropy with class-index targets.
 */
export const nllLoss = ((input: unknown, target: unknown, options?: unknown) =>
  inHalfAwareCall(() => nllLossOf('nllLoss', false, input, target, options).loss)) as LossFunction<
  NllLossOptions,
  'index'
>;

/**
 * `nllLoss` and its gradient w.r.t. the log-probabilities: −w_t · gradOutput (/ Σ w_t for 'mean') at each target,
 * 0 elsewhere.
 */
export const nllLossWithGrad = ((input: unknown, target: unknown, options?: unknown) =>
  inHalfAwareCall(() => nllLossOf('nllLossWithGrad', true, input, target, options))) as LossWithGradFunction<
  NllLossOptions,
  'index'
>;
