import { checkInteger, floatValues, readOptions } from '../core/validate.js';
import { classIndices, readIndices } from '../families/targets.js';
import type { IndexTarget, MeanDivisorOptions } from '../types.js';

/**
 * What `crossEntropy`'s (and `nllLoss`'s) 'mean' divides by for class-index targets: Σ weight[t] over the targets
 * that are not ignoreIndex (their count without a weight). Give the whole batch's to each shard's `divisor`
 * (with reduction 'sum') and the shards' losses and gradients sum to the batch's 'mean'.
 * @throws TypeError for targets that are not integers or a weight that is not numbers; RangeError for a negative
 * target that is not ignoreIndex, or one at or beyond the weight's length.
 * @param target - class indices, as crossEntropy takes them.
 * @param options - {@link MeanDivisorOptions}: `weight` (per class) and `ignoreIndex` (-100).
 * @returns Σ weight[t] over the targets counted (their count without a weight).
 * @example
 * ```ts
 * console.log(meanDivisor([0, -100, 2], { weight: [1, 2, 3] })); // → 4
 * ```
 * @group Language models
 */
export function meanDivisor(target: IndexTarget, options?: MeanDivisorOptions): number {
  const caller = 'meanDivisor';
  const o = readOptions(caller, options, ['weight', 'ignoreIndex']);
  const ignoreIndex = checkInteger(caller, 'ignoreIndex', o.ignoreIndex, -100);
  const weight =
    o.weight === undefined
      ? undefined
      : floatValues(caller, 'options.weight', o.weight, 'a Float32Array, Float64Array or number[]');
  const indices = readIndices(caller, target);
  return classIndices(caller, indices, weight ? weight.length : Infinity, ignoreIndex, weight).weightSum;
}
