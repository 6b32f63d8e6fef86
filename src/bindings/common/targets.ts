// Classifies and checks loss targets: class indices (integers, shaped like the input without its
// class dim) or probabilities (floats of the input's shape and dtype).
import type { FloatArray } from '../../types.js';
import { checkFloatTensor, checkShape, describe, elementName, isFloatArray, product, rejectDetached, shapeString } from './validate.js';

const INTEGER_ARRAYS = [Int32Array, Uint8Array, Uint16Array, Uint32Array, Int8Array, Int16Array];

export type IndexTargetParts = { kind: 'index'; data: ArrayLike<number>; shape: number[] };
export type CheckedTarget = IndexTargetParts | { kind: 'probability'; data: FloatArray; shape: number[] };

const isIndexArray = (value: unknown): value is ArrayLike<number> =>
  Array.isArray(value) || INTEGER_ARRAYS.some((Type) => value instanceof Type);

/**
 * Class indices: an integer typed array or number[], bare (shape [length]) or as a Tensor of
 * `indexShape`. Probabilities: a float Tensor of `inputShape` and the input's dtype.
 */
export function checkTarget(
  caller: string, target: unknown, input: FloatArray, inputShape: number[], indexShape: number[],
): CheckedTarget {
  const isTensor = typeof target === 'object' && target !== null && !Array.isArray(target) && !ArrayBuffer.isView(target);
  if (isTensor && isFloatArray((target as { data?: unknown }).data)) {
    const { data, shape } = checkFloatTensor(caller, 'target', target);
    if (data.constructor !== input.constructor) {
      throw new TypeError(
        `${caller}: probability target.data must be a ${input.constructor.name} like the input, received ${describe(data)}`,
      );
    }
    if (shapeString(shape) !== shapeString(inputShape)) {
      throw new RangeError(
        `${caller}: probability target must have the input's shape ${shapeString(inputShape)}, received ${shapeString(shape)}`,
      );
    }
    return { kind: 'probability', data, shape };
  }
  const data = isTensor ? (target as { data?: unknown }).data : target;
  if (!isIndexArray(data)) {
    throw new TypeError(
      `${caller}: target must be class indices (an integer typed array or number[], or a Tensor of them) or a ` +
        `Tensor of probabilities with the input's dtype, received ${describe(isTensor ? data : target)}`,
    );
  }
  rejectDetached(caller, isTensor ? 'target.data' : 'target', data);
  const shape = isTensor ? checkShape(caller, 'target', (target as { shape?: unknown }).shape) : [data.length];
  if (product(shape) !== data.length) {
    throw new RangeError(`${caller}: target.shape ${shapeString(shape)} holds ${product(shape)} elements but target.data has ${data.length}`);
  }
  if (shapeString(shape) !== shapeString(indexShape)) {
    throw new RangeError(
      `${caller}: class-index target must have shape ${shapeString(indexShape)} (the input's shape without its class dim), received ${shapeString(shape)}`,
    );
  }
  return { kind: 'index', data, shape };
}

/**
 * Writes class indices into `out` as int32, ignored ones as −1, and returns Σ weight[t] over the
 * rows that are not ignored (their count without weights): the divisor of 'mean'.
 */
export function writeClassIndices(
  caller: string, target: { data: ArrayLike<number>; shape: number[] }, classes: number, ignoreIndex: number,
  weight: ArrayLike<number> | undefined, out: Int32Array,
): number {
  const { data, shape } = target;
  let weightSum = 0;
  for (let i = 0; i < data.length; i++) {
    const t = data[i];
    if (t === ignoreIndex) {
      out[i] = -1;
      continue;
    }
    if (!Number.isInteger(t)) {
      throw new TypeError(`${caller}: ${elementName('target', i, shape)} = ${describe(t)} is not an integer class index`);
    }
    if (t < 0 || t >= classes) {
      throw new RangeError(
        `${caller}: ${elementName('target', i, shape)} = ${t} is out of range: class indices must be in [0, ${classes}) or equal ignoreIndex (${ignoreIndex})`,
      );
    }
    out[i] = t;
    weightSum += weight ? weight[t] : 1;
  }
  return weightSum;
}

/** (C), (N, C) or (N, C, d1, …, dk): the class dim and the rows the loss is taken over. */
export interface ClassLayout {
  classDim: number;
  classes: number;
  outer: number;
  inner: number;
  rows: number;
  /** The loss's shape for 'none': the input's without the class dim. */
  lossShape: number[];
}

export function classLayout(caller: string, shape: number[]): ClassLayout {
  if (shape.length === 0) {
    throw new RangeError(`${caller}: input must have shape (C), (N, C) or (N, C, d1, …, dk), received ${shapeString(shape)}`);
  }
  const classDim = shape.length === 1 ? 0 : 1;
  const outer = shape.length === 1 ? 1 : shape[0];
  const inner = product(shape.slice(2));
  return {
    classDim, classes: shape[classDim], outer, inner, rows: outer * inner,
    lossShape: shape.filter((_, d) => d !== classDim),
  };
}
