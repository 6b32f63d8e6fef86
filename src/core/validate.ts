// Reading and checking arguments. Every argument is read once into a snapshot (options from own enumerable
// properties only, shapes and number[] arrays copied, typed arrays re-viewed through the intrinsic getters), and only
// snapshots are used afterwards, so getters, Proxies and a polluted Object.prototype cannot change a call
// half-way. Each error names the function, the argument, what was expected and what was received.
import type { FloatArray, Reduction } from '../types.js';
import { asComputed, Float16, halfCall, halfOut } from './half.js';
import { freedWasmTensor } from './wasm-tensor.js';

/** A short, readable account of a received value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    return value.length <= 8 ? `[${Array.from(value, describe).join(', ')}]` : `an array of length ${value.length}`;
  }
  const tag = typedArrayTag(value);
  if (tag) return `${tag} of length ${lengthOf.call(value)}`;
  if (ArrayBuffer.isView(value)) return `a ${Object.prototype.toString.call(value).slice(8, -1)}`;
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
    case 'symbol':
      return 'a symbol';
    default:
      try {
        const keys = Object.keys(value as object);
        return keys.length <= 8 ? `an object with keys {${keys.join(', ')}}` : `an object with ${keys.length} keys`;
      } catch {
        return 'an object';
      }
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
  return shape.length === 0 ? name : `${name}[${index.join(', ')}]`;
}

export const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

// The intrinsic typed-array getters: they work on typed arrays of any realm and cannot be overridden by a
// subclass or a patched prototype.
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const intrinsic = (key: PropertyKey) =>
  Object.getOwnPropertyDescriptor(TypedArrayPrototype, key)?.get as (this: unknown) => unknown;
const tagGetter = intrinsic(Symbol.toStringTag);
export const bufferOf = intrinsic('buffer') as (this: unknown) => ArrayBufferLike;
export const offsetOf = intrinsic('byteOffset') as (this: unknown) => number;
export const lengthOf = intrinsic('length') as (this: unknown) => number;

const plainByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')?.get as () => number;

/** Whether a typed array's memory is a SharedArrayBuffer (which other threads may write during a call). */
export function isShared(view: ArrayBufferView): boolean {
  try {
    plainByteLength.call(bufferOf.call(view)); // (an ArrayBuffer's getter: it throws on any other object)
    return false;
  } catch {
    return true;
  }
}

/** Whether two typed arrays share any byte of memory. */
export function sharesMemory(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (bufferOf.call(a) !== bufferOf.call(b)) return false;
  const [startA, startB] = [offsetOf.call(a), offsetOf.call(b)];
  const bytes = (v: ArrayBufferView) => lengthOf.call(v) * (v as Int8Array).BYTES_PER_ELEMENT;
  return startA < startB + bytes(b) && startB < startA + bytes(a);
}

/** The typed array's name ('Float32Array', …), from any realm; undefined for anything else (a Proxy too). */
export const typedArrayTag = (value: unknown): string | undefined =>
  ArrayBuffer.isView(value) ? (tagGetter.call(value) as string | undefined) : undefined;

const TYPES = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  Int8Array,
  Int16Array,
  BigInt64Array,
  BigUint64Array,
  // undefined where the engine has none: no array then carries its tag
  Float16Array: Float16 as unknown as Float32ArrayConstructor,
} as const;
type TypedName = keyof typeof TYPES;
export const INTEGER_ARRAY_NAMES: readonly string[] = [
  'Int32Array',
  'Uint8Array',
  'Uint16Array',
  'Uint32Array',
  'Int8Array',
  'Int16Array',
];

function isDetachedBuffer(buffer: ArrayBufferLike): boolean {
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * A fresh view of this realm over the same memory as `value`, a typed array of one of `names` (from any
 * realm); undefined when `value` is not one. A view of a detached buffer is a TypeError.
 */
export function ownView(
  caller: string,
  name: string,
  value: unknown,
  names: readonly string[],
): ArrayBufferView | undefined {
  const tag = typedArrayTag(value);
  if (!tag || !names.includes(tag)) return undefined;
  const buffer = bufferOf.call(value);
  const length = lengthOf.call(value);
  if (length === 0 && isDetachedBuffer(buffer)) {
    throw new TypeError(
      `${caller}: ${name} is a view of a detached ArrayBuffer (transferred or freed); pass a live array`,
    );
  }
  const Type = TYPES[tag as TypedName] as new (
    buffer: ArrayBufferLike,
    byteOffset: number,
    length: number,
  ) => ArrayBufferView;
  return new Type(buffer, offsetOf.call(value), length);
}

const FLOAT_NAMES = ['Float32Array', 'Float64Array', 'Float16Array'];

/** The float array, viewed afresh (a float16 one as a float32 copy), or a TypeError. */
export function floatArray(caller: string, name: string, value: unknown): FloatArray {
  const view = ownView(caller, name, value, FLOAT_NAMES);
  if (!view)
    throw new TypeError(`${caller}: ${name} must be a Float32Array or Float64Array, received ${describe(value)}`);
  return asComputed(caller, name, view, typedArrayTag(view) as string) as FloatArray;
}

/** A copy of a number[] (each element read once), or a TypeError naming the first element that is not a number. */
function copyNumbers(caller: string, name: string, values: readonly unknown[]): Float64Array {
  const n = values.length;
  const copy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number')
      throw new TypeError(`${caller}: ${name}[${i}] must be a number, received ${describe(v)}`);
    copy[i] = v;
  }
  return copy;
}

/**
 * A field of an argument object, read once: an own property or one from its class (a WasmTensor's getter),
 * never one inherited from Object.prototype (where a polluted property would be).
 */
export function field(value: object, key: string): unknown {
  for (let o: object | null = value; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    if (Object.hasOwn(o, key)) return (value as Record<string, unknown>)[key];
  }
  return undefined;
}

/** What options left out, or given as {}, read as; and the prototype of options read: nothing to inherit, so that a
 * polluted Object.prototype fills no absent option (and a record with a prototype stays a fast object in V8). */
const NO_OPTIONS = Object.freeze(Object.create(null));

/**
 * Options read once from own enumerable properties, with a TypeError for anything but a plain object or an unknown
 * key.
 */
export function readOptions<K extends string>(
  caller: string,
  options: unknown,
  accepted: readonly K[],
): Readonly<Partial<Record<K, unknown>>> {
  if (options === undefined) return NO_OPTIONS;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${caller}: options must be an object, received ${describe(options)}`);
  }
  const keys = Object.keys(options);
  if (keys.length === 0) return NO_OPTIONS;
  for (const key of keys) {
    if (!(accepted as readonly string[]).includes(key)) {
      throw new TypeError(
        `${caller}: unknown option ${JSON.stringify(key)}; ` +
          `the options are ${accepted.map((k) => JSON.stringify(k)).join(', ')}`,
      );
    }
  }
  const read: Partial<Record<K, unknown>> = Object.create(NO_OPTIONS);
  for (const key of keys as K[]) read[key] = (options as Record<K, unknown>)[key];
  return read;
}

/** Whether the options read hold no key but `keys` (by Object.keys: `for…in` took 0.17 µs a call in WebKit). */
export function onlyOptions(read: object, keys: readonly string[]): boolean {
  if (read === NO_OPTIONS) return true;
  for (const key of Object.keys(read)) if (!keys.includes(key)) return false;
  return true;
}

/** The most elements `copied` takes: V8 holds no more in an array of its fast kind (a longer one is sparse). */
const MAX_COPIED = 2 ** 27;

/**
 * An array's elements, copied: its length read once, each element once, in order (a loop: Array.from with a map
 * function took 60 ns an element in V8). A short one is made at its length (V8 grows an array it appends to through
 * 17 places first). A RangeError, naming `caller` and `name`, for a length past MAX_COPIED (a sparse array, or a
 * Proxy's): copying it would take seconds and then fail without a word of where.
 */
export function copied(values: readonly unknown[], caller: string, name: string): unknown[] {
  const n = values.length;
  if (n > MAX_COPIED) {
    throw new RangeError(`${caller}: ${name} has length ${n}; an array of numbers holds at most ${MAX_COPIED} here`);
  }
  const copy: unknown[] = Number.isInteger(n) && n >= 0 && n <= 1024 ? new Array(n) : [];
  for (let i = 0; i < n; i++) copy[i] = values[i];
  return copy;
}

/** A shape, copied (each dim read once) and checked: an array of non-negative safe integers. */
export function checkShape(caller: string, name: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) {
    throw new TypeError(
      `${caller}: ${name}.shape must be an array of non-negative integers, received ${describe(shape)}`,
    );
  }
  const copy = copied(shape, caller, `${name}.shape`);
  copy.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(
        `${caller}: ${name}.shape[${i}] must be a non-negative integer, received ${describe(d)} in ${describe(copy)}`,
      );
    }
  });
  return copy as number[];
}

/** The data and shape of a tensor-like argument, each read once; a TypeError for a non-object or a freed WasmTensor. */
export function tensorFields(
  caller: string,
  name: string,
  value: unknown,
  expected: string,
): { data: unknown; shape: unknown } {
  if (freedWasmTensor(value)) {
    throw new TypeError(
      `${caller}: ${name} is a WasmTensor that was freed (by free() or release()); ` +
        'allocate a new one or pass a live Tensor',
    );
  }
  const data = typeof value === 'object' && value !== null ? field(value, 'data') : undefined;
  // onnxruntime's and transformers.js's tensors name their shape `dims`
  const shape = data === undefined ? undefined : (field(value as object, 'shape') ?? field(value as object, 'dims'));
  if (data === undefined || shape === undefined || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new TypeError(`${caller}: ${name} must be ${expected}, received ${describe(value)}`);
  }
  return { data, shape };
}

/** A checked float tensor: a fresh view of its data, a copy of its shape, and its element count. */
export interface FloatTensorParts<T extends FloatArray = FloatArray> {
  data: T;
  shape: number[];
  size: number;
}

/** Checks that `shape` holds exactly `length` elements. */
export function checkSize(caller: string, name: string, shape: number[], length: number): number {
  const size = product(shape);
  if (size !== length) {
    throw new RangeError(
      `${caller}: ${name}.shape ${shapeString(shape)} holds ${size} elements but ${name}.data has ${length}`,
    );
  }
  return size;
}

/** Reads and checks a Tensor of Float32Array or Float64Array whose shape holds exactly data.length elements. */
export function floatTensor<T extends FloatArray>(caller: string, name: string, tensor: unknown): FloatTensorParts<T> {
  const fields = tensorFields(caller, name, tensor, 'a Tensor { data: Float32Array | Float64Array, shape: number[] }');
  const data = floatArray(caller, `${name}.data`, fields.data) as T;
  const shape = checkShape(caller, name, fields.shape);
  return { data, shape, size: checkSize(caller, name, shape, data.length) };
}

/** A dim in [−ndim, ndim) (a 0-dim tensor takes 0 and −1), made non-negative. */
export function normalizeDim(caller: string, dim: unknown, ndim: number): number {
  const rank = Math.max(ndim, 1);
  if (typeof dim !== 'number' || !Number.isInteger(dim)) {
    throw new TypeError(`${caller}: options.dim must be an integer, received ${describe(dim)}`);
  }
  if (dim < -rank || dim >= rank) {
    throw new RangeError(
      `${caller}: options.dim must be in [${-rank}, ${rank - 1}] for an input of ${ndim} dims, received ${dim}`,
    );
  }
  return dim < 0 ? dim + rank : dim;
}

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

/** One of `allowed` ('none', 'mean', 'sum' unless told); `fallback` when left out. */
export function checkReduction<R extends string = Reduction>(
  caller: string,
  reduction: unknown,
  allowed: readonly R[] = REDUCTIONS as readonly R[],
  fallback = 'mean' as R,
): R {
  if (reduction === undefined) return fallback;
  const expected = `${allowed
    .slice(0, -1)
    .map((r) => `'${r}'`)
    .join(', ')} or '${allowed[allowed.length - 1]}'`;
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
  if (typeof value !== 'boolean')
    throw new TypeError(`${caller}: options.${name} must be a boolean, received ${describe(value)}`);
  return value;
}

export function checkInteger(caller: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`${caller}: options.${name} must be an integer, received ${describe(value)}`);
  }
  return value;
}

/** A number in [lo, hi] (NaN is refused). */
export function checkNumberIn(
  caller: string,
  name: string,
  value: unknown,
  fallback: number,
  lo: number,
  hi: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number')
    throw new TypeError(`${caller}: options.${name} must be a number, received ${describe(value)}`);
  if (!(value >= lo && value <= hi)) {
    throw new RangeError(`${caller}: options.${name} must be in [${lo}, ${hi}], received ${value}`);
  }
  return value;
}

/** A float array or number[] argument, read once: a view of a typed array, or a copy of a number[]. */
export function floatValues(caller: string, name: string, value: unknown, expected: string): FloatArray {
  if (Array.isArray(value)) return copyNumbers(caller, name, value);
  const view = ownView(caller, name, value, FLOAT_NAMES);
  if (!view) throw new TypeError(`${caller}: ${name} must be ${expected}, received ${describe(value)}`);
  return (typedArrayTag(view) === 'Float16Array' ? Float32Array.from(view as Float32Array) : view) as FloatArray;
}

/** The output array, viewed afresh: the input's dtype and length; it may be the input's own data (in place). */
export function checkOut<T extends FloatArray>(caller: string, out: unknown, like: T): T | undefined {
  return checkDestination(caller, 'out', out, like, like.length, "the input's length");
}

/** A destination option: a fresh view of a float array of the input's dtype and `length` (`what` it is). */
export function checkDestination<T extends FloatArray>(
  caller: string,
  name: string,
  value: unknown,
  like: T,
  length: number,
  what = 'length',
): T | undefined {
  if (value === undefined) return undefined;
  const dtype = halfCall() ? 'Float16Array' : like instanceof Float64Array ? 'Float64Array' : 'Float32Array';
  const view = ownView(caller, `options.${name}`, value, [dtype]);
  if (!view) {
    throw new TypeError(`${caller}: options.${name} must be a ${dtype} like the input, received ${describe(value)}`);
  }
  if ((view as T).length !== length) {
    throw new RangeError(
      `${caller}: options.${name} must have ${what} ${length}, received length ${(view as T).length}`,
    );
  }
  return (dtype === 'Float16Array' ? halfOut(view as unknown as Float32Array) : view) as T;
}

/** A finite number > 0 (or ≥ 0 with `zero`), or `fallback` when absent. */
export function checkPositive<F extends number | undefined>(
  caller: string,
  name: string,
  value: unknown,
  fallback: F,
  zero = false,
): number | F {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') {
    throw new TypeError(`${caller}: options.${name} must be a number, received ${describe(value)}`);
  }
  if (!(Number.isFinite(value) && (zero ? value >= 0 : value > 0))) {
    throw new RangeError(`${caller}: options.${name} must be a finite number ${zero ? '≥' : '>'} 0, received ${value}`);
  }
  return value;
}
