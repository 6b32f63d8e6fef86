import { inHalfAwareCall } from '../core/half.js';
import { checkBoolean, checkInteger, readOptions } from '../core/validate.js';
import { readLogits, readScale, runTokenLogProbs, scoredTargets } from '../families/scoring.js';
import type { FloatArray, ScoringTensor, TokenScoringOptions, TokenTarget } from '../types.js';

/**
 * Perplexity: exp of the mean negative log-probability of the target tokens over the positions not ignored,
 * as `exp(F.cross_entropy(logits / temperature, target, ignore_index=…))`; NaN when every position is ignored.
 * @throws as `tokenLogProbs`.
 * @param logits - [V], [T, V] or [..., T, V]: a Tensor, or an onnxruntime or transformers.js tensor (`{ data, dims }`).
 * @param target - token ids shaped like the logits without V.
 * @param options - {@link TokenScoringOptions}: `temperature` (1), `ignoreIndex` (-100) and `shift` (false).
 * @returns a number: exp(mean −log p), token-weighted over every position that is scored.
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
  options?: TokenScoringOptions,
): number {
  return inHalfAwareCall(() => {
    const caller = 'perplexity';
    const o = readOptions(caller, options, ['temperature', 'ignoreIndex', 'shift']);
    const x = readLogits(caller, logits);
    const scale = readScale(caller, o.temperature, x.data);
    const shift = checkBoolean(caller, 'shift', o.shift, false);
    const ignoreIndex = checkInteger(caller, 'ignoreIndex', o.ignoreIndex, -100);
    const { indices, count } = scoredTargets(caller, target, x, ignoreIndex, shift);
    const sum = runTokenLogProbs(caller, x, indices, scale, true).sums.out;
    // float32 as PyTorch's float32 mean: the sum and the mean rounded to float32 before the exp
    const mean = x.data instanceof Float32Array ? Math.fround(Math.fround(sum) / count) : sum / count;
    const value = Math.exp(-mean);
    return x.data instanceof Float32Array ? Math.fround(value) : value;
  });
}
