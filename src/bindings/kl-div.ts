import { warnOnce, warnsAbout } from '../core/instance.js';
import { checkBoolean } from '../core/validate.js';
import { type PairLossSpec, pairLossCall } from '../families/pair-loss.js';
import type {
  Exactly,
  FloatArray,
  GradOptions,
  KlDivOptions,
  LossOutput,
  LossWithGrad,
  NoOptions,
  TensorLike,
} from '../types.js';

const KL_DIV: PairLossSpec<'klDiv' | 'klDivLogTarget'> = {
  name: 'klDiv',
  options: ['logTarget'],
  reductions: ['none', 'mean', 'sum', 'batchmean'],
  kernel: (options, caller) =>
    checkBoolean(caller, 'logTarget', options.logTarget, false) ? 'klDivLogTarget' : 'klDiv',
  check: lookForProbabilities,
};

/**
 * Warns once (unless init({ warnings: false })) when the input has a positive value among its first 1,024: log q is
 * never positive, so the input holds probabilities (or logits) where PyTorch's kl_div expects log-probabilities.
 */
function lookForProbabilities(data: ArrayLike<number>): void {
  if (!warnsAbout('klDiv input')) return;
  for (let i = 0; i < Math.min(data.length, 1024); i++) {
    if (!(data[i] > 0)) continue;
    warnOnce(
      'klDiv input',
      `klDiv received a positive value (${data[i]}) in its input, which holds log-probabilities (log q, all ≤ 0): ` +
        'pass logSoftmax(logits), not probabilities. init({ warnings: false }) silences this.',
    );
    return;
  }
}

/**
 * `F.kl_div(input, target, reduction, log_target)`: pointwise p·(log p − input), with `input` = log q and 0·log 0 =
 * 0. `reduction: 'batchmean'` gives KL(p‖q) per sample ('mean' divides by every element, as PyTorch). Warns
 * once when the input holds a positive value: log q never does.
 * @param input - log q: log-probabilities (logSoftmax of logits), any shape.
 * @param target - p (or log p with `logTarget: true`), of the input's shape and dtype.
 * @param options - {@link KlDivOptions}: `reduction` ('mean'; also 'batchmean') and `logTarget` (false).
 * @returns a number for 'mean', 'batchmean' and 'sum', a Tensor of the input's shape for 'none'.
 * @throws TypeError / RangeError for the kinds and shapes of the arguments.
 * @example
 * ```ts
 * const logQ = logSoftmax({ data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] });
 * const p = softmax({ data: Float32Array.of(1, 1, 2, 0, 3, 1), shape: [2, 3] });
 * console.log(klDiv(logQ, p, { reduction: 'batchmean' }).toFixed(4)); // → 0.3896
 * ```
 * @group Divergence and regression losses
 */
export function klDiv<T extends FloatArray, O extends KlDivOptions = NoOptions>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, KlDivOptions>,
): LossOutput<O, T> {
  return pairLossCall(KL_DIV, false, [input, target, options]).loss as LossOutput<O, T>;
}

/**
 * `klDiv` and its gradient with respect to the input: −p (−exp(target) with logTarget), scaled by the reduction.
 * @param input - log q: log-probabilities, any shape.
 * @param target - p (or log p with `logTarget: true`), of the input's shape and dtype.
 * @param options - the loss's options and {@link GradOptions}: `gradOutput` (1, or a Tensor of the loss's shape for
 * 'none') and `out` (the input's dtype and length; it may be `input.data`: in place).
 * @returns `{ loss, grad }`: the loss as klDiv returns it, and ∂loss/∂input of the input's shape.
 * @throws as klDiv, and for a gradOutput or out of the wrong kind, shape, dtype or length.
 * @example
 * ```ts
 * const logQ = logSoftmax({ data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] });
 * const p = softmax({ data: Float32Array.of(1, 1, 2, 0, 3, 1), shape: [2, 3] });
 * const { grad } = klDivWithGrad(logQ, p, { reduction: 'batchmean' });
 * console.log(Array.from(grad.data, (g) => g.toFixed(3)).join(' ')); // → -0.106 -0.106 -0.288 -0.021 -0.422 -0.057
 * ```
 * @group Divergence and regression losses
 */
export function klDivWithGrad<T extends FloatArray, O extends KlDivOptions & GradOptions<T> = NoOptions>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, KlDivOptions & GradOptions<T>>,
): LossWithGrad<LossOutput<O, T>, T> {
  return pairLossCall(KL_DIV, true, [input, target, options]) as LossWithGrad<LossOutput<O, T>, T>;
}
