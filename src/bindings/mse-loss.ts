import { type PairLossSpec, pairLossCall } from '../families/pair-loss.js';
import type {
  Exactly,
  FloatArray,
  GradOptions,
  LossOutput,
  LossWithGrad,
  MseLossOptions,
  NoOptions,
  TensorLike,
} from '../types.js';

const MSE_LOSS: PairLossSpec<'mseLoss'> = { name: 'mseLoss', options: [], kernel: () => 'mseLoss' };

/**
 * `F.mse_loss(input, target, reduction)`: (input − target)². `target` must have the input's shape and dtype
 * (PyTorch would broadcast, with a warning).
 * @param input - any shape.
 * @param target - of the input's shape and dtype.
 * @param options - {@link MseLossOptions}: `reduction` ('mean').
 * @returns a number for 'mean' and 'sum', a Tensor of the input's shape for 'none'.
 * @throws TypeError / RangeError for the kinds and shapes of the arguments.
 * @example
 * ```ts
 * const input = { data: Float32Array.of(1, 2, 3), shape: [3] };
 * const target = { data: Float32Array.of(1.5, 2, 2), shape: [3] };
 * console.log(mseLoss(input, target).toFixed(4)); // → 0.4167
 * ```
 * @group Divergence and regression losses
 */
export function mseLoss<T extends FloatArray, O extends MseLossOptions = NoOptions>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, MseLossOptions>,
): LossOutput<O, T> {
  return pairLossCall(MSE_LOSS, false, [input, target, options]).loss as LossOutput<O, T>;
}

/**
 * `mseLoss` and its gradient with respect to the input: 2·(input − target), scaled by the reduction.
 * @param input - any shape.
 * @param target - of the input's shape and dtype.
 * @param options - the loss's options and {@link GradOptions}: `gradOutput` (1, or a Tensor of the loss's shape for
 * 'none') and `out` (the input's dtype and length; it may be `input.data`: in place).
 * @returns `{ loss, grad }`: the loss as mseLoss returns it, and ∂loss/∂input of the input's shape.
 * @throws as mseLoss, and for a gradOutput or out of the wrong kind, shape, dtype or length.
 * @example
 * ```ts
 * const input = { data: Float32Array.of(1, 2, 3), shape: [3] };
 * const target = { data: Float32Array.of(1.5, 2, 2), shape: [3] };
 * const { loss, grad } = mseLossWithGrad(input, target, { reduction: 'sum' });
 * console.log(loss.toFixed(4)); // → 1.2500
 * console.log(Array.from(grad.data, (g) => g.toFixed(4)).join(' ')); // → -1.0000 0.0000 2.0000
 * ```
 * @group Divergence and regression losses
 */
export function mseLossWithGrad<T extends FloatArray, O extends MseLossOptions & GradOptions<T> = NoOptions>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, MseLossOptions & GradOptions<T>>,
): LossWithGrad<LossOutput<O, T>, T> {
  return pairLossCall(MSE_LOSS, true, [input, target, options]) as LossWithGrad<LossOutput<O, T>, T>;
}
