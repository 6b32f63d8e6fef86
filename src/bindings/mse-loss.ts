import type { LossFunction, LossWithGradFunction, MseLossOptions } from '../types.js';
import { elementwiseLossPair, Op } from './common/elementwise-loss.js';

const pair = elementwiseLossPair('mseLoss', { options: [], op: () => Op.mse });

/**
 * `F.mse_loss(input, target, reduction)`: (input − target)². `target` must have the input's shape and
 * dtype (PyTorch would broadcast with a warning).
 */
export const mseLoss = pair.loss as LossFunction<MseLossOptions>;

/** `mseLoss` and its gradient w.r.t. the input: 2·(input − target), scaled by the reduction. */
export const mseLossWithGrad = pair.withGrad as LossWithGradFunction<MseLossOptions>;
