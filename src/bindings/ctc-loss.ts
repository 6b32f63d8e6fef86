// ctcLoss, read once and then run: the options and arguments read and checked in order, then the values (the
// labels, and a look at whether the input is normalised), then the sequences on the pipeline.
import { inHalfAwareCall } from '../core/half.js';
import { checkBoolean, checkOut, checkReduction, readOptions } from '../core/validate.js';
import { runAlongDim } from '../families/along-dim.js';
import { type CtcCall, runCtc } from '../families/ctc.js';
import { lookForUnnormalized, readBlank, readCtcInput, readCtcTargets } from '../families/ctc-read.js';
import { readGradOutput } from '../families/loss.js';
import type {
  CtcLossOptions,
  Exactly,
  FloatArray,
  GradOptions,
  IndexTarget,
  LossOutput,
  LossWithGrad,
  NoOptions,
  TensorLike,
} from '../types.js';

const OPTIONS = ['blank', 'reduction', 'zeroInfinity', 'fromLogits', 'gradOutput', 'out'] as const;

function readCtcLoss(caller: string, withGrad: boolean, args: readonly unknown[], options: unknown): CtcCall {
  const o = readOptions(caller, options, OPTIONS.slice(0, withGrad ? 6 : 4));
  const layout = readCtcInput(caller, args[0]);
  const reduction = checkReduction(caller, o.reduction);
  const zeroInfinity = checkBoolean(caller, 'zeroInfinity', o.zeroInfinity, false);
  const fromLogits = checkBoolean(caller, 'fromLogits', o.fromLogits, false);
  const blank = readBlank(caller, o.blank, layout.classes);
  const targets = readCtcTargets(caller, layout, blank, args.slice(1));
  const lossShape = layout.batched ? [layout.batch] : [];
  const gradOutput = withGrad
    ? readGradOutput(caller, o.gradOutput, lossShape, reduction !== 'none', layout.data)
    : undefined;
  const into = withGrad ? checkOut(caller, o.out, layout.data) : undefined;
  const given = layout.data;
  if (fromLogits) {
    const { data, shape, classes } = layout;
    const rows = { data, shape, size: data.length, dim: shape.length - 1, cols: classes, inner: 1 };
    layout.data = runAlongDim(caller, 'logSoftmax', { ...rows, outer: classes && data.length / classes }, 'element');
  } else lookForUnnormalized(caller, layout);
  const gradient = gradOutput === undefined ? undefined : { gradOutput, into, given: o.out };
  return { caller, layout, given, blank, reduction, zeroInfinity, gradient, ...targets };
}

/**
 * `F.ctc_loss(logProbs, targets, inputLengths, targetLengths, blank, reduction, zero_infinity)`: connectionist
 * temporal classification, −log of the probability of each target summed over all its alignments to the frames
 * (blanks between and around the labels, repeats merged), by the forward recursion in float64 (rescaled at every
 * frame, or in log space where that would underflow).
 * A target its input cannot hold (longer than the frames, counting a blank between repeated labels) has an infinite
 * loss, as in PyTorch; `zeroInfinity` makes it 0. A sequence of input length 0 has loss 0 for an empty target and
 * ∞ otherwise (PyTorch's is undefined there). Warns once when a frame's probabilities do not sum to 1.
 * @param logProbs - log-probabilities (T, N, C) (frames, sequences, classes) or (T, C): logSoftmax of the logits
 * along C, or the logits themselves with `fromLogits`.
 * @param targets - labels, never the blank: padded (N, S), or concatenated (Σ targetLengths) for (T, N, C); (S)
 * for (T, C). Int32Array, BigInt64Array, number[] or a Tensor of them.
 * @param inputLengths - each sequence's frames, in [0, T]: one per sequence (a number for (T, C)).
 * @param targetLengths - each sequence's labels: one per sequence (a number for (T, C)); at most S when padded.
 * @param options - {@link CtcLossOptions}: `blank` (0), `reduction` ('mean': each loss divided by its target
 * length, then averaged), `zeroInfinity` (false), `fromLogits` (false).
 * @returns a number for 'mean' and 'sum'; for 'none' a Tensor of one loss per sequence ([N], or [] for (T, C)).
 * @throws TypeError for a wrong kind of argument or an unknown option; RangeError for shapes, lengths out of range
 * or of the wrong count, a label out of range or equal to the blank, and a blank outside [0, C).
 * @example
 * ```ts
 * // 4 frames over the classes (blank, a, b); the target "ab"
 * const p = [0.6, 0.3, 0.1, 0.2, 0.7, 0.1, 0.5, 0.2, 0.3, 0.3, 0.1, 0.6];
 * const logProbs = { data: Float32Array.from(p, Math.log), shape: [4, 3] };
 * console.log(ctcLoss(logProbs, [1, 2], 4, 2, { reduction: 'sum' }).toFixed(4)); // → 0.7014
 * ```
 * @group CTC
 */
export function ctcLoss<T extends FloatArray, O extends CtcLossOptions = NoOptions>(
  logProbs: TensorLike<T>,
  targets: IndexTarget,
  inputLengths: IndexTarget,
  targetLengths: IndexTarget,
  options?: Exactly<O, CtcLossOptions>,
): LossOutput<O, T> {
  return inHalfAwareCall(
    () => runCtc(readCtcLoss('ctcLoss', false, [logProbs, targets, inputLengths, targetLengths], options)).loss,
  ) as LossOutput<O, T>;
}

/**
 * `ctcLoss` and PyTorch's gradient for the log-probabilities, exp(lp) − (the posterior of each class at each frame),
 * times the upstream gradient: what autograd gives, which is the gradient with respect to the logits when
 * logProbs = logSoftmax(logits) (and so, with `fromLogits`, exactly the logits' gradient). Frames past a sequence's
 * input length get 0; an infinite loss gives NaN, or 0 with `zeroInfinity`, as in PyTorch.
 * @param logProbs - as `ctcLoss` takes it.
 * @param targets - as `ctcLoss` takes them.
 * @param inputLengths - as `ctcLoss` takes them.
 * @param targetLengths - as `ctcLoss` takes them.
 * @param options - `ctcLoss`'s options and {@link GradOptions}: `gradOutput` (per sequence for 'none') and `out`.
 * @returns `{ loss, grad }`: the loss as `ctcLoss` returns it, and the gradient of logProbs' shape and dtype.
 * @throws as `ctcLoss`, and for a gradOutput or out of the wrong kind, shape, dtype or length.
 * @example
 * ```ts
 * const p = [0.6, 0.3, 0.1, 0.2, 0.7, 0.1, 0.5, 0.2, 0.3, 0.3, 0.1, 0.6];
 * const logProbs = { data: Float32Array.from(p, Math.log), shape: [4, 3] };
 * const { grad } = ctcLossWithGrad(logProbs, [1, 2], 4, 2, { reduction: 'sum' });
 * console.log(Array.from(grad.data.subarray(0, 3), (g) => g.toFixed(4)).join(' ')); // → -0.0134 -0.0866 0.1000
 * ```
 * @group CTC
 */
export function ctcLossWithGrad<T extends FloatArray, O extends CtcLossOptions & GradOptions<T> = NoOptions>(
  logProbs: TensorLike<T>,
  targets: IndexTarget,
  inputLengths: IndexTarget,
  targetLengths: IndexTarget,
  options?: Exactly<O, CtcLossOptions & GradOptions<T>>,
): LossWithGrad<LossOutput<O, T>, T> {
  return inHalfAwareCall(() =>
    runCtc(readCtcLoss('ctcLossWithGrad', true, [logProbs, targets, inputLengths, targetLengths], options)),
  ) as LossWithGrad<LossOutput<O, T>, T>;
}
