// CTC's arguments, read once: the (T, N, C) or (T, C) log-probabilities, the targets (padded (N, S) or
// concatenated), the lengths, and the labels gathered into padded rows of the longest target for the kernel.

import { warnOnce, warnsAbout } from '../core/instance.js';
import { checkInteger, describe, floatTensor, shapeString } from '../core/validate.js';
import type { FloatArray } from '../types.js';
import { readIndices } from './targets.js';

/** The log-probabilities' layout: frames T, sequences N, classes C; `batched` unless the input was (T, C). */
export interface CtcLayout {
  data: FloatArray;
  shape: number[];
  frames: number;
  batch: number;
  classes: number;
  batched: boolean;
}

/** Each sequence's labels, as the kernel reads them: rows of `maxTarget` labels, and the lengths. */
export interface CtcTargets {
  labels: Int32Array;
  maxTarget: number;
  inputLengths: Int32Array;
  targetLengths: Int32Array;
}

/** logProbs as (T, N, C) or (T, C). @throws TypeError, RangeError. */
export function readCtcInput(caller: string, value: unknown, name = 'logProbs'): CtcLayout {
  const x = floatTensor(caller, name, value);
  const { shape } = x;
  if (shape.length !== 2 && shape.length !== 3) {
    throw new RangeError(`${caller}: ${name} must be (T, N, C) or (T, C), received shape ${shapeString(shape)}`);
  }
  const batched = shape.length === 3;
  const [frames, batch, classes] = batched ? shape : [shape[0], 1, shape[1]];
  for (const [count, what] of [
    [frames, 'frames'],
    [batch, 'sequences'],
    [classes, 'classes'],
  ] as const) {
    if (count > 2 ** 31 - 1) throw new RangeError(`${caller}: ${name} has ${count} ${what}, more than 2^31 - 1`);
  }
  return { data: x.data, shape, frames, batch, classes, batched };
}

/** The blank's class: an integer in [0, C). */
export function readBlank(caller: string, value: unknown, classes: number): number {
  const blank = checkInteger(caller, 'blank', value, 0);
  if (blank < 0 || blank >= classes) {
    throw new RangeError(`${caller}: options.blank must be a class in [0, ${classes}), received ${blank}`);
  }
  return blank;
}

/** One length per sequence (a number for a (T, C) input), each an integer in [0, bound]. */
export function readLengths(
  caller: string,
  name: string,
  value: unknown,
  layout: CtcLayout,
  bound: number,
): Int32Array {
  const read = readIndices(caller, value, name, 'lengths');
  const { data } = read;
  if (data.length !== layout.batch || read.shape.length > 1) {
    const expected = layout.batched ? `[${layout.batch}]` : 'a number (or [1])';
    throw new RangeError(
      `${caller}: ${name} must be ${expected}, one per sequence, received ${shapeString(read.shape)}`,
    );
  }
  const lengths = new Int32Array(data.length);
  for (let n = 0; n < data.length; n++) {
    const v = data[n];
    if (!Number.isInteger(v) || v < 0 || v > bound) {
      throw new RangeError(`${caller}: ${name}[${n}] must be an integer in [0, ${bound}], received ${describe(v)}`);
    }
    lengths[n] = v;
  }
  return lengths;
}

/**
 * The targets and lengths, checked: padded (N, S) (or (S) for a (T, C) input) or concatenated (Σ targetLengths
 * values, for a (T, N, C) input), every label a class other than the blank.
 * @throws TypeError, RangeError naming the argument.
 */
export function readCtcTargets(
  caller: string,
  layout: CtcLayout,
  blank: number,
  [targets, inputLengths, targetLengths]: readonly unknown[],
): CtcTargets {
  const t = readIndices(caller, targets, 'targets');
  const padded = t.shape.length === 2 || !layout.batched;
  if (t.shape.length === 0 || t.shape.length > 2 || (!layout.batched && t.shape.length !== 1)) {
    const expected = layout.batched ? '(N, S) padded or (Σ targetLengths) concatenated' : '(S)';
    throw new RangeError(`${caller}: targets must be ${expected}, received shape ${shapeString(t.shape)}`);
  }
  if (padded && layout.batched && t.shape[0] !== layout.batch) {
    throw new RangeError(
      `${caller}: padded targets must have one row per sequence (${layout.batch}), received ${t.shape[0]}`,
    );
  }
  const width = padded ? t.shape[t.shape.length - 1] : t.data.length;
  const ins = readLengths(caller, 'inputLengths', inputLengths, layout, layout.frames);
  const lengths = readLengths(caller, 'targetLengths', targetLengths, layout, width);
  let maxTarget = 0;
  let total = 0;
  for (const L of lengths) [maxTarget, total] = [Math.max(maxTarget, L), total + L];
  if (!padded && total > width) {
    throw new RangeError(`${caller}: concatenated targets hold ${width} labels, fewer than Σ targetLengths = ${total}`);
  }
  const labels = new Int32Array(layout.batch * maxTarget);
  let start = 0;
  for (let n = 0; n < layout.batch; n++) {
    const from = padded ? n * width : start;
    for (let i = 0; i < lengths[n]; i++)
      labels[n * maxTarget + i] = checkLabel(caller, t.data[from + i], from + i, layout.classes, blank);
    start += lengths[n];
  }
  return { labels, maxTarget, inputLengths: ins, targetLengths: lengths };
}

/** A target label, targets[at]: a class in [0, classes) other than the blank. */
export function checkLabel(caller: string, v: number, at: number, classes: number, blank: number): number {
  if (!Number.isInteger(v) || v < 0 || v >= classes) {
    throw new RangeError(`${caller}: targets[${at}] must be a class in [0, ${classes}), received ${describe(v)}`);
  }
  if (v === blank) {
    throw new RangeError(`${caller}: targets[${at}] is the blank (${blank}), which a target may not contain`);
  }
  return v;
}

/**
 * Warns once when a frame's probabilities do not sum to 1 (CTC takes log-probabilities: logSoftmax of the
 * logits, or options.fromLogits). Reads at most the first 64 frames' first sequence.
 */
export function lookForUnnormalized(caller: string, layout: CtcLayout): void {
  if (!warnsAbout('ctc not normalized') || layout.classes === 0 || layout.batch === 0) return;
  const { data, batch, classes } = layout;
  for (let t = 0; t < Math.min(layout.frames, 64); t++) {
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(data[t * batch * classes + c]);
    if (Math.abs(sum - 1) > 1e-3) {
      warnOnce(
        'ctc not normalized',
        `${caller} received a frame whose probabilities sum to ${sum.toPrecision(4)}, not 1: it takes ` +
          'log-probabilities (logSoftmax of the logits), or the logits with options.fromLogits. ' +
          'init({ warnings: false }) silences this.',
      );
      return;
    }
  }
}
