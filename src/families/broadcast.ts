// Weights that broadcast over an input as in PyTorch: a flat array of the input's element count or of
// its last dim's length, a Tensor of any shape broadcastable to the input's, or a number (a 0-dim tensor).

import { checkShape, checkSize, floatValues, product, shapeString, tensorFields } from '../core/validate.js';
import type { FloatArray } from '../types.js';

/** A broadcast weight, read once: its values, one per element (perElement) or one per column of the last dim. */
export interface CheckedWeight {
  values: FloatArray;
  perElement: boolean;
}

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

export function broadcastWeight(caller: string, name: string, value: unknown, shape: readonly number[]): CheckedWeight {
  const size = product(shape);
  const last = shape.length === 0 ? 1 : shape[shape.length - 1];
  const expectation =
    `the input's element count (${size}), its last dim's length (${last}), ` +
    `or a Tensor of a shape broadcastable to ${shapeString(shape)}`;
  const kinds = 'a number, a Float32Array, Float64Array, number[] or a Tensor of them';
  // one value (a number, or a Tensor of ones dims): one per column, never expanded to the input's size
  const one = (v: number) => ({ values: new Float64Array(last).fill(v), perElement: false });
  if (typeof value === 'number') return one(value);
  const isTensor = typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
  if (!isTensor) {
    const values = floatValues(caller, `options.${name}`, value, kinds);
    if (values.length === size) return { values, perElement: true };
    if (values.length === last) return { values, perElement: false };
    throw new RangeError(`${caller}: options.${name} must have ${expectation}, received length ${values.length}`);
  }
  const fields = tensorFields(caller, `options.${name}`, value, kinds);
  const data = floatValues(caller, `options.${name}.data`, fields.data, kinds);
  const from = checkShape(caller, `options.${name}`, fields.shape);
  checkSize(caller, `options.${name}`, from, data.length);
  const offset = shape.length - from.length;
  const broadcastable = offset >= 0 && from.every((d, i) => d === 1 || d === shape[offset + i]);
  if (!broadcastable) {
    throw new RangeError(`${caller}: options.${name} must have ${expectation}, received shape ${shapeString(from)}`);
  }
  if (data.length === size) return { values: data, perElement: true };
  if (data.length === 1) return one(data[0]);
  if (data.length === last && from[from.length - 1] === last) return { values: data, perElement: false };
  return { values: expand(data, from, shape), perElement: true };
}
