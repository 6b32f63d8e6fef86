// What crossEntropy and nllLoss share: the per-class weight, the class-index operand, and the check for the
// classic mistakes of their input. Each binding reads its own options with these and plans its own call.

import { warnOnce, warnsAbout } from '../core/instance.js';
import type { KernelName } from '../core/kernels.js';
import type { Operand } from '../core/pipeline/index.js';
import { floatValues } from '../core/validate.js';
import type { FloatArray } from '../types.js';
import { inDtype, type LossGradient, type LossPlan } from './loss.js';
import { borrowedIndices, type ClassLayout, classIndices, type IndexTarget } from './targets.js';

/** What a class loss's input must not look like. */
export type MistakeGuard = 'probabilities' | 'not log-probabilities';

/** What a class loss's plan takes from what was read: the call, the input and its layout, the gradient. */
export interface ClassRead {
  caller: string;
  x: { data: FloatArray; shape: number[] };
  layout: ClassLayout;
  gradient?: LossGradient;
}

/** The kernel's part of a class loss's plan. */
export type ClassKernelPlan<K extends KernelName> = Pick<LossPlan<K>, 'kernel' | 'reduction' | 'operands' | 'divisor'> &
  Partial<Pick<LossPlan<K>, 'scalars' | 'zDivisor' | 'zScale' | 'lse'>>;

/**
 * A class loss's plan: one value a row over the layout's rows. (Written out, not spread from a common part: V8
 * built such a spread on every call at several µs.)
 */
export function classLossPlan<K extends KernelName>(r: ClassRead, k: ClassKernelPlan<K>): LossPlan<K> {
  const { layout } = r;
  return {
    caller: r.caller,
    kernel: k.kernel,
    input: r.x,
    outer: layout.outer,
    cols: layout.classes,
    inner: layout.inner,
    lossShape: layout.lossShape,
    reduction: k.reduction,
    lossPer: 'row',
    gradient: r.gradient,
    operands: k.operands,
    scalars: k.scalars,
    divisor: k.divisor,
    zDivisor: k.zDivisor,
    zScale: k.zScale,
    lse: k.lse,
  };
}

/** A per-class weight, read (each value once), in the input's dtype; undefined when absent. */
export function readClassWeight(caller: string, value: unknown, like: FloatArray): FloatArray | undefined {
  if (value === undefined) return undefined;
  return inDtype(floatValues(caller, 'options.weight', value, 'a Float32Array, Float64Array or number[]'), like);
}

/** RangeError unless the weight has one value per class (`classes`: the whole vocabulary's, on a shard). */
export function checkWeightLength(caller: string, weight: FloatArray | undefined, classes: number): void {
  if (weight && weight.length !== classes) {
    throw new RangeError(
      `${caller}: options.weight must have one entry per class (${classes}), received length ${weight.length}`,
    );
  }
}

/**
 * Class indices checked against `bound` (ignored ones −1) as the kernel's operand, with Σ weight[t] and the count:
 * an Int32Array of indices all in range read where it lies (unless it shares memory with `written`, the call's
 * destination), any other a copy.
 */
export function classIndexOperand(
  caller: string,
  target: IndexTarget,
  bound: number,
  ignoreIndex: number,
  weight: FloatArray | undefined,
  written?: FloatArray,
) {
  const borrowed = borrowedIndices(target, bound, ignoreIndex, weight, written);
  const { indices, weightSum, count } = borrowed ?? classIndices(caller, target, bound, ignoreIndex, weight);
  const operand: Operand = { label: 'target', data: indices, per: 'row', fresh: !borrowed };
  return { operand, indices, weightSum, count };
}

/** The weight as the kernel's whole-array operand. */
export const weightOperand = (weight: FloatArray | undefined): Operand | undefined =>
  weight && { label: 'options.weight', data: weight, per: 'whole' };

/**
 * Warns (once per process, unless init({ warnings: false })) when a class input looks like a classic mistake:
 * rows that are probability distributions handed to crossEntropy (a second softmax), or values that cannot be
 * log-probabilities handed to nllLoss. It reads at most the first 64 rows and 65,536 values for crossEntropy, 1,024
 * for nllLoss (a whole row at least), and stops at the first value that rules the mistake out, so logits cost
 * crossEntropy a few reads. nllLoss's right input, log-probabilities, rules nothing out, so its budget is small: a
 * positive value shows in the first row of probabilities or logits. (With 65,536 it took 0.7 ms of every call at
 * [8192, 1000], 2.7× the loss itself.)
 */
export function lookForMistakes(
  caller: string,
  guard: MistakeGuard,
  data: FloatArray,
  layout: Pick<ClassLayout, 'classes' | 'inner' | 'rows'>,
) {
  const { classes, inner } = layout;
  const key = guard; // one warning per mistake, whichever of the function and its …WithGrad makes it
  if (!warnsAbout(key) || classes === 0) return;
  const budget = guard === 'probabilities' ? 65_536 : 1_024;
  const rows = Math.min(layout.rows, 64, Math.max(1, Math.floor(budget / classes)));
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    // element c of row r: rows run along the last dim when inner > 1 ((N, C, d…) inputs)
    const first = Math.floor(r / inner) * classes * inner + (r % inner);
    for (let c = 0; c < classes; c++) {
      const v = data[first + c * inner];
      if (guard === 'not log-probabilities' ? v > 0 : !(v >= 0 && v <= 1)) {
        if (guard === 'probabilities') return;
        warnOnce(
          key,
          `${caller} received a positive value (${v}) where log-probabilities (all ≤ 0) are expected: pass ` +
            'logSoftmax(logits), or the raw logits to crossEntropy. init({ warnings: false }) silences this.',
        );
        return;
      }
      sum += v;
    }
    if (guard === 'probabilities' && Math.abs(sum - 1) > 1e-3) return;
  }
  if (guard === 'probabilities' && rows > 0) {
    warnOnce(
      key,
      `${caller} received rows that look like probabilities (in [0, 1], each summing to 1), not logits. It applies ` +
        'its own log-softmax, so a softmax applied first is applied twice: the loss stays high and the gradients ' +
        'shrink. Pass the raw logits (the values before any softmax). init({ warnings: false }) silences this.',
    );
  }
}
