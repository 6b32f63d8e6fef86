import { checkNumberIn, describe } from '../core/validate.js';
import { type PairLossSpec, pairLossCall } from '../families/pair-loss.js';
import type {
  Exactly,
  FloatArray,
  GradOptions,
  LossOutput,
  LossWithGrad,
  NoOptions,
  SigmoidFocalLossOptions,
  TensorLike,
} from '../types.js';

const SIGMOID_FOCAL_LOSS: PairLossSpec<'sigmoidFocalLoss'> = {
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
};

/**
 * `torchvision.ops.sigmoid_focal_loss(input, target, alpha, gamma, reduction)` (Lin et al. 2017): the binary
 * cross-entropy of the logits scaled by α_t·(1 − p_t)^γ, which down-weighs the easy examples. As torchvision,
 * the default reduction is 'none'.
 * @param input - logits, any shape.
 * @param target - y in [0, 1], of the input's shape and dtype.
 * @param options - {@link SigmoidFocalLossOptions}: `alpha` (0.25; negative disables the α weighting), `gamma` (2)
 * and `reduction` ('none').
 * @returns a Tensor of the input's shape for 'none' (the default), a number for 'mean' and 'sum'.
 * @throws TypeError / RangeError for the kinds and shapes of the arguments, alpha > 1, gamma < 0 or not finite.
 * @example
 * ```ts
 * const logits = { data: Float32Array.of(2, -1, 0.5), shape: [3] };
 * const y = { data: Float32Array.of(1, 0, 1), shape: [3] };
 * console.log(Array.from(sigmoidFocalLoss(logits, y).data, (v) => v.toFixed(4)).join(' ')); // → 0.0005 0.0170 0.0169
 * ```
 * @group Binary losses
 */
export function sigmoidFocalLoss<T extends FloatArray, O extends SigmoidFocalLossOptions = NoOptions>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, SigmoidFocalLossOptions>,
): LossOutput<O, T, 'none'> {
  return pairLossCall(SIGMOID_FOCAL_LOSS, false, [input, target, options]).loss as LossOutput<O, T, 'none'>;
}

/**
 * `sigmoidFocalLoss` and its gradient with respect to the logits, as PyTorch's autograd takes it through the
 * formula: α_t·[(p − y)·u^γ − ce·γ·u^(γ−1)·(2y − 1)·p·(1 − p)], u = 1 − p_t.
 * @param input - logits, any shape.
 * @param target - y in [0, 1], of the input's shape and dtype.
 * @param options - the loss's options and {@link GradOptions}: `gradOutput` (1, or a Tensor of the loss's shape for
 * 'none') and `out` (the input's dtype and length; it may be `input.data`: in place).
 * @returns `{ loss, grad }`: the loss as sigmoidFocalLoss returns it, and ∂loss/∂input of the input's shape.
 * @throws as sigmoidFocalLoss, and for a gradOutput or out of the wrong kind, shape, dtype or length.
 * @example
 * ```ts
 * const logits = { data: Float32Array.of(2, -1, 0.5), shape: [3] };
 * const y = { data: Float32Array.of(1, 0, 1), shape: [3] };
 * const { loss, grad } = sigmoidFocalLossWithGrad(logits, y, { reduction: 'mean' });
 * console.log(loss.toFixed(4)); // → 0.0114
 * console.log(Array.from(grad.data, (g) => g.toFixed(4)).join(' ')); // → -0.0004 0.0131 -0.0115
 * ```
 * @group Binary losses
 */
export function sigmoidFocalLossWithGrad<
  T extends FloatArray,
  O extends SigmoidFocalLossOptions & GradOptions<T> = NoOptions,
>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, SigmoidFocalLossOptions & GradOptions<T>>,
): LossWithGrad<LossOutput<O, T, 'none'>, T> {
  return pairLossCall(SIGMOID_FOCAL_LOSS, true, [input, target, options]) as LossWithGrad<LossOutput<O, T, 'none'>, T>;
}
