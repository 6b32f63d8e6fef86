import { inHalfAwareCall } from '../core/half.js';
import { checkBoolean, checkInteger, readOptions } from '../core/validate.js';
import { dropLastPositions, readLogits, readScale, runTokenLogProbs, scoredTargets } from '../families/scoring.js';
import type { FloatArray, ScoringTensor, Tensor, TokenScoringOptions, TokenTarget } from '../types.js';

/**
 * The log-probability of each target token: `log_softmax(logits / temperature, -1)[target]` for logits
 * [V], [T, V] or [..., T, V] and a target of the logits' shape without V. One pass per row, no [T, V] array.
 * @returns a Tensor of the target's shape (one position shorter per sequence with `shift`); ignored positions
 * hold 0.
 * @throws TypeError for a wrong kind of argument or option; RangeError for shapes, a token outside [0, V) that is
 * not ignoreIndex, or a temperature that is not finite and > 0.
 */
export function tokenLogProbs<T extends FloatArray>(
  logits: ScoringTensor<T>,
  target: TokenTarget,
  options?: TokenScoringOptions,
): Tensor<T> {
  return inHalfAwareCall(() => {
    const caller = 'tokenLogProbs';
    const o = readOptions(caller, options, ['temperature', 'ignoreIndex', 'shift']);
    const x = readLogits(caller, logits);
    const scale = readScale(caller, o.temperature, x.data);
    const shift = checkBoolean(caller, 'shift', o.shift, false);
    const { indices, shape } = scoredTargets(
      caller,
      target,
      x,
      checkInteger(caller, 'ignoreIndex', o.ignoreIndex, -100),
      shift,
    );
    const values = runTokenLogProbs(caller, x, indices, scale, false).outputs.out as T;
    return { data: shift ? dropLastPositions(values, x.shape[x.shape.length - 2]) : values, shape };
  });
}
