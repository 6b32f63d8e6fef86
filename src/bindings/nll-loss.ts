import { classLoss } from '../core/families.js';
import { readOptions } from '../core/validate.js';
import type { LossFunction, LossWithGradFunction, NllLossOptions } from '../types.js';

const OPTIONS = ['weight', 'ignoreIndex', 'reduction', 'gradOutput', 'out'] as const;

function nllLossOf(caller: string, input: unknown, target: unknown, options: unknown, withGrad: boolean) {
  const o = readOptions(caller, options, OPTIONS.slice(0, withGrad ? 5 : 3));
  return classLoss({
    caller,
    input,
    target,
    withGrad,
    options: o,
    gather: true,
    guard: 'not log-probabilities',
    kernel: (kind) => {
      if (kind === 'index') return 'nllLoss';
      throw new TypeError(`${caller}: target must hold class indices (an integer array), not probabilities`);
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
