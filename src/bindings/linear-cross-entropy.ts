import { inHalfAwareCall } from '../core/half.js';
import { linearCrossEntropyOf } from '../families/linear-call.js';
import type {
  FloatArray,
  IndexTarget,
  LinearCrossEntropyGradOptions,
  LinearCrossEntropyOptions,
  LinearCrossEntropyWithGrad,
  Tensor,
} from '../types.js';

/**
 * `F.linear_cross_entropy(input, linear_weight, target, …)` (PyTorch 2.13): `F.cross_entropy(F.linear(input,
 * linearWeight, linearBias), target, …)` without the [N, V] logits, chunk by chunk of rows. `input` is [..., d],
 * `linearWeight` [V, d], `target` class indices of the input's shape without d.
 * @returns a number for 'mean' and 'sum', a Tensor of the target's shape for 'none'.
 * @throws TypeError for a wrong kind of argument or option; RangeError for a d that differs, a bias or weight not of
 * length V, a chunkSize below 1, an index out of range, or sizes beyond what WebAssembly's 4 GiB can hold.
 */
export function linearCrossEntropy<T extends FloatArray>(
  input: Tensor<T>,
  linearWeight: Tensor<T>,
  target: IndexTarget,
  options?: LinearCrossEntropyOptions,
): number | Tensor<T> {
  return inHalfAwareCall(() => {
    return linearCrossEntropyOf('linearCrossEntropy', false, input, linearWeight, target, options).loss as
      | number
      | Tensor<T>;
  });
}

/**
 * `linearCrossEntropy` and its gradients in one pass over the chunks: `gradInput` [..., d], `gradWeight` [V, d]
 * and, with a `linearBias`, `gradBias` [V]; into `gradInputOut`/`gradWeightOut`/`gradBiasOut` when given, and
 * added into `gradWeightOut` with `accumulate`.
 * @throws as `linearCrossEntropy`, and for a gradOutput or a destination of the wrong kind or length.
 */
export function linearCrossEntropyWithGrad<T extends FloatArray>(
  input: Tensor<T>,
  linearWeight: Tensor<T>,
  target: IndexTarget,
  options?: LinearCrossEntropyOptions & LinearCrossEntropyGradOptions<T>,
): LinearCrossEntropyWithGrad<T> {
  return inHalfAwareCall(() => {
    const result = linearCrossEntropyOf('linearCrossEntropyWithGrad', true, input, linearWeight, target, options);
    return result as unknown as LinearCrossEntropyWithGrad<T>;
  });
}
