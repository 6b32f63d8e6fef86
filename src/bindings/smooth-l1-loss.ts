import { checkPositive } from '../core/validate.js';
import { pairLossFunctions } from '../families/pair-loss.js';
import type {
  HuberLossOptions,
  L1LossOptions,
  LossFunction,
  LossWithGradFunction,
  SmoothL1LossOptions,
} from '../types.js';

// The three share one kernel (assembly/kernels/losses/smooth-l1.ts); `form` says which formula it runs.
const smoothL1 = pairLossFunctions({
  name: 'smoothL1Loss',
  options: ['beta'],
  kernel: () => 'smoothL1Loss',
  scalars: (options, caller) => ({ threshold: checkPositive(caller, 'beta', options.beta, 1, true), form: 0 }),
});
const huber = pairLossFunctions({
  name: 'huberLoss',
  options: ['delta'],
  kernel: () => 'smoothL1Loss',
  scalars: (options, caller) => ({ threshold: checkPositive(caller, 'delta', options.delta, 1), form: 1 }),
});
const l1 = pairLossFunctions({
  name: 'l1Loss',
  options: [],
  kernel: () => 'smoothL1Loss',
  scalars: () => ({ threshold: 0, form: 2 }),
});

/**
 * `F.smooth_l1_loss(input, target, reduction, beta)`: 0.5·d²/β where |d| < β, else |d| − 0.5·β, d = input −
 * target. β = 0 is the L1 loss (with PyTorch's gradient for it: −1 at d = 0).
 * @throws TypeError / RangeError for the kinds and shapes of the arguments, and a β that is negative or not finite.
 */
export const smoothL1Loss = smoothL1.loss as LossFunction<SmoothL1LossOptions>;

/** `smoothL1Loss` and its gradient w.r.t. the input: d/β where |d| < β, else sign(d), scaled by the reduction. */
export const smoothL1LossWithGrad = smoothL1.withGrad as LossWithGradFunction<SmoothL1LossOptions>;

/**
 * `F.huber_loss(input, target, reduction, delta)`: 0.5·d² where |d| < δ, else δ·(|d| − 0.5·δ), d = input − target.
 * @throws TypeError / RangeError for the kinds and shapes of the arguments, and a δ that is not a finite number > 0.
 */
export const huberLoss = huber.loss as LossFunction<HuberLossOptions>;

/** `huberLoss` and its gradient w.r.t. the input: d where |d| < δ, else δ·sign(d), scaled by the reduction. */
export const huberLossWithGrad = huber.withGrad as LossWithGradFunction<HuberLossOptions>;

/**
 * `F.l1_loss(input, target, reduction)`: |input − target|.
 * @throws TypeError / RangeError for the kinds and shapes of the arguments.
 */
export const l1Loss = l1.loss as LossFunction<L1LossOptions>;

/** `l1Loss` and its gradient w.r.t. the input: sign(input − target) (0 where they are equal, and for NaN). */
export const l1LossWithGrad = l1.withGrad as LossWithGradFunction<L1LossOptions>;
