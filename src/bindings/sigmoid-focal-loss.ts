import { checkNumberIn, describe } from '../core/validate.js';
import { pairLossFunctions } from '../families/pair-loss.js';
import type { LossFunction, LossWithGradFunction, SigmoidFocalLossOptions } from '../types.js';

const { loss, withGrad } = pairLossFunctions({
  name: 'sigmoidFocalLoss',
  options: ['alpha', 'gamma'],
  defaultReduction: 'none',
  kernel: () => 'sigmoidFocalLoss',
  scalars: (options, caller) => {
    const { alpha = 0.25 } = options;
    if (typeof alpha !== 'number' || Number.isNaN(alpha) || alpha > 1) {
      throw new (typeof alpha === 'number' ? RangeError : TypeError)(
        `${caller}: options.alpha must be a number ≤ 1 (negative disables the weighting), received ${describe(alpha)}`,
      );
    }
    return { alpha, gamma: checkNumberIn(caller, 'gamma', options.gamma, 2, 0, Number.MAX_VALUE) };
  },
});

/**
 * `torchvision.ops.sigmoid_focal_loss(input, target, alpha, gamma, reduction)` (Lin et al. 2017): binary
 * cross-entropy of the logits scaled by α_t·(1 − p_t)^γ, which down-weighs the easy examples. As torchvision,
 * the default reduction is 'none', and a negative α disables the α weighting. `target` holds values in [0, 1]
 * with the input's shape and dtype.
 * @throws TypeError / RangeError for the kinds and shapes of the arguments, alpha > 1, gamma < 0 or not finite.
 */
export const sigmoidFocalLoss = loss as LossFunction<SigmoidFocalLossOptions, 'same', 'none'>;

/**
 * `sigmoidFocalLoss` and its gradient w.r.t. the logits, as PyTorch's autograd takes it through the formula:
 * α_t·[(p − y)·u^γ − ce·γ·u^(γ−1)·(2y − 1)·p·(1 − p)], u = 1 − p_t.
 */
export const sigmoidFocalLossWithGrad = withGrad as LossWithGradFunction<SigmoidFocalLossOptions, 'same', 'none'>;
