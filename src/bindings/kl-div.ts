import { checkBoolean } from '../core/validate.js';
import { pairLossFunctions } from '../families/pair-loss.js';
import type { KlDivOptions, LossFunction, LossWithGradFunction } from '../types.js';

const { loss, withGrad } = pairLossFunctions({
  name: 'klDiv',
  options: ['logTarget'],
  reductions: ['none', 'mean', 'sum', 'batchmean'],
  kernel: (options, caller) =>
    checkBoolean(caller, 'logTarget', options.logTarget, false) ? 'klDivLogTarget' : 'klDiv',
});

/**
 * `F.kl_div(input, target, reduction, log_target)`: pointwise p·(log p − input) with `input` = log q,
 * 0·log 0 = 0. Use `reduction: 'batchmean'` for KL(p‖q) per sample ('mean' divides by every element, as PyTorch).
 * @throws TypeError / RangeError for the kinds and shapes of the arguments.
 */
export const klDiv = loss as LossFunction<KlDivOptions>;

/** `klDiv` and its gradient w.r.t. `input`: −p (−exp(target) with logTarget). */
export const klDivWithGrad = withGrad as LossWithGradFunction<KlDivOptions>;
