// Weights that broadcast over an input as in PyTorch: a flat array of the input's element count or of
// its last dim's length, or a Tensor of any shape broadcastable to the input's.
import type { FloatArray } from '../../types.js';
import { checkShape, describe, isFloatArray, product, rejectDetached, shapeString } from './validate.js';

/** A broadcast weight: its values, one per element (perElement) or one per column of the last dim. */
export interface CheckedWeight {
  values: ArrayLike<number>;
  perElement: boolean;
}

const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

/** Expands `data` of `from` shape to the `to` shape (right-aligned; each dim 1 or equal). */
function expand(data: ArrayLike<number>, from: readonly number[], to: readonly number[]): Float64Array {
  const out = new Float64Array(product(to));
  const offset = to.length - from.length;
  const strides = from.map((_, d) => product(from.slice(d + 1)));
  for (let i = 0; i < out.length; i++) {
    let rest = i;
    let source = 0;
    for (let d = to.length - 1; d >= 0; d--) {
      const index = rest % to[d];
      rest = Math.floor(rest / to[d]);
      const fd = d - offset;
      if (fd >= 0 && from[fd] !== 1) source += index * strides[fd];
    }
    out[i] = data[source];
  }
  return out;
}

export function checkBroadcastWeight(caller: string, name: string, value: unknown, shape: readonly number[]): CheckedWeight {
  const size = product(shape);
  const last = shape.length === 0 ? 1 : shape[shape.length - 1];
  const expectation = `the input's element count (${size}), its last dim's length (${last}), or a Tensor of a shape broadcastable to ${shapeString(shape)}`;
  if (isFloatArray(value) || isNumberArray(value)) {
    rejectDetached(caller, `options.${name}`, value);
    if (value.length === size) return { values: value, perElement: true };
    if (value.length === last) return { values: value, perElement: false };
    throw new RangeError(`${caller}: options.${name} must have ${expectation}, received length ${value.length}`);
  }
  const isTensor = typeof value === 'object' && value !== null && 'data' in value && 'shape' in value;
  const data = isTensor ? (value as { data: unknown }).data : undefined;
  if (!isTensor || !(isFloatArray(data) || isNumberArray(data))) {
    throw new TypeError(`${caller}: options.${name} must be a Float32Array, Float64Array, number[] or a Tensor of them, received ${describe(value)}`);
  }
  rejectDetached(caller, `options.${name}.data`, data);
  const from = checkShape(caller, `options.${name}`, (value as { shape: unknown }).shape);
  if (product(from) !== data.length) {
    throw new RangeError(`${caller}: options.${name}.shape ${shapeString(from)} holds ${product(from)} elements but its data has ${data.length}`);
  }
  const offset = shape.length - from.length;
  const broadcastable = offset >= 0 && from.every((d, i) => d === 1 || d === shape[offset + i]);
  if (!broadcastable) {
    throw new RangeError(`${caller}: options.${name} must have ${expectation}, received shape ${shapeString(from)}`);
  }
  if (data.length === size) return { values: data, perElement: true };
  if (data.length === last && from[from.length - 1] === last) return { values: data, perElement: false };
  return { values: expand(data, from, shape), perElement: true };
}
