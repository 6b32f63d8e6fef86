import { inHalfAwareCall } from '../core/half.js';
import { readOptions } from '../core/validate.js';
import { scoreLogits } from '../families/score-call.js';
import type { FloatArray, ScoringTensor, Tensor, TokenScoringOptions, TokenTarget } from '../types.js';

/**
 * The log-probability of each target token: `log_softmax(logits / temperature, -1)[target]` for logits
 * [V], [T, V] or [..., T, V] and a target of the logits' shape without V. One pass per row, no [T, V] array.
 * @returns a Tensor of the target's shape (one position shorter per sequence with `shift`); ignored positions
 * hold 0.
 * @throws TypeError for a wrong kind of argument or option; RangeError for shapes, a token outside [0, V) that is
 * not ignoreIndex, or a temperature that is not finite and > 0.
 * @param logits - [V], [T, V] or [..., T, V]: a Tensor, or an onnxruntime or transformers.js tensor (`{ data, dims }`).
 * @param target - token ids shaped like the logits without V (int32, int64 or a number[]).
 * @param options - {@link TokenScoringOptions}: `temperature` (1), `ignoreIndex` (-100) and `shift` (false).
 * @example
 * ```ts
 * const logits = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * console.log(Array.from(tokenLogProbs(logits, [0, 1]).data, (v) => v.toFixed(4)).join(' ')); // → -0.4170 -0.2200
 * ```
 * @group Language models
 */
export function tokenLogProbs<T extends FloatArray>(
  logits: ScoringTensor<T>,
  target: TokenTarget,
  options?: TokenScoringOptions,
): Tensor<T> {
  return inHalfAwareCall(() => {
    const caller = 'tokenLogProbs';
    const o = readOptions(caller, options, ['temperature', 'ignoreIndex', 'shift']);
    const names = new Set(['tokenLogProbs'] as const);
    return scoreLogits<T>(caller, logits, o, { target, targetName: 'target', names }).tokenLogProbs as Tensor<T>;
  });
}
