import { inHalfAwareCall } from '../core/half.js';
import { readOptions } from '../core/validate.js';
import { scoreLogits } from '../families/score-call.js';
import type { FloatArray, ScoringTensor, TemperatureOptions, Tensor } from '../types.js';

/**
 * The entropy of softmax(logits / temperature) over the last dim, per row, without a softmax array: as
 * `Categorical(logits=logits / temperature).entropy()` (a −inf logit adds 0).
 * @returns a Tensor of the logits' shape without its last dim.
 * @throws TypeError for a wrong kind of argument; RangeError for an empty last dim or a bad temperature.
 * @param logits - [V], [T, V] or [..., T, V]: a Tensor, or an onnxruntime or transformers.js tensor (`{ data, dims }`).
 * @param options - {@link TemperatureOptions}: `temperature` (1).
 * @example
 * ```ts
 * const logits = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * console.log(Array.from(softmaxEntropy(logits).data, (v) => v.toFixed(4)).join(' ')); // → 0.8467 0.6329
 * ```
 * @group Language models
 */
export function softmaxEntropy<T extends FloatArray>(
  logits: ScoringTensor<T>,
  options?: TemperatureOptions,
): Tensor<T> {
  return inHalfAwareCall(() => {
    const caller = 'softmaxEntropy';
    const o = readOptions(caller, options, ['temperature']);
    return scoreLogits<T>(caller, logits, o, { names: new Set(['entropy'] as const) }).entropy as Tensor<T>;
  });
}
