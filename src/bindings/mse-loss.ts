import { pairLossFunctions } from '../families/pair-loss.js';
import type { LossFunction, LossWithGradFunction, MseLossOptions } from '../types.js';

const { loss, withGrad } = pairLossFunctions({ name: 'mseLoss', options: [], kernel: () => 'mseLoss' });

/**
 * `F.mse_loss(input, target, reduction)`: (input − target)². `target` must have the input's shape and
 * dtype (PyTorch would broadcast with a warning).
 * @throws TypeError / RangeError for the kinds and shapes of the arguments.
 */
export const mseLoss = loss as LossFunction<MseLossOptions>;

/** `mseLoss` and its gradient w.r.t. the input: 2·(input − target), scaled by the reduction. */
export const mseLossWithGrad = withGrad as LossWithGradFunction<MseLossOptions>;
