import { inHalfAwareCall } from '../core/half.js';
import { linearCrossEntropyOf } from '../families/linear-call.js';
import type {
  Exactly,
  FloatArray,
  IndexTarget,
  LinearCrossEntropyGradOptions,
  LinearCrossEntropyOptions,
  LinearCrossEntropyWithGrad,
  LossOutput,
  NoOptions,
  TensorLike,
} from '../types.js';

/**
 * `F.linear_cross_entropy(input, linear_weight, target, …)` (PyTorch 2.13): `F.cross_entropy(F.linear(input,
 * linearWeight, linearBias), target, …)` without the [N, V] logits, chunk by chunk of rows.
 * @param input - hidden states [..., d].
 * @param linearWeight - the output layer's weight [V, d] (the logits are input · linearWeightᵀ + linearBias).
 * @param target - class indices of the input's shape without d.
 * @param options - {@link LinearCrossEntropyOptions}: `linearBias`, `weight`, `ignoreIndex` (-100), `reduction`
 * ('mean'), `labelSmoothing` (0), `lseSquareScale`, `softcap` and `chunkSize`.
 * @returns a number for 'mean' and 'sum', a Tensor of the target's shape for 'none'.
 * @throws TypeError for a wrong kind of argument or option; RangeError for a d that differs, a bias or weight not of
 * length V, a chunkSize below 1, an index out of range, or sizes beyond what WebAssembly's 4 GiB can hold.
 * @example
 * ```ts
 * const hidden = { data: Float32Array.of(1, 0.5, -0.5, 2), shape: [2, 2] };
 * const weight = { data: Float32Array.of(1, 0, 0, 1, 1, 1), shape: [3, 2] };
 * console.log(linearCrossEntropy(hidden, weight, [2, 1]).toFixed(4)); // → 0.6021
 * ```
 * @group Language models
 */
export function linearCrossEntropy<T extends FloatArray, O extends LinearCrossEntropyOptions = NoOptions>(
  input: TensorLike<T>,
  linearWeight: TensorLike<T>,
  target: IndexTarget,
  options?: Exactly<O, LinearCrossEntropyOptions>,
): LossOutput<O, T> {
  return inHalfAwareCall(
    () => linearCrossEntropyOf('linearCrossEntropy', false, input, linearWeight, target, options).loss,
  ) as LossOutput<O, T>;
}

/**
 * `linearCrossEntropy` and its gradients in one pass over the chunks: `gradInput` [..., d], `gradWeight` [V, d]
 * and, with a `linearBias`, `gradBias` [V]; into `gradInputOut`/`gradWeightOut`/`gradBiasOut` when given, and
 * added into `gradWeightOut` with `accumulate`.
 * @param input - hidden states [..., d].
 * @param linearWeight - the output layer's weight [V, d].
 * @param target - class indices of the input's shape without d.
 * @param options - `linearCrossEntropy`'s options and {@link LinearCrossEntropyGradOptions}: `gradOutput`,
 * `gradInputOut`, `gradWeightOut`, `gradBiasOut` and `accumulate`.
 * @returns `{ loss, gradInput, gradWeight }`, with `gradBias` for a linearBias and `zLoss` for lseSquareScale.
 * @throws as `linearCrossEntropy`, and for a gradOutput or a destination of the wrong kind or length.
 * @example
 * ```ts
 * const hidden = { data: Float32Array.of(1, 0.5, -0.5, 2), shape: [2, 2] };
 * const weight = { data: Float32Array.of(1, 0, 0, 1, 1, 1), shape: [3, 2] };
 * const { gradInput, gradWeight } = linearCrossEntropyWithGrad(hidden, weight, [2, 1]);
 * console.log(Array.from(gradInput.data, (g) => g.toFixed(4)).join(' ')); // → -0.0932 -0.1536 0.2039 -0.0243
 * console.log(Array.from(gradWeight.data, (g) => g.toFixed(3)).join(' ')); // → 0.141 0.125 0.195 -0.361 -0.337 0.236
 * ```
 * @group Language models
 */
export function linearCrossEntropyWithGrad<T extends FloatArray>(
  input: TensorLike<T>,
  linearWeight: TensorLike<T>,
  target: IndexTarget,
  options?: LinearCrossEntropyOptions & LinearCrossEntropyGradOptions<T>,
): LinearCrossEntropyWithGrad<T> {
  return inHalfAwareCall(() => {
    const result = linearCrossEntropyOf('linearCrossEntropyWithGrad', true, input, linearWeight, target, options);
    return result as unknown as LinearCrossEntropyWithGrad<T>;
  });
}
