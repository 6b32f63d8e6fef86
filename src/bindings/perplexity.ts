import { inHalfAwareCall } from '../core/half.js';
import { checkBoolean, checkInteger, readOptions } from '../core/validate.js';
import { readLogits, readScale, runTokenLogProbs, scoredTargets } from '../families/scoring.js';
import type { FloatArray, ScoringTensor, TokenScoringOptions, TokenTarget } from '../types.js';

/**
 * Perplexity: exp of the mean negative log-probability of the target tokens over the positions not ignored,
 * as `exp(F.cross_entropy(logits / temperature, target, ignore_index=…))`; NaN when every position is ignored.
 * @throws as `tokenLogProbs`.
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
