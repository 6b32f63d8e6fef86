import { inHalfAwareCall } from '../core/half.js';
import { readOptions } from '../core/validate.js';
import { scoreLogits } from '../families/score-call.js';
import type { FloatArray, PerplexityOptions, ScoringTensor, TokenTarget } from '../types.js';

/**
 * Perplexity: exp of the mean negative log-probability of the target tokens over the positions not ignored,
 * as `exp(F.cross_entropy(logits / temperature, target, ignore_index=…))`; NaN when every position is ignored.
 * @throws as `tokenLogProbs`.
 * @param logits - [V], [T, V] or [..., T, V]: a Tensor, or an onnxruntime or transformers.js tensor (`{ data, dims }`).
 * @param target - token ids shaped like the logits without V.
 * @param options - {@link PerplexityOptions}: `temperature` (1), `ignoreIndex` (-100), `shift` (false) and `average`
 * ('tokens').
 * @returns a number: exp(mean −log p), token-weighted over every position that is scored ('tokens'), or the mean of
 * each sequence's own ('sequences').
 * @example
 * ```ts
 * const logits = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * console.log(perplexity(logits, [0, 1]).toFixed(4)); // → 1.3751
 * ```
 * @group Language models
 */
export function perplexity<T extends FloatArray>(
  logits: ScoringTensor<T>,
  target: TokenTarget,
  options?: PerplexityOptions,
): number {
  return inHalfAwareCall(() => {
    const caller = 'perplexity';
    const o = readOptions(caller, options, ['temperature', 'ignoreIndex', 'shift', 'average']);
    const names = new Set(['perplexity'] as const);
    const scores = scoreLogits<T>(caller, logits, o, { target, targetName: 'target', names });
    return scores.perplexity as number;
  });
}
