// crossEntropy, read once and then run: every argument and option, the language-model ones and the vocabulary
// shard included, is read and checked here in one fixed order (readCrossEntropy); the plan is a function of
// what was read (planCrossEntropy); the row kernel runs it and the loss is reduced in one place (runLoss).
import { Handoff } from '../core/direct.js';
import { inHalfAwareCall } from '../core/half.js';
import {
  checkInteger,
  checkNumberIn,
  checkReduction,
  floatTensor,
  readOptions,
  shapeString,
} from '../core/validate.js';
import {
  checkWeightLength,
  classIndexOperand,
  classLossPlan,
  lookForMistakes,
  readClassWeight,
  weightOperand,
} from '../families/class-loss.js';
import { directCrossEntropy } from '../families/direct-cross-entropy.js';
import {
  LANGUAGE_MODEL_GRAD_OPTIONS,
  LANGUAGE_MODEL_OPTIONS,
  type LanguageModelOptions,
  readLanguageModelOptions,
} from '../families/language-model.js';
import { type LossPlan, readLossGradient, runLoss } from '../families/loss.js';
import { type CheckedTarget, type ClassLayout, classLayout, readClassDim, readTarget } from '../families/targets.js';
import type {
  CrossEntropyGradOptions,
  CrossEntropyOptions,
  Exactly,
  FloatArray,
  GradOptions,
  IndexTarget,
  LossOutput,
  LossWithGrad,
  NoOptions,
  ProbabilityTarget,
  TensorLike,
} from '../types.js';

const OPTIONS = [
  'weight',
  'ignoreIndex',
  'reduction',
  'labelSmoothing',
  'classDim',
  ...LANGUAGE_MODEL_OPTIONS,
] as const;
const GRAD_OPTIONS = [...OPTIONS, 'gradOutput', 'out', ...LANGUAGE_MODEL_GRAD_OPTIONS] as const;

/** The call's arguments and options, read and checked once, in order (class indices checked last). */
function readCrossEntropy(caller: string, withGrad: boolean, input: unknown, targetArg: unknown, o: ReadOptions) {
  const x = floatTensor(caller, 'input', input);
  const layout = classLayout(caller, x.shape, readClassDim(caller, o.classDim));
  const reduction = checkReduction(caller, o.reduction);
  const smoothing = checkNumberIn(caller, 'labelSmoothing', o.labelSmoothing, 0, 0, 1);
  const lm = readLanguageModelOptions(caller, o, x.data, reduction);
  const ignoreIndex = checkInteger(caller, 'ignoreIndex', o.ignoreIndex, -100);
  const weight = readClassWeight(caller, o.weight, x.data);
  const vocabSize = vocabularySize(caller, lm, layout.classes, weight?.length);
  checkWeightLength(caller, weight, vocabSize ?? layout.classes);
  const target = readTarget(caller, targetArg, x.data, x.shape, layout.lossShape);
  checkTargetKind(caller, target, ignoreIndex, lm, layout);
  const gradient = withGrad
    ? readLossGradient(caller, o.gradOutput, o.out, lm.accumulate, layout.lossShape, reduction !== 'none', x.data)
    : undefined;
  // last, the values: the input's look, the class indices' range
  lookForMistakes(caller, 'probabilities', x.data, layout);
  const indices =
    target.kind === 'index'
      ? classIndexOperand(caller, target, vocabSize ?? layout.classes, ignoreIndex, weight, gradient?.into)
      : undefined;
  return { caller, x, layout, reduction, smoothing, lm, weight, vocabSize, target, gradient, indices };
}

type Read = ReturnType<typeof readCrossEntropy>;

/**
 * The vocabulary's size on a shard (options.lse given): from vocabSize or from a weight for the whole
 * vocabulary; class indices are checked against it (a shard cannot tell a target beyond the vocabulary from one
 * in another shard). Undefined for a call on the whole vocabulary.
 */
function vocabularySize(
  caller: string,
  lm: LanguageModelOptions,
  classes: number,
  weightLength: number | undefined,
): number | undefined {
  if (!lm.lse) return undefined;
  const vocabSize = lm.vocabSize ?? weightLength;
  if (vocabSize === undefined) {
    throw new TypeError(
      `${caller}: a vocabulary shard (options.lse given) needs options.vocabSize, the whole vocabulary's size, ` +
        'or a weight for the whole vocabulary; received neither',
    );
  }
  if (vocabSize < lm.vocabStart + classes) {
    throw new RangeError(
      `${caller}: the vocabulary (${vocabSize}) must hold the shard's columns ` +
        `[${lm.vocabStart}, ${lm.vocabStart + classes})`,
    );
  }
  return vocabSize;
}

/** What a kind of target rules out: ignoreIndex ≥ 0 and the language-model options with probabilities. */
function checkTargetKind(
  caller: string,
  target: CheckedTarget,
  ignoreIndex: number,
  lm: LanguageModelOptions,
  layout: ClassLayout,
) {
  if (target.kind === 'probability' && ignoreIndex >= 0) {
    throw new RangeError(
      `${caller}: options.ignoreIndex must be negative with probability targets (as in PyTorch), ` +
        `received ${ignoreIndex}`,
    );
  }
  if (target.kind === 'probability' && lm.given.length > 0) {
    throw new TypeError(`${caller}: options.${lm.given[0]} needs class-index targets, received probabilities`);
  }
  if (lm.lse && lm.lse.length !== layout.rows) {
    throw new RangeError(
      `${caller}: options.lse must hold one log-sum-exp per row (${layout.rows}), received length ${lm.lse.length}`,
    );
  }
  if (lm.lseShape && shapeString(lm.lseShape) !== shapeString(layout.lossShape)) {
    throw new RangeError(
      `${caller}: options.lse must be shaped like the loss per row ${shapeString(layout.lossShape)}, ` +
        `received ${shapeString(lm.lseShape)}`,
    );
  }
}

/** The kernel call and what 'mean' divides by: a function of what was read. */
function planCrossEntropy(r: Read): LossPlan<'crossEntropyIndex'> | LossPlan<'crossEntropyProb'> {
  const { layout, lm, indices } = r;
  if (!indices) {
    const targets = { label: 'target', data: r.target.data as FloatArray, per: 'element' as const };
    return classLossPlan(r, {
      kernel: 'crossEntropyProb',
      reduction: r.reduction,
      operands: { targets, weight: weightOperand(r.weight) },
      scalars: { smoothing: r.smoothing },
      divisor: layout.classes === 0 ? Number.NaN : layout.rows, // PyTorch's numel / C: 0 / 0 without classes
    });
  }
  // 'mean' divides the loss by Σ w_t and the z-loss by the rows counted (Liger-Kernel's); a divisor given for
  // 'sum' divides both (the z-loss by zLossDivisor when that is given) as 'mean' does its own
  const given = lm.divisor !== undefined;
  const lseIn = lm.lse && { label: 'options.lse', data: lm.lse, per: 'row' as const };
  return classLossPlan(r, {
    kernel: 'crossEntropyIndex',
    reduction: given ? 'mean' : r.reduction,
    operands: { targets: indices.operand, weight: weightOperand(r.weight), lseIn },
    scalars: {
      smoothing: r.smoothing,
      softcap: lm.softcap,
      // a z-loss is counted once: by the shard that starts the vocabulary
      zScale: lm.vocabStart > 0 ? 0 : (lm.zScale ?? 0),
      vocabStart: lm.vocabStart,
      vocabSize: r.vocabSize ?? layout.classes,
      safe: lm.safe ? 1 : 0,
    },
    divisor: given ? (lm.divisor as number) : indices.weightSum,
    zDivisor: given ? (lm.zLossDivisor ?? lm.divisor) : indices.count,
    zScale: lm.zScale,
    lse: lm.returnLse,
  });
}

type ReadOptions = Readonly<Partial<Record<(typeof GRAD_OPTIONS)[number], unknown>>>;

/** A call: its options read, then the direct path for a small one, else the pipeline's plan. */
function crossEntropyOf(caller: string, withGrad: boolean, input: unknown, target: unknown, options: unknown) {
  const o: ReadOptions = readOptions(caller, options, withGrad ? GRAD_OPTIONS : OPTIONS);
  const direct = directCrossEntropy(caller, withGrad, input, target, o);
  if (!(direct instanceof Handoff)) return direct;
  const [x, t] = direct.args;
  return inHalfAwareCall(() => {
    const plan = planCrossEntropy(readCrossEntropy(caller, withGrad, x, t, o));
    return plan.kernel === 'crossEntropyIndex' ? runLoss(plan) : runLoss(plan as LossPlan<'crossEntropyProb'>);
  });
}

/**
 * `F.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)`: log-softmax over the class
 * dim and negative log-likelihood in one fused pass. Pass the raw logits: a softmax applied first is applied twice.
 * With class indices it also takes the language-model options: z-loss (`lseSquareScale`), `softcap`, `safe`,
 * `divisor`, and vocabulary shards (`vocabStart` with the global `lse`).
 * @param input - logits (C), (N, C) or (N, C, d1, …, dk); with `classDim: -1`, (…, C) with classes last.
 * @param target - class indices shaped like the input without its class dim (a bare array for [N], a number for
 * (C)), or probabilities of the input's shape and dtype.
 * @param options - {@link CrossEntropyOptions}: `weight`, `ignoreIndex` (-100), `reduction` ('mean'),
 * `labelSmoothing` (0), `classDim` (1) and the language-model options.
 * @returns a number for 'mean' and 'sum' (the z-loss included); for 'none' a Tensor shaped like the target's
 * indices.
 * @throws TypeError for a wrong kind of argument or an unknown option; RangeError for shapes, indices out of range,
 * weight length ≠ C, labelSmoothing outside [0, 1], ignoreIndex ≥ 0 with probabilities, a softcap or divisor ≤ 0.
 * @example
 * ```ts
 * const logits = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * console.log(crossEntropy(logits, [0, 1]).toFixed(4)); // → 0.3185
 * const perRow = crossEntropy(logits, [0, 1], { reduction: 'none', labelSmoothing: 0.1 });
 * console.log(Array.from(perRow.data, (v) => v.toFixed(4)).join(' ')); // → 0.5137 0.3600
 * ```
 * @group Class losses
 */
export function crossEntropy<T extends FloatArray, O extends CrossEntropyOptions = NoOptions>(
  input: TensorLike<T>,
  target: IndexTarget | ProbabilityTarget<T>,
  options?: Exactly<O, CrossEntropyOptions>,
): LossOutput<O, T> {
  return crossEntropyOf('crossEntropy', false, input, target, options).loss as LossOutput<O, T>;
}

/**
 * `crossEntropy` and its gradient with respect to the logits in one call (exp once per element):
 * grad = gradOutput · (softmax · Σq − q) per row, q the weighted, smoothed target, scaled by the reduction.
 * @param input - logits, as `crossEntropy` takes them.
 * @param target - class indices or probabilities, as `crossEntropy` takes them.
 * @param options - `crossEntropy`'s options and {@link CrossEntropyGradOptions}: `gradOutput`, `out` (which may be
 * `input.data`: in place), `accumulate`, `returnLse`.
 * @returns `{ loss, grad }`: the loss as `crossEntropy` returns it and ∂loss/∂input of the input's shape; also
 * `zLoss` (with `lseSquareScale`) and `lse` (with `returnLse`).
 * @throws as `crossEntropy`, and for `gradOutput` or `out` of the wrong kind, shape, dtype or length, or an `out`
 * that overlaps another argument other than exactly the input.
 * @example
 * ```ts
 * const logits = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * const { loss, grad } = crossEntropyWithGrad(logits, [0, 1]);
 * console.log(loss.toFixed(4)); // → 0.3185
 * console.log(Array.from(grad.data, (g) => g.toFixed(4)).join(' ')); // → -0.1705 0.1212 0.0493 0.0543 -0.0988 0.0445
 * ```
 * @group Class losses
 */
export function crossEntropyWithGrad<
  T extends FloatArray,
  O extends CrossEntropyOptions & CrossEntropyGradOptions & GradOptions<T> = NoOptions,
>(
  input: TensorLike<T>,
  target: IndexTarget | ProbabilityTarget<T>,
  options?: Exactly<O, CrossEntropyOptions & CrossEntropyGradOptions & GradOptions<T>>,
): LossWithGrad<LossOutput<O, T>, T> {
  return crossEntropyOf('crossEntropyWithGrad', true, input, target, options) as LossWithGrad<LossOutput<O, T>, T>;
}
