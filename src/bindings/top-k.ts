import { run } from '../core/pipeline.js';
import { readLogits, readScale } from '../core/scoring.js';
import { describe, readOptions } from '../core/validate.js';
import type { FloatArray, ScoringTensor, TemperatureOptions, TopK } from '../types.js';

/**
 * The k most probable tokens of each row of logits [..., V] and their log-probabilities at `temperature`,
 * as `torch.topk(log_softmax(logits / temperature, -1), k)`: sorted by descending probability, ties to the
 * lower index, NaN first (torch.topk's order). Two passes per row, no [T, V] array.
 * @returns `{ indices, logProbs }`, each of shape [..., k].
 * @throws TypeError for a k that is not an integer; RangeError for k < 1 or k > V, an empty vocabulary or a bad
 * temperature.
 */
export function topK<T extends FloatArray>(logits: ScoringTensor<T>, k: number, options?: TemperatureOptions): TopK<T> {
  const caller = 'topK';
  const o = readOptions(caller, options, ['temperature']);
  const x = readLogits(caller, logits);
  const scale = readScale(caller, o.temperature, x.data);
  if (typeof k !== 'number' || !Number.isInteger(k)) {
    throw new TypeError(`${caller}: k must be a positive integer, received ${describe(k)}`);
  }
  if (k < 1 || k > x.vocab) {
    throw new RangeError(`${caller}: k must be in [1, ${x.vocab}] (the vocabulary's size), received ${k}`);
  }
  const { outputs } = run({
    caller,
    kernel: 'topK',
    input: x.data,
    outer: x.rows,
    cols: x.vocab,
    inner: 1,
    outputs: { values: { per: 'row', width: k }, indices: { per: 'row', width: k, int32: true } },
    scalars: { scale, k },
  });
  const shape = [...x.shape.slice(0, -1), k];
  return {
    indices: { data: outputs.indices as unknown as Int32Array, shape },
    logProbs: { data: outputs.values as T, shape },
  };
}
