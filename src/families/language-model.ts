// crossEntropy's language-model options (Liger-Kernel's z-loss and softcap, optax's safe masking, exact
// sharding over rows and over the vocabulary), read and checked once. They need class-index targets.

import {
  checkBoolean,
  checkInteger,
  checkPositive,
  checkShape,
  describe,
  floatValues,
  tensorFields,
} from '../core/validate.js';
import type { FloatArray } from '../types.js';
import type { AnyReduction } from './finish.js';

export interface LanguageModelOptions {
  /** The options given, by name (for the error when the targets are probabilities). */
  given: string[];
  /** c of c · tanh(x / c); 0: no softcap. */
  softcap: number;
  /** The z-loss's scale s of s · lse²; undefined: no z-loss (and no `zLoss` in the result). */
  zScale?: number;
  returnLse: boolean;
  safe: boolean;
  /** Divides the 'sum' (loss and gradient) instead of 'mean''s own divisor. */
  divisor?: number;
  /** Divides the z-loss's 'sum'; defaults to `divisor`. */
  zLossDivisor?: number;
  /** Vocabulary shards: the first column's index, the global per-row log-sum-exp, the vocabulary's size. */
  vocabStart: number;
  lse?: Float64Array;
  /** The shape `lse` was given with (a Tensor's), or undefined for a flat array. */
  lseShape?: number[];
  vocabSize?: number;
  accumulate: boolean;
}

export const LANGUAGE_MODEL_OPTIONS = [
  'lseSquareScale',
  'softcap',
  'safe',
  'divisor',
  'zLossDivisor',
  'vocabStart',
  'vocabSize',
  'lse',
] as const;
export const LANGUAGE_MODEL_GRAD_OPTIONS = ['returnLse', 'accumulate'] as const;
const ALL_OPTIONS = [...LANGUAGE_MODEL_OPTIONS, ...LANGUAGE_MODEL_GRAD_OPTIONS];

type Read = Readonly<Partial<Record<string, unknown>>>;

/** Reads the options (each once); the per-row `lse` is checked against the rows later. */
export function readLanguageModelOptions(
  caller: string,
  o: Read,
  like: FloatArray,
  reduction: AnyReduction,
): LanguageModelOptions {
  const given = ALL_OPTIONS.filter((k) => o[k] !== undefined);
  // 0 is what meanDivisor gives when every target is ignored: then, as 'mean' over no rows, the loss is NaN
  const divisor = checkPositive(caller, 'divisor', o.divisor, undefined, true);
  const zLossDivisor = checkPositive(caller, 'zLossDivisor', o.zLossDivisor, undefined, true);
  if (zLossDivisor !== undefined && divisor === undefined) {
    throw new TypeError(
      `${caller}: options.zLossDivisor divides the z-loss of a call given options.divisor, which is missing`,
    );
  }
  if (divisor !== undefined && reduction !== 'sum') {
    throw new RangeError(
      `${caller}: options.divisor needs reduction: 'sum' ` + `(it divides the sum), received reduction: '${reduction}'`,
    );
  }
  const vocabStart = checkInteger(caller, 'vocabStart', o.vocabStart, 0);
  if (vocabStart < 0) throw new RangeError(`${caller}: options.vocabStart must be ≥ 0, received ${vocabStart}`);
  const { data: lse, shape: lseShape } = o.lse === undefined ? {} : readLse(caller, o.lse, like);
  if (o.vocabStart !== undefined && !lse) {
    throw new TypeError(
      `${caller}: options.vocabStart needs options.lse, the rows' log-sum-exp over the whole vocabulary ` +
        "(logSumExp of the shards' log-sum-exps)",
    );
  }
  const vocabSize = o.vocabSize === undefined ? undefined : checkInteger(caller, 'vocabSize', o.vocabSize, 0);
  if (vocabSize !== undefined && vocabSize < 1) {
    throw new RangeError(`${caller}: options.vocabSize must be ≥ 1, received ${vocabSize}`);
  }
  return {
    given,
    softcap: checkPositive(caller, 'softcap', o.softcap, 0),
    zScale: checkPositive(caller, 'lseSquareScale', o.lseSquareScale, undefined, true),
    returnLse: checkBoolean(caller, 'returnLse', o.returnLse, false),
    safe: checkBoolean(caller, 'safe', o.safe, false),
    divisor,
    zLossDivisor,
    vocabStart,
    lse,
    lseShape,
    vocabSize,
    accumulate: checkBoolean(caller, 'accumulate', o.accumulate, false),
  };
}

/**
 * The global per-row log-sum-exp: a Float64Array (`logSumExp(…, { dtype: 'float64' })`, exact enough for float32
 * shards) or an array of the input's dtype, or a Tensor of one; handed to the kernel as float64.
 */
function readLse(caller: string, value: unknown, like: FloatArray): { data: Float64Array; shape?: number[] } {
  const types = like instanceof Float64Array ? 'Float64Array' : 'Float64Array or Float32Array';
  const expected = `a ${types} (or a Tensor of one) of the rows' log-sum-exp`;
  const isTensor = typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !Array.isArray(value);
  const fields = isTensor ? tensorFields(caller, 'options.lse', value, expected) : undefined;
  const raw = fields ? fields.data : value;
  if (Array.isArray(raw)) throw new TypeError(`${caller}: options.lse must be ${expected}, received ${describe(raw)}`);
  const data = floatValues(caller, 'options.lse', raw, expected);
  if (!(data instanceof Float64Array) && data.constructor !== like.constructor) {
    throw new TypeError(`${caller}: options.lse must be ${expected}, received ${describe(data)}`);
  }
  const shape = fields && checkShape(caller, 'options.lse', fields.shape);
  return { data: data instanceof Float64Array ? data : Float64Array.from(data), shape };
}
