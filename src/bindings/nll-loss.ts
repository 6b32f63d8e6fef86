import { classTargets, inDtype, runLoss } from '../core/families.js';
import { classLayout, readTarget } from '../core/targets.js';
import { checkInteger, checkReduction, checkVector, floatTensor, readOptions } from '../core/validate.js';
import type { LossFunction, LossWithGradFunction, NllLossOptions } from '../types.js';

const OPTIONS = ['weight', 'ignoreIndex', 'reduction', 'gradOutput', 'out'] as const;

function nllLossOf(caller: string, input: unknown, target: unknown, options: unknown, withGrad: boolean) {
  const o = readOptions(caller, options, OPTIONS.slice(0, withGrad ? 5 : 3));
  const x = floatTensor(caller, 'input', input);
  const layout = classLayout(caller, x.shape);
  const reduction = checkReduction(caller, o.reduction);
  const ignoreIndex = checkInteger(caller, 'ignoreIndex', o.ignoreIndex, -100);
  const weight =
    o.weight === undefined
      ? undefined
      : inDtype(checkVector(caller, 'options.weight', o.weight, layout.classes), x.data);
  const t = readTarget(caller, target, x.data, x.shape, layout.lossShape);
  if (t.kind !== 'index')
    throw new TypeError(`${caller}: target must hold class indices (an integer array), not probabilities`);
  return runLoss({
    caller,
    kernel: 'nllLoss',
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
 * `F.nll_loss(input, target, weight, ignore_index, reduction)`: −w_t · input[t] per row, `input` holding
 * log-probabilities of shape (C), (N, C) or (N, C, d1, …, dk) and `target` class indices.
 * @throws as crossEntropy with class-index targets.
 */
export const nllLoss = ((input: unknown, target: unknown, options?: unknown) =>
  nllLossOf('nllLoss', input, target, options, false).loss) as LossFunction<NllLossOptions, 'index'>;

/**
 * `nllLoss` and its gradient w.r.t. the log-probabilities: −w_t · gradOutput (/ Σ w_t for 'mean') at each target,
 * 0 elsewhere.
 */
export const nllLossWithGrad = ((input: unknown, target: unknown, options?: unknown) =>
  nllLossOf('nllLossWithGrad', input, target, options, true)) as LossWithGradFunction<NllLossOptions, 'index'>;
