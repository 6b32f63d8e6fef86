import { elementName } from '../core/validate.js';
import { type PairLossSpec, pairLossCall } from '../families/pair-loss.js';
import type {
  BinaryCrossEntropyOptions,
  Exactly,
  FloatArray,
  GradOptions,
  LossOutput,
  LossWithGrad,
  NoOptions,
  TensorLike,
} from '../types.js';

const BINARY_CROSS_ENTROPY: PairLossSpec<'binaryCrossEntropy'> = {
  name: 'binaryCrossEntropy',
  options: ['weight'],
  kernel: () => 'binaryCrossEntropy',
  check: (data, shape) => {
    for (let i = 0; i < data.length; i++) {
      if (data[i] >= 0 && data[i] <= 1) continue;
      throw new RangeError(
        `binaryCrossEntropy: ${elementName('input', i, shape)} = ${data[i]} is not a probability in [0, 1] ` +
          '(apply a sigmoid first, or use binaryCrossEntropyWithLogits on the logits)',
      );
    }
  },
};

/**
 * `F.binary_cross_entropy(input, target, weight, reduction)`: −w·(y·log p + (1 − y)·log(1 − p)), each log clamped
 * at −100, exactly as PyTorch. For logits, use binaryCrossEntropyWithLogits: it is stable where σ saturates.
 * @param input - probabilities p in [0, 1], any shape.
 * @param target - y in [0, 1], of the input's shape and dtype.
 * @param options - {@link BinaryCrossEntropyOptions}: `weight` (broadcast over the input, or a number) and
 * `reduction` ('mean').
 * @returns a number for 'mean' and 'sum', a Tensor of the input's shape for 'none'.
 * @throws TypeError for the kinds of the arguments; RangeError for an input outside [0, 1] (NaN included, as
 * PyTorch), shapes that differ, a weight that does not broadcast.
 * @example
 * ```ts
 * const p = { data: Float32Array.of(0.9, 0.2, 0.6), shape: [3] };
 * const y = { data: Float32Array.of(1, 0, 1), shape: [3] };
 * console.log(binaryCrossEntropy(p, y).toFixed(4)); // → 0.2798
 * ```
 * @group Binary losses
 */
export function binaryCrossEntropy<T extends FloatArray, O extends BinaryCrossEntropyOptions = NoOptions>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, BinaryCrossEntropyOptions>,
): LossOutput<O, T> {
  return pairLossCall(BINARY_CROSS_ENTROPY, false, [input, target, options]).loss as LossOutput<O, T>;
}

/**
 * `binaryCrossEntropy` and its gradient with respect to the probabilities, PyTorch's formula: w·(p − y) / max((1 −
 * p)·p, ε) with ε = float32(1e-12), for float64 input too.
 * @param input - probabilities p in [0, 1].
 * @param target - y in [0, 1], of the input's shape and dtype.
 * @param options - the loss's options and {@link GradOptions}: `gradOutput` (1, or a Tensor of the loss's shape for
 * 'none') and `out` (the input's dtype and length; it may be `input.data`: in place).
 * @returns `{ loss, grad }`: the loss as binaryCrossEntropy returns it, and ∂loss/∂input of the input's shape.
 * @throws as binaryCrossEntropy, and for a gradOutput or out of the wrong kind, shape, dtype or length.
 * @example
 * ```ts
 * const p = { data: Float32Array.of(0.9, 0.2, 0.6), shape: [3] };
 * const y = { data: Float32Array.of(1, 0, 1), shape: [3] };
 * const { loss, grad } = binaryCrossEntropyWithGrad(p, y, { reduction: 'sum' });
 * console.log(loss.toFixed(4)); // → 0.8393
 * console.log(Array.from(grad.data, (g) => g.toFixed(4)).join(' ')); // → -1.1111 1.2500 -1.6667
 * ```
 * @group Binary losses
 */
export function binaryCrossEntropyWithGrad<
  T extends FloatArray,
  O extends BinaryCrossEntropyOptions & GradOptions<T> = NoOptions,
>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, BinaryCrossEntropyOptions & GradOptions<T>>,
): LossWithGrad<LossOutput<O, T>, T> {
  return pairLossCall(BINARY_CROSS_ENTROPY, true, [input, target, options]) as LossWithGrad<LossOutput<O, T>, T>;
}
