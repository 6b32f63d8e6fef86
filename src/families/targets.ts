// Loss targets, read once: class indices (integers, shaped like the input without its class dim) or
// probabilities (floats of the input's shape and dtype); and the (N, C, d1…dk) layout of class losses.

import {
  checkShape,
  checkSize,
  copied,
  describe,
  elementName,
  floatTensor,
  INTEGER_ARRAY_NAMES,
  isShared,
  ownView,
  product,
  shapeString,
  sharesMemory,
  tensorFields,
  typedArrayTag,
} from '../core/validate.js';
import type { FloatArray } from '../types.js';

/** `name`: the argument's name in errors ('target', or topK's 'options.target'). */
export type IndexTarget = { kind: 'index'; data: ArrayLike<number>; shape: number[]; name?: string };
export type CheckedTarget = IndexTarget | { kind: 'probability'; data: FloatArray; shape: number[] };

const isFloatTag = (value: unknown) =>
  ['Float32Array', 'Float64Array', 'Float16Array'].includes(typedArrayTag(value) ?? '');

/** Class indices as an integer array or number[] (a snapshot: a fresh view, or a copy), else undefined. */
function indexArray(caller: string, name: string, value: unknown): ArrayLike<number> | undefined {
  if (Array.isArray(value)) return copied(value, caller, name) as number[];
  // int64 token ids (onnxruntime, transformers.js): as numbers, exact within ±2^53 (larger ones are out of range)
  const wide = ownView(caller, name, value, ['BigInt64Array', 'BigUint64Array']) as BigInt64Array | undefined;
  if (wide) return Float64Array.from(wide, Number);
  return ownView(caller, name, value, INTEGER_ARRAY_NAMES) as Int32Array | undefined;
}

/** Class indices of any shape: an integer typed array or number[] (shape [length]), a Tensor of them, or a number. */
export function readIndices(caller: string, target: unknown, name = 'target', kind = 'class indices'): IndexTarget {
  const bare = Array.isArray(target) || ArrayBuffer.isView(target) || typeof target === 'number';
  const fields = bare ? undefined : tensorFields(caller, name, target, kind);
  return indicesOf(caller, target, fields, '', name, kind);
}

function indicesOf(
  caller: string,
  target: unknown,
  fields: { data: unknown; shape: unknown } | undefined,
  orElse: string,
  name: string,
  kind = 'class indices',
): IndexTarget {
  // a plain number: a 0-dim tensor, as PyTorch takes torch.tensor(3) for a (C) input
  if (typeof target === 'number') return { kind: 'index', data: [target], shape: [], name };
  const raw = fields ? fields.data : target;
  const data = indexArray(caller, fields ? `${name}.data` : name, raw);
  if (!data) {
    throw new TypeError(
      `${caller}: ${name} must be ${kind} (an integer typed array or number[], or a Tensor of them)` +
        `${orElse ? ` ${orElse}` : ''}, received ${describe(raw)}`,
    );
  }
  const shape = fields ? checkShape(caller, name, fields.shape) : [data.length];
  checkSize(caller, name, shape, data.length);
  return { kind: 'index', data, shape, name };
}

/**
 * Class indices: an integer typed array or number[], bare (shape [length]) or as a Tensor of `indexShape`.
 * Probabilities (unless `indicesOnly`): a float Tensor of `inputShape` and the input's dtype.
 */
export function readTarget(
  caller: string,
  target: unknown,
  input: FloatArray,
  inputShape: number[],
  indexShape: number[],
  name = 'target',
  indicesOnly = false,
): CheckedTarget {
  const bare = Array.isArray(target) || ArrayBuffer.isView(target) || typeof target === 'number';
  const kinds = indicesOnly ? 'class indices' : 'class indices or a Tensor of probabilities';
  const fields = bare ? undefined : tensorFields(caller, name, target, kinds);
  if (fields && !indicesOnly && isFloatTag(fields.data)) {
    const { data, shape } = floatTensor(caller, name, target);
    if (data.constructor !== input.constructor) {
      throw new TypeError(
        `${caller}: probability ${name}.data must be a ${input.constructor.name} like the input, ` +
          `received ${describe(data)}`,
      );
    }
    if (shapeString(shape) !== shapeString(inputShape)) {
      throw new RangeError(
        `${caller}: probability ${name} must have the input's shape ${shapeString(inputShape)}, ` +
          `received ${shapeString(shape)}`,
      );
    }
    return { kind: 'probability', data, shape };
  }
  const orElse = indicesOnly ? '' : "or a Tensor of probabilities with the input's dtype";
  const { data, shape } = indicesOf(caller, target, fields, orElse, name);
  if (shapeString(shape) !== shapeString(indexShape)) {
    // (B, T, V) logits with (B, T) targets: classes last, as onnxruntime, transformers.js and tf give them
    const classesLast = inputShape.length > 2 && shapeString(shape) === shapeString(inputShape.slice(0, -1));
    throw new RangeError(
      `${caller}: class-index target must have shape ${shapeString(indexShape)} ` +
        `(the input's shape without its class dim), received ${shapeString(shape)}` +
        (classesLast ? '; for logits with classes last, pass options.classDim: -1' : ''),
    );
  }
  return { kind: 'index', data, shape, name };
}

/**
 * Class indices as int32, ignored ones as −1, with Σ weight[t] over the rows that are not ignored (their
 * count without weights): the divisor of 'mean'.
 */
export function classIndices(
  caller: string,
  target: IndexTarget,
  classes: number,
  ignoreIndex: number,
  weight: ArrayLike<number> | undefined,
): { indices: Int32Array; weightSum: number; count: number } {
  const { data, shape, name = 'target' } = target;
  const indices = new Int32Array(data.length);
  let weightSum = 0;
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    const t = data[i];
    if (t === ignoreIndex) {
      indices[i] = -1;
      continue;
    }
    if (!Number.isInteger(t)) {
      throw new TypeError(`${caller}: ${elementName(name, i, shape)} = ${describe(t)} is not an integer class index`);
    }
    if (t < 0 || t >= classes) {
      throw new RangeError(
        `${caller}: ${elementName(name, i, shape)} = ${t} is out of range: ` +
          `class indices must be in [0, ${classes === Infinity ? '∞' : classes}) or equal ignoreIndex (${ignoreIndex})`,
      );
    }
    indices[i] = t;
    weightSum += weight ? weight[t] : 1;
    count++;
  }
  return { indices, weightSum, count };
}

/**
 * Class indices that the kernels may read where they lie: an Int32Array, every value in [0, classes) and none equal
 * to ignoreIndex, that shares no memory with the call's destination `written` and lies in no SharedArrayBuffer
 * (another thread could change it during the call). The array itself, with Σ weight[t] and the count, as classIndices
 * gives them; else undefined (classIndices copies the values, and says what is wrong with them).
 */
export function borrowedIndices(
  target: IndexTarget,
  classes: number,
  ignoreIndex: number,
  weight: ArrayLike<number> | undefined,
  written: ArrayBufferView | undefined,
): { indices: Int32Array; weightSum: number; count: number } | undefined {
  const { data } = target;
  if (typedArrayTag(data) !== 'Int32Array') return undefined;
  const indices = data as Int32Array;
  if (isShared(indices) || (written && sharesMemory(indices, written))) return undefined;
  // (ignoreIndex in range, or a bound past int32, leave the check to classIndices)
  if ((ignoreIndex >= 0 && ignoreIndex < classes) || !(classes <= 2 ** 31)) return undefined;
  const n = indices.length;
  let refused = 0; // (one loop without early exits, and one for the weights: V8 keeps them tight)
  // (t >>> 0: a negative t is read as 2^31 or more, past every bound)
  for (let i = 0; i < n; i++) refused |= indices[i] >>> 0 < classes ? 0 : 1;
  if (refused) return undefined;
  let weightSum = n;
  if (weight) {
    weightSum = 0;
    for (let i = 0; i < n; i++) weightSum += weight[indices[i]];
  }
  return { indices, weightSum, count: n };
}

/** (C), (N, C) or (N, C, d1, …, dk): the class dim and the rows the loss is taken over. */
export interface ClassLayout {
  classes: number;
  outer: number;
  inner: number;
  rows: number;
  /** The loss's shape for 'none': the input's without the class dim. */
  lossShape: number[];
}

/** options.classDim: 1 (PyTorch's (N, C, d1, …, dk), the default) or −1 (classes last: (…, C)). */
export function readClassDim(caller: string, value: unknown): 1 | -1 {
  if (value === undefined || value === 1 || value === -1) return value ?? 1;
  const message =
    `${caller}: options.classDim must be 1 (PyTorch's (N, C, d1, …, dk)) or -1 (classes last, as in [B, T, V]), ` +
    `received ${describe(value)}`;
  throw typeof value === 'number' ? new RangeError(message) : new TypeError(message);
}

export function classLayout(caller: string, shape: number[], classDimOption: 1 | -1 = 1): ClassLayout {
  if (shape.length === 0) {
    const expected = classDimOption === 1 ? '(C), (N, C) or (N, C, d1, …, dk)' : '(…, C) with classes last';
    throw new RangeError(`${caller}: input must have shape ${expected}, received ${shapeString(shape)}`);
  }
  const classDim = shape.length === 1 ? 0 : classDimOption === 1 ? 1 : shape.length - 1;
  const outer = shape.length === 1 ? 1 : product(shape.slice(0, classDim));
  const inner = product(shape.slice(classDim + 1));
  return {
    classes: shape[classDim],
    outer,
    inner,
    rows: outer * inner,
    lossShape: shape.filter((_, d) => d !== classDim),
  };
}

/** x[r, t_r] of each row whose target is not ignored (0 for the others), for a loss that reads one value a row. */
export function gatherTargets(x: FloatArray, layout: ClassLayout, indices: Int32Array): FloatArray {
  const { classes, inner } = layout;
  const picked = new (x instanceof Float64Array ? Float64Array : Float32Array)(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const t = indices[r];
    if (t >= 0) picked[r] = x[Math.floor(r / inner) * classes * inner + t * inner + (r % inner)];
  }
  return picked;
}
