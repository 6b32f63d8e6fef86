import { inHalfAwareCall } from '../core/half.js';
import { readOptions } from '../core/validate.js';
import { scoreLogits, topKOf } from '../families/score-call.js';
import type { FloatArray, ScoringTensor, TopK, TopKOptions } from '../types.js';

/**
 * The k most probable tokens of each row of logits [..., V] and their log-probabilities at `temperature`,
 * as `torch.topk(log_softmax(logits / temperature, -1), k)`: sorted by descending probability, ties to the
 * lower index. Two passes per row, no [T, V] array. With `target`, also each row's own token's log-probability
 * (`targetLogProbs`, as tokenLogProbs gives it) from the same passes.
 * @returns `{ indices, logProbs }`, each of shape [..., k] (and `targetLogProbs` of shape [...]).
 * @throws TypeError for a k that is not an integer; RangeError for k < 1 or k > V, an empty vocabulary, a bad
 * temperature, or a target as tokenLogProbs refuses it.
 * @param logits - [V], [T, V] or [..., T, V]: a Tensor, or an onnxruntime or transformers.js tensor (`{ data, dims }`).
 * @param k - how many tokens per row: an integer in [1, V].
 * @param options - {@link TopKOptions}: `temperature` (1), `target` and `ignoreIndex` (-100).
 * @example
 * ```ts
 * const logits = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * const best = topK(logits, 2);
 * console.log(Array.from(best.indices.data).join(' ')); // → 0 1 1 0
 * console.log(Array.from(best.logProbs.data, (v) => v.toFixed(4)).join(' ')); // → -0.4170 -1.4170 -0.2200 -2.2200
 * ```
 * @group Language models
 */
export function topK<T extends FloatArray>(logits: ScoringTensor<T>, k: number, options?: TopKOptions): TopK<T> {
  return inHalfAwareCall(() => {
    const caller = 'topK';
    const o = readOptions(caller, options, ['temperature', 'target', 'ignoreIndex']);
    const names = new Set(o.target === undefined ? (['topK'] as const) : (['topK', 'tokenLogProbs'] as const));
    return topKOf(scoreLogits<T>(caller, logits, o, { target: o.target, k, kName: 'k', names }));
  });
}
