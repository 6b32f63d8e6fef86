import { warnOnce, warnsAbout } from '../core/instance.js';
import { checkBoolean } from '../core/validate.js';
import { pairLossFunctions } from '../families/pair-loss.js';
import type { KlDivOptions, LossFunction, LossWithGradFunction } from '../types.js';

const { loss, withGrad } = pairLossFunctions({
  name: 'klDiv',
  options: ['logTarget'],
  reductions: ['none', 'mean', 'sum', 'batchmean'],
  kernel: (options, caller) =>
    checkBoolean(caller, 'logTarget', options.logTarget, false) ? 'klDivLogTarget' : 'klDiv',
  check: lookForProbabilities,
});

/**
 * Warns once (unless init({ warnings: false })) when the input has a positive value among its first 1,024: log q is
 * never positive, so the input holds probabilities (or logits) where PyTorch's kl_div expects log-probabilities.
 */
function lookForProbabilities(data: ArrayLike<number>): void {
  if (!warnsAbout('klDiv input')) return;
  for (let i = 0; i < Math.min(data.length, 1024); i++) {
    if (!(data[i] > 0)) continue;
    warnOnce(
      'klDiv input',
      `klDiv received a positive value (${data[i]}) in its input, which holds log-probabilities (log q, all ≤ 0): ` +
        'pass logSoftmax(logits), not probabilities. init({ warnings: false }) silences this.',
    );
    return;
  }
}

/**
 * `F.kl_div(input, target, reduction, log_target)`: pointwise p·(log p − input) with `input` = log q,
 * 0·log 0 = 0. Use `reduction: 'batchmean'` for KL(p‖q) per sample ('mean' divides by every element, as PyTorch).
 * @throws TypeError / RangeError for the kinds and shapes of the arguments.
 */
export const klDiv = loss as LossFunction<KlDivOptions>;

/** `klDiv` and its gradient w.r.t. `input`: −p (−exp(target) with logTarget). */
export const klDivWithGrad = withGrad as LossWithGradFunction<KlDivOptions>;
