// Language-model scoring, in front of the pipeline: logits [..., V] (rows of a vocabulary of V), a
// temperature, and class-index targets shaped like the logits without V, optionally shifted by one
// position (logits[t] scored against target[t + 1], as a causal language model is trained).

import { wasm } from '../core/instance.js';
import { describe, floatTensor, shapeString } from '../core/validate.js';
import type { FloatArray } from '../types.js';
import { classIndices, type IndexTarget, readTarget } from './targets.js';

export interface Logits {
  data: FloatArray;
  shape: number[];
  rows: number;
  vocab: number;
}

/** Logits of shape [..., V], V ≥ 1: `rows` rows of `vocab` values. */
export function readLogits(caller: string, logits: unknown): Logits {
  const x = floatTensor(caller, 'logits', logits);
  const vocab = x.shape.length === 0 ? 0 : x.shape[x.shape.length - 1];
  if (vocab === 0) {
    throw new RangeError(
      `${caller}: logits must have a non-empty last dim (the vocabulary), received shape ${shapeString(x.shape)}`,
    );
  }
  return { data: x.data, shape: x.shape, rows: x.size / vocab, vocab };
}

/**
 * 1 / temperature, the kernels' scale. @throws TypeError for a non-number; RangeError for a temperature that
 * is not finite and > 0, or so small that its inverse overflows the logits' dtype.
 */
export function readScale(caller: string, temperature: unknown, like: FloatArray): number {
  if (temperature === undefined) return 1;
  if (typeof temperature !== 'number') {
    throw new TypeError(`${caller}: options.temperature must be a number, received ${describe(temperature)}`);
  }
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw new RangeError(`${caller}: options.temperature must be a finite number > 0, received ${temperature}`);
  }
  const scale = like instanceof Float32Array ? Math.fround(1 / temperature) : 1 / temperature;
  if (!Number.isFinite(scale)) {
    throw new RangeError(
      `${caller}: options.temperature ${temperature} is too small: 1 / temperature overflows ${like.constructor.name}`,
    );
  }
  return scale;
}

export interface ScoredTargets {
  /** One per row of logits: the token to score, or −1 (ignored, or the last position when shifted). */
  indices: Int32Array;
  /** How many rows are scored. */
  count: number;
  /** The shape of a per-token result: the target's, one position shorter when shifted. */
  shape: number[];
}

/**
 * The target tokens, checked (integers in [0, V) or ignoreIndex) and lined up with the rows of logits. With
 * `shift` the logits need a position dim ([T, V] or [..., T, V]); row t of each sequence is scored against
 * target t + 1 and the last position is dropped.
 */
export function scoredTargets(
  caller: string,
  target: unknown,
  logits: Logits,
  ignoreIndex: number,
  shift: boolean,
  name = 'target',
  input = 'logits',
): ScoredTargets {
  const indexShape = logits.shape.slice(0, -1);
  if (shift && indexShape.length === 0) {
    const last = input === 'logits' ? 'V' : 'd';
    throw new RangeError(
      `${caller}: options.shift needs ${input} with a position dim ([T, ${last}] or [..., T, ${last}]), ` +
        `received shape [${last}]`,
    );
  }
  const read = readTarget(caller, target, logits.data, logits.shape, indexShape, name, true) as IndexTarget;
  const { indices } = classIndices(caller, read, logits.vocab, ignoreIndex, undefined);
  if (shift) {
    const positions = indexShape[indexShape.length - 1];
    // row t takes target t + 1; the last position of each sequence has none
    indices.copyWithin(0, 1);
    // (a position dim of 0 holds no rows: nothing to mark, and no loop that never advances)
    if (positions > 0) for (let end = positions - 1; end < indices.length; end += positions) indices[end] = -1;
  }
  let count = 0;
  for (let i = 0; i < indices.length; i++) if (indices[i] >= 0) count++;
  const shape = shift ? [...indexShape.slice(0, -1), Math.max(0, indexShape[indexShape.length - 1] - 1)] : indexShape;
  return { indices, count, shape };
}

/** A per-position result without the last position of each sequence (dropped by `shift`). */
export function dropLastPositions<T extends FloatArray>(values: T, positions: number): T {
  const Values = values.constructor as new (n: number) => T;
  if (positions <= 1) return new Values(0);
  const kept = new Values((values.length / positions) * (positions - 1));
  for (let from = 0, to = 0; from < values.length; from += positions, to += positions - 1) {
    kept.set(values.subarray(from, from + positions - 1), to);
  }
  return kept;
}

/** How perplexity averages: over every scored token, or over sequences of `positions` rows. */
export type PerplexityAverage = 'tokens' | 'sequences';

/** The perplexity option `average`. */
export function readAverage(caller: string, value: unknown): PerplexityAverage {
  if (value === undefined || value === 'tokens' || value === 'sequences') return value ?? 'tokens';
  const error = typeof value === 'string' ? RangeError : TypeError;
  throw new error(`${caller}: options.average must be 'tokens' or 'sequences', received ${describe(value)}`);
}

/**
 * exp(mean −log p) from each row's target log-probability (rows whose index is < 0 left out): over every scored
 * row, or the mean over sequences (runs of `positions` rows) of each one's own, leaving out sequences with none.
 * Float32 as PyTorch's float32: each sum and mean rounded to float32 before the exp, the result rounded.
 */
export function perplexityOf(
  caller: string,
  values: FloatArray,
  indices: Int32Array,
  positions: number,
  average: PerplexityAverage,
): number {
  const { exp } = wasm(caller);
  const f32 = values instanceof Float32Array;
  const round = f32 ? Math.fround : (v: number) => v;
  const of = (start: number, end: number) => {
    let sum = 0;
    let count = 0;
    for (let i = start; i < end; i++) {
      if (indices[i] < 0) continue;
      sum += values[i];
      count++;
    }
    const mean = f32 ? Math.fround(Math.fround(sum) / count) : sum / count;
    return { count, value: round(exp(-mean)) };
  };
  if (average === 'tokens') return of(0, values.length).value;
  const span = Math.max(positions, 1);
  let total = 0;
  let sequences = 0;
  for (let start = 0; start < values.length; start += span) {
    const sequence = of(start, Math.min(start + span, values.length));
    if (sequence.count === 0) continue;
    total += sequence.value;
    sequences++;
  }
  return round(total / sequences);
}
