// Argument checks shared by every binding. Each error names the function, the argument, what was
// expected and what was received; nothing invalid reaches WebAssembly.
import type { FloatArray, Reduction } from '../../types.js';

/** A short, readable account of a received value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    return value.length <= 8 ? `[${value.map(describe).join(', ')}]` : `an array of length ${value.length}`;
  }
  if (ArrayBuffer.isView(value)) {
    const length = (value as unknown as { length?: number }).length ?? value.byteLength;
    return `${value.constructor.name} of length ${length}`;
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'function':
      return 'a function';
    default:
      return `an object with keys {${Object.keys(value as object).join(', ')}}`;
  }
}

export const shapeString = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** `name[i, j, …]`: the element at flat position `flat` of `shape`. */
export function elementName(name: string, flat: number, shape: readonly number[]): string {
  const index: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return `${name}[${index.join(', ')}]`;
}

export const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** The options object (or {}), after a TypeError for anything but a plain object or for unknown keys. */
export function checkOptions<T extends object>(caller: string, options: T | undefined, accepted: readonly string[]): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${caller}: options must be an object, received ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!accepted.includes(key)) {
      throw new TypeError(
        `${caller}: unknown option ${JSON.stringify(key)}; the options are ${accepted.map((k) => JSON.stringify(k)).join(', ')}`,
      );
    }
  }
  return options;
}

export const isFloatArray = (value: unknown): value is FloatArray =>
  value instanceof Float32Array || value instanceof Float64Array;

/** Whether a typed array's buffer has been detached (transferred to a worker, or a resized wasm memory). */
export function isDetached(view: ArrayBufferView): boolean {
  if (view.byteLength !== 0) return false;
  try {
    new Uint8Array(view.buffer);
    return false;
  } catch {
    return true;
  }
}

/** TypeError for a typed array whose buffer is detached (its length would read as 0). */
export function rejectDetached(caller: string, name: string, value: unknown): void {
  if (ArrayBuffer.isView(value) && isDetached(value)) {
    throw new TypeError(`${caller}: ${name} is a view of a detached ArrayBuffer (transferred or freed); pass a live array`);
  }
}

/** A checked float tensor: its data, a copy of its shape, and its element count. */
export interface FloatTensorParts<T extends FloatArray = FloatArray> {
  data: T;
  shape: number[];
  size: number;
}

/** Checks a shape: an array of non-negative integers. */
export function checkShape(caller: string, name: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) {
    throw new TypeError(`${caller}: ${name}.shape must be an array of non-negative integers, received ${describe(shape)}`);
  }
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(
        `${caller}: ${name}.shape[${i}] must be a non-negative integer, received ${describe(d)} in ${describe(shape)}`,
      );
    }
  }
  return shape.slice();
}

/** Checks a Tensor of Float32Array or Float64Array whose shape holds exactly data.length elements. */
export function checkFloatTensor<T extends FloatArray>(caller: string, name: string, tensor: unknown): FloatTensorParts<T> {
  if (typeof tensor !== 'object' || tensor === null || !('data' in tensor) || !('shape' in tensor)) {
    throw new TypeError(
      `${caller}: ${name} must be a Tensor { data: Float32Array | Float64Array, shape: number[] }, received ${describe(tensor)}`,
    );
  }
  const { data } = tensor as { data: unknown };
  if (!isFloatArray(data)) {
    throw new TypeError(`${caller}: ${name}.data must be a Float32Array or Float64Array, received ${describe(data)}`);
  }
  rejectDetached(caller, `${name}.data`, data);
  const shape = checkShape(caller, name, (tensor as { shape: unknown }).shape);
  const size = product(shape);
  if (size !== data.length) {
    throw new RangeError(
      `${caller}: ${name}.shape ${shapeString(shape)} holds ${size} elements but ${name}.data has ${data.length}`,
    );
  }
  return { data: data as T, shape, size };
}

/** A dim in [−ndim, ndim) (a 0-dim tensor takes 0 and −1), made non-negative. */
export function normalizeDim(caller: string, dim: unknown, ndim: number): number {
  const rank = Math.max(ndim, 1);
  if (typeof dim !== 'number' || !Number.isInteger(dim)) {
    throw new TypeError(`${caller}: options.dim must be an integer, received ${describe(dim)}`);
  }
  if (dim < -rank || dim >= rank) {
    throw new RangeError(`${caller}: options.dim must be in [${-rank}, ${rank - 1}] for an input of ${ndim} dims, received ${dim}`);
  }
  return dim < 0 ? dim + rank : dim;
}

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

/** One of `allowed` ('none', 'mean', 'sum' unless told), 'mean' when left out. */
export function checkReduction<R extends string = Reduction>(
  caller: string, reduction: unknown, allowed: readonly R[] = REDUCTIONS as readonly R[],
): R {
  if (reduction === undefined) return 'mean' as R;
  const expected = `${allowed.slice(0, -1).map((r) => `'${r}'`).join(', ')} or '${allowed[allowed.length - 1]}'`;
  if (typeof reduction !== 'string') {
    throw new TypeError(`${caller}: options.reduction must be ${expected}, received ${describe(reduction)}`);
  }
  if (!allowed.includes(reduction as R)) {
    throw new RangeError(`${caller}: options.reduction must be ${expected}, received ${describe(reduction)}`);
  }
  return reduction as R;
}

export function checkBoolean(caller: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${caller}: options.${name} must be a boolean, received ${describe(value)}`);
  return value;
}

export function checkInteger(caller: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`${caller}: options.${name} must be an integer, received ${describe(value)}`);
  }
  return value;
}

/** A number in [lo, hi]. */
export function checkNumberIn(caller: string, name: string, value: unknown, fallback: number, lo: number, hi: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${caller}: options.${name} must be a number, received ${describe(value)}`);
  if (!(value >= lo && value <= hi)) {
    throw new RangeError(`${caller}: options.${name} must be in [${lo}, ${hi}], received ${value}`);
  }
  return value;
}

/** A per-class vector (FloatArray or number[]) of exactly `length` numbers. */
export function checkVector(caller: string, name: string, value: unknown, length: number): ArrayLike<number> {
  const ok = isFloatArray(value) || (Array.isArray(value) && value.every((v) => typeof v === 'number'));
  if (!ok) {
    throw new TypeError(`${caller}: ${name} must be a Float32Array, Float64Array or number[], received ${describe(value)}`);
  }
  rejectDetached(caller, name, value);
  const vector = value as ArrayLike<number>;
  if (vector.length !== length) {
    throw new RangeError(`${caller}: ${name} must have one entry per class (${length}), received length ${vector.length}`);
  }
  return vector;
}

/** The output array: the input's dtype and length; it may be the input's own data (in place). */
export function checkOut<T extends FloatArray>(caller: string, out: unknown, like: T): T {
  if (out === undefined) return new (like.constructor as new (n: number) => T)(like.length);
  if (!isFloatArray(out) || out.constructor !== like.constructor) {
    throw new TypeError(`${caller}: options.out must be a ${like.constructor.name} like the input, received ${describe(out)}`);
  }
  rejectDetached(caller, 'options.out', out);
  if (out.length !== like.length) {
    throw new RangeError(`${caller}: options.out must have the input's length ${like.length}, received length ${out.length}`);
  }
  return out as T;
}
