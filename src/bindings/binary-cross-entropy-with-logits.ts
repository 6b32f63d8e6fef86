import { pairLossFunctions } from '../families/pair-loss.js';
import type { BinaryCrossEntropyWithLogitsOptions, LossFunction, LossWithGradFunction } from '../types.js';

const { loss, withGrad } = pairLossFunctions({
  name: 'binaryCrossEntropyWithLogits',
  options: ['weight', 'posWeight'],
  kernel: () => 'binaryCrossEntropyWithLogits',
});

/**
 * `F.binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction)`: binary
 * cross-entropy of σ(input), computed from the logits without forming σ, stable for any finite logit.
 * `posWeight` (usually one per class, the last dim) weighs the positive term.
 * @throws TypeError / RangeError for the kinds, shapes and broadcasts of the arguments.
 */
export const binaryCrossEntropyWithLogits = loss as LossFunction<BinaryCrossEntropyWithLogitsOptions>;

/**
 * `binaryCrossEntropyWithLogits` and its gradient w.r.t. the logits: w·((pw·y + 1 − y)·σ(x) − pw·y), σ(x) − y
 * without posWeight.
 */
export const binaryCrossEntropyWithLogitsWithGrad =
  withGrad as LossWithGradFunction<BinaryCrossEntropyWithLogitsOptions>;
