import { inHalfAwareCall } from '../core/half.js';
import { readOptions } from '../core/validate.js';
import { LINEAR_SCORING_OPTIONS, readOutputs, scoreHidden, scoreHiddenStates, topKOf } from '../families/score-call.js';
import type {
  FloatArray,
  LinearPerplexityOptions,
  LinearScoreAsyncOptions,
  LinearScoreOptions,
  LinearScores,
  LinearScoringOptions,
  LinearTokenScoringOptions,
  LinearTopKOptions,
  Tensor,
  TensorLike,
  TokenTarget,
  TopK,
} from '../types.js';

const TOKEN_OPTIONS = [...LINEAR_SCORING_OPTIONS, 'ignoreIndex', 'shift'] as const;

/**
 * `tokenLogProbs` of the logits `input · linearWeightᵀ + linearBias`, without them: the output layer's product tile
 * by tile of the vocabulary, each tile scored as it is made (an online log-sum-exp).
 * @param input - hidden states [d], [T, d] or [..., T, d].
 * @param linearWeight - the output layer's weight [V, d], the input's dtype.
 * @param target - token ids shaped like the input without d (int32, int64 or a number[]).
 * @param options - {@link LinearTokenScoringOptions}: `linearBias`, `softcap`, `temperature` (1), `ignoreIndex` (-100),
 * `shift` (false) and `chunkSize`.
 * @returns a Tensor of the target's shape (one position shorter per sequence with `shift`); ignored positions hold 0.
 * @throws TypeError for a wrong kind of argument or option; RangeError for a d that differs, a bias not of length V,
 * a token outside [0, V) that is not ignoreIndex, a bad temperature or softcap, or sizes beyond wasm32's 4 GiB.
 * @example
 * ```ts
 * const hidden = { data: Float32Array.of(1, 0.5, -0.5, 2), shape: [2, 2] };
 * const weight = { data: Float32Array.of(1, 0, 0, 1, 1, 1), shape: [3, 2] };
 * const logProbs = linearTokenLogProbs(hidden, weight, [2, 1]);
 * console.log(Array.from(logProbs.data, (v) => v.toFixed(4)).join(' ')); // → -0.6803 -0.5239
 * ```
 * @group Language models
 */
export function linearTokenLogProbs<T extends FloatArray>(
  input: TensorLike<T>,
  linearWeight: TensorLike<T>,
  target: TokenTarget,
  options?: LinearTokenScoringOptions,
): Tensor<T> {
  return inHalfAwareCall(() => {
    const caller = 'linearTokenLogProbs';
    const o = readOptions(caller, options, TOKEN_OPTIONS);
    const names = new Set(['tokenLogProbs'] as const);
    return scoreHiddenStates<T>(caller, input, linearWeight, o, { target, targetName: 'target', names })
      .tokenLogProbs as Tensor<T>;
  });
}

/**
 * `perplexity` of the logits `input · linearWeightᵀ + linearBias`, without them (as linearTokenLogProbs).
 * @param input - hidden states [d], [T, d] or [..., T, d].
 * @param linearWeight - the output layer's weight [V, d].
 * @param target - token ids shaped like the input without d.
 * @param options - {@link LinearPerplexityOptions}: linearTokenLogProbs's, and `average` ('tokens').
 * @returns a number: exp(mean −log p), token-weighted over the batch ('tokens') or the mean of each sequence's own
 * ('sequences'); NaN when nothing is scored.
 * @throws as `linearTokenLogProbs`, and for an `average` that is neither.
 * @example
 * ```ts
 * const hidden = { data: Float32Array.of(1, 0.5, -0.5, 2), shape: [2, 2] };
 * const weight = { data: Float32Array.of(1, 0, 0, 1, 1, 1), shape: [3, 2] };
 * console.log(linearPerplexity(hidden, weight, [2, 1]).toFixed(4)); // → 1.8259
 * ```
 * @group Language models
 */
export function linearPerplexity<T extends FloatArray>(
  input: TensorLike<T>,
  linearWeight: TensorLike<T>,
  target: TokenTarget,
  options?: LinearPerplexityOptions,
): number {
  return inHalfAwareCall(() => {
    const caller = 'linearPerplexity';
    const o = readOptions(caller, options, [...TOKEN_OPTIONS, 'average']);
    const names = new Set(['perplexity'] as const);
    const scores = scoreHiddenStates<T>(caller, input, linearWeight, o, { target, targetName: 'target', names });
    return scores.perplexity as number;
  });
}

/**
 * `softmaxEntropy` of the logits `input · linearWeightᵀ + linearBias`, without them (as linearTokenLogProbs).
 * @param input - hidden states [d], [T, d] or [..., T, d].
 * @param linearWeight - the output layer's weight [V, d].
 * @param options - {@link LinearScoringOptions}: `linearBias`, `softcap`, `temperature` (1) and `chunkSize`.
 * @returns a Tensor of the input's shape without d: each position's entropy in nats.
 * @throws as `linearTokenLogProbs`.
 * @example
 * ```ts
 * const hidden = { data: Float32Array.of(1, 0.5, -0.5, 2), shape: [2, 2] };
 * const weight = { data: Float32Array.of(1, 0, 0, 1, 1, 1), shape: [3, 2] };
 * console.log(Array.from(linearSoftmaxEntropy(hidden, weight).data, (v) => v.toFixed(4)).join(' ')); // → 1.0202 0.8250
 * ```
 * @group Language models
 */
export function linearSoftmaxEntropy<T extends FloatArray>(
  input: TensorLike<T>,
  linearWeight: TensorLike<T>,
  options?: LinearScoringOptions,
): Tensor<T> {
  return inHalfAwareCall(() => {
    const caller = 'linearSoftmaxEntropy';
    const o = readOptions(caller, options, LINEAR_SCORING_OPTIONS);
    const names = new Set(['entropy'] as const);
    return scoreHiddenStates<T>(caller, input, linearWeight, o, { names }).entropy as Tensor<T>;
  });
}

/**
 * `topK` of the logits `input · linearWeightᵀ + linearBias`, without them (as linearTokenLogProbs): the k most
 * probable tokens of each position, best first, ties to the lower index.
 * @param input - hidden states [d], [T, d] or [..., T, d].
 * @param linearWeight - the output layer's weight [V, d].
 * @param k - how many tokens per position: an integer in [1, V].
 * @param options - {@link LinearTopKOptions}: `linearBias`, `softcap`, `temperature` (1), `chunkSize`, `target` and
 * `ignoreIndex` (-100).
 * @returns `{ indices, logProbs }`, each of shape [..., k] (and `targetLogProbs` with a target).
 * @throws as `linearTokenLogProbs`, and for a k that is not an integer in [1, V].
 * @example
 * ```ts
 * const hidden = { data: Float32Array.of(1, 0.5, -0.5, 2), shape: [2, 2] };
 * const weight = { data: Float32Array.of(1, 0, 0, 1, 1, 1), shape: [3, 2] };
 * console.log(Array.from(linearTopK(hidden, weight, 2).indices.data).join(' ')); // → 2 0 1 2
 * ```
 * @group Language models
 */
export function linearTopK<T extends FloatArray>(
  input: TensorLike<T>,
  linearWeight: TensorLike<T>,
  k: number,
  options?: LinearTopKOptions,
): TopK<T> {
  return inHalfAwareCall(() => {
    const caller = 'linearTopK';
    const o = readOptions(caller, options, [...LINEAR_SCORING_OPTIONS, 'target', 'ignoreIndex']);
    const names = new Set(o.target === undefined ? (['topK'] as const) : (['topK', 'tokenLogProbs'] as const));
    return topKOf(scoreHiddenStates<T>(caller, input, linearWeight, o, { target: o.target, k, kName: 'k', names }));
  });
}

/**
 * Every score of a language model's positions from its hidden states, in one pass over the vocabulary: the target
 * tokens' log-probabilities, ranks and accuracy, both perplexities, the top k, the entropy and the log-sum-exp of
 * `input · linearWeightᵀ + linearBias`, never holding those logits.
 * @param input - hidden states [d], [T, d] or [..., T, d].
 * @param linearWeight - the output layer's weight [V, d].
 * @param options - {@link LinearScoreOptions}: `target`, `k`, `outputs` (every result the options allow),
 * `linearBias`, `softcap`, `temperature` (1), `ignoreIndex` (-100), `shift` (false) and `chunkSize`.
 * @returns {@link LinearScores}: the results asked for.
 * @throws as `linearTopK`, and for an output that is not a result's name or needs a target or k not given.
 * @example
 * ```ts
 * const hidden = { data: Float32Array.of(1, 0.5, -0.5, 2), shape: [2, 2] };
 * const weight = { data: Float32Array.of(1, 0, 0, 1, 1, 1), shape: [3, 2] };
 * const scores = linearScore(hidden, weight, { target: [2, 1], k: 1 });
 * console.log(scores.accuracy, scores.perplexity?.toFixed(4)); // → 1 1.8259
 * ```
 * @group Language models
 */
export function linearScore<T extends FloatArray>(
  input: TensorLike<T>,
  linearWeight: TensorLike<T>,
  options?: LinearScoreOptions,
): LinearScores<T> {
  return scoreAll('linearScore', input, linearWeight, options, false) as LinearScores<T>;
}

/**
 * linearScore as an async call that keeps the event loop free: with worker threads (`init({ threads })`) its kernels
 * run on the workers alone, every one of them, while this thread goes on (on a page's main thread too); without, on
 * this thread, which yields to the event loop after a tile of the vocabulary when another as long would take it past
 * 16 ms since it last did (a short call runs through). Its results are linearScore's, bit for bit. The arguments are
 * read, and copied into WebAssembly memory, before the promise is returned (allocTensor tensors are read where they
 * lie: freeing one meanwhile rejects the call).
 * @param input - hidden states [d], [T, d] or [..., T, d].
 * @param linearWeight - the output layer's weight [V, d].
 * @param options - {@link LinearScoreAsyncOptions}: linearScore's, with `signal` and `onProgress(done, total)`.
 * @returns a promise of {@link LinearScores}.
 * @throws (as a rejection, never a throw) the signal's reason once aborted, or onProgress's error (nothing is
 * written and the call's memory is given back); what linearScore throws, and TypeErrors for a signal that is not an
 * AbortSignal, an onProgress that is not a function, and an allocTensor tensor freed while the call reads it.
 * @example
 * ```ts
 * const hidden = { data: Float32Array.of(1, 0.5, -0.5, 2), shape: [2, 2] };
 * const weight = { data: Float32Array.of(1, 0, 0, 1, 1, 1), shape: [3, 2] };
 * const steps = [];
 * const scores = await linearScoreAsync(hidden, weight, { target: [2, 1], onProgress: (done) => steps.push(done) });
 * console.log(scores.perplexity?.toFixed(4), steps.join(' ')); // → 1.8259 6
 * ```
 * @group Language models
 */
export function linearScoreAsync<T extends FloatArray>(
  input: TensorLike<T>,
  linearWeight: TensorLike<T>,
  options?: LinearScoreAsyncOptions,
): Promise<LinearScores<T>> {
  try {
    return Promise.resolve(scoreAll('linearScoreAsync', input, linearWeight, options, true) as LinearScores<T>);
  } catch (error) {
    return Promise.reject(error); // an error in the arguments rejects the promise
  }
}

/** linearScore, or (`async`) linearScoreAsync. */
function scoreAll(caller: string, input: unknown, linearWeight: unknown, options: unknown, async: boolean) {
  return inHalfAwareCall(() => {
    const steering = async ? ['signal', 'onProgress'] : [];
    const o = readOptions(caller, options, [...TOKEN_OPTIONS, 'target', 'k', 'outputs', ...steering]);
    const names = readOutputs(caller, o.outputs, o);
    return scoreHidden(caller, input, linearWeight, o, { target: o.target, k: o.k, kName: 'options.k', names }, async);
  });
}
