import { type PairLossSpec, pairLossCall } from '../families/pair-loss.js';
import type {
  BinaryCrossEntropyWithLogitsOptions,
  Exactly,
  FloatArray,
  GradOptions,
  LossOutput,
  LossWithGrad,
  NoOptions,
  TensorLike,
} from '../types.js';

const BINARY_CROSS_ENTROPY_WITH_LOGITS: PairLossSpec<'binaryCrossEntropyWithLogits'> = {
  name: 'binaryCrossEntropyWithLogits',
  options: ['weight', 'posWeight'],
  kernel: () => 'binaryCrossEntropyWithLogits',
};

/**
 * `F.binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction)`: the binary cross-entropy of
 * σ(input), computed from the logits without forming σ: stable for any finite logit.
 * @param input - logits, any shape.
 * @param target - y in [0, 1], of the input's shape and dtype.
 * @param options - {@link BinaryCrossEntropyWithLogitsOptions}: `weight` (broadcast, or a number), `posWeight` (the
 * positive term's weight, usually one per class of the last dim, or a number) and `reduction` ('mean').
 * @returns a number for 'mean' and 'sum', a Tensor of the input's shape for 'none'.
 * @throws TypeError / RangeError for the kinds, shapes and broadcasts of the arguments.
 * @example
 * ```ts
 * const logits = { data: Float32Array.of(2, -1, 0.5), shape: [3] };
 * const y = { data: Float32Array.of(1, 0, 1), shape: [3] };
 * console.log(binaryCrossEntropyWithLogits(logits, y, { posWeight: 2 }).toFixed(4)); // → 0.5051
 * ```
 * @group Binary losses
 */
export function binaryCrossEntropyWithLogits<
  T extends FloatArray,
  O extends BinaryCrossEntropyWithLogitsOptions = NoOptions,
>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, BinaryCrossEntropyWithLogitsOptions>,
): LossOutput<O, T> {
  return pairLossCall(BINARY_CROSS_ENTROPY_WITH_LOGITS, false, [input, target, options]).loss as LossOutput<O, T>;
}

/**
 * `binaryCrossEntropyWithLogits` and its gradient with respect to the logits: w·((pw·y + 1 − y)·σ(x) − pw·y), σ(x)
 * − y without posWeight.
 * @param input - logits, any shape.
 * @param target - y in [0, 1], of the input's shape and dtype.
 * @param options - the loss's options and {@link GradOptions}: `gradOutput` (1, or a Tensor of the loss's shape for
 * 'none') and `out` (the input's dtype and length; it may be `input.data`: in place).
 * @returns `{ loss, grad }`: the loss as binaryCrossEntropyWithLogits returns it, and ∂loss/∂input of the input's
 * shape.
 * @throws as binaryCrossEntropyWithLogits, and for a gradOutput or out of the wrong kind, shape, dtype or length.
 * @example
 * ```ts
 * const logits = { data: Float32Array.of(2, -1, 0.5), shape: [3] };
 * const y = { data: Float32Array.of(1, 0, 1), shape: [3] };
 * const { loss, grad } = binaryCrossEntropyWithLogitsWithGrad(logits, y);
 * console.log(loss.toFixed(4)); // → 0.3048
 * console.log(Array.from(grad.data, (g) => g.toFixed(4)).join(' ')); // → -0.0397 0.0896 -0.1258
 * ```
 * @group Binary losses
 */
export function binaryCrossEntropyWithLogitsWithGrad<
  T extends FloatArray,
  O extends BinaryCrossEntropyWithLogitsOptions & GradOptions<T> = NoOptions,
>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, BinaryCrossEntropyWithLogitsOptions & GradOptions<T>>,
): LossWithGrad<LossOutput<O, T>, T> {
  return pairLossCall(BINARY_CROSS_ENTROPY_WITH_LOGITS, true, [input, target, options]) as LossWithGrad<
    LossOutput<O, T>,
    T
  >;
}
