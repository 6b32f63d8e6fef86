// The direct path: a small call on plain arrays run as one kernel call, on a block of WebAssembly memory kept for
// it, without the pipeline's plan, residency and chunks. The bindings read their arguments as they always do and
// take it only where every array fits the block and lies outside WebAssembly memory; the kernel and its arguments
// are the ones the pipeline would pass, so the bits are the same. No user code runs from the first write into the
// block to the last read out of it, so a getter's nested call never finds the block half-used.
import { KERNEL_TABLE } from '../generated/kernel-table.js';
import type { FloatArray } from '../types.js';
import { activeExports, DIRECT_BLOCK_BYTES, directBlockOf } from './instance.js';
import type { KernelName, WasmExports } from './kernel-abi.js';
import { bufferOf, lengthOf, offsetOf, typedArrayTag } from './validate.js';

/** The block's four regions: each holds one array of a direct call, float values (32,768 float32, 16,384 float64)
 * or a row's int32 class index each. */
const REGION_BYTES = DIRECT_BLOCK_BYTES / 4;

/** The block of the active instance: its address, views of its memory, and its params block. */
export interface DirectBlock {
  kernels: WasmExports;
  /** The memory's buffer as the views see it. */
  buffer: ArrayBufferLike;
  f32: Float32Array;
  f64: Float64Array;
  i32: Int32Array;
  /** The byte address of region `k`. */
  region(k: number): number;
  /** The params block's address, and its first float64 slot. */
  params: number;
  paramsSlot: number;
}

let block: DirectBlock | undefined;
let blockKernels: WasmExports | undefined;
let enabled = true;
let calls = 0;

/** For the tests: turns the direct path off (every call takes the pipeline) or back on. */
export function setDirectCalls(on: boolean): void {
  enabled = on;
}

/** For the tests: how many calls the direct path has run. */
export const directCallCount = (): number => calls;

function blockOf(kernels: WasmExports): DirectBlock | undefined {
  const address = directBlockOf(kernels);
  if (address === 0) return undefined;
  const params = kernels.paramsBlock();
  const buffer = kernels.memory.buffer;
  const views = { buffer, f32: new Float32Array(buffer), f64: new Float64Array(buffer), i32: new Int32Array(buffer) };
  return { kernels, ...views, region: (k) => address + k * REGION_BYTES, params, paramsSlot: params / 8 };
}

/**
 * The active instance's block, its views made afresh when the memory has grown (a view of a grown memory that is
 * not shared reads as empty), or undefined before init() or where the instance has none.
 */
export function directBlock(): DirectBlock | undefined {
  if (!enabled) return undefined;
  const kernels = activeExports();
  if (kernels !== blockKernels) {
    blockKernels = kernels;
    block = kernels && blockOf(kernels);
  }
  if (block !== undefined && block.f32.length === 0) {
    const buffer = block.kernels.memory.buffer;
    block.buffer = buffer;
    block.f32 = new Float32Array(buffer);
    block.f64 = new Float64Array(buffer);
    block.i32 = new Int32Array(buffer);
  }
  return block;
}

/** Whether `values` is a Float32Array or Float64Array of this size or less that a region holds, outside WebAssembly
 * memory. */
function plainFloats(values: unknown, length: number, b: DirectBlock): values is FloatArray {
  const tag = typedArrayTag(values);
  if (tag !== 'Float32Array' && tag !== 'Float64Array') return false;
  if (length * (tag === 'Float32Array' ? 4 : 8) > REGION_BYTES) return false;
  return outsideMemory(values as FloatArray, b);
}

/** The realm's SharedArrayBuffer, read once: in a page the global is a getter, 0.15–0.24 µs a read in Chromium,
 * Firefox and WebKit, where it was read at every call. */
const SharedBuffer = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : undefined;

/** Whether a typed array lies outside WebAssembly memory (a shared buffer may be one of its views: it is left to
 * the pipeline, which knows the live tensors). */
function outsideMemory(values: ArrayBufferView, b: DirectBlock): boolean {
  const buffer = bufferOf.call(values);
  if (SharedBuffer !== undefined && buffer instanceof SharedBuffer) return false;
  return buffer !== b.buffer;
}

const setValues = Object.getPrototypeOf(Uint8Array.prototype).set as (
  this: ArrayBufferView,
  source: ArrayLike<number>,
  offset?: number,
) => void;

/** Copies `values` (float64 when `wide`, float32 otherwise) into the block at byte `address`. */
export function copyInto(b: DirectBlock, wide: boolean, values: FloatArray, address: number): void {
  if (wide) setValues.call(b.f64, values, address / 8);
  else setValues.call(b.f32, values, address / 4);
}

/** Whether `values` (checked to be float32 or float64, of any realm) is float64. */
export const isWide = (values: FloatArray): boolean => typedArrayTag(values) === 'Float64Array';

/** `length` values of the dtype at byte `address`: copied into `into` (the caller's `out`), or a fresh array. */
export function copyOut(b: DirectBlock, wide: boolean, address: number, length: number, into?: FloatArray) {
  const values = wide ? b.f64 : b.f32;
  const first = address / values.BYTES_PER_ELEMENT;
  // (a loop for a few values; beyond, the copy of a view, which costs a view more but copies faster)
  if (into === undefined) {
    if (length * values.BYTES_PER_ELEMENT > 64) return values.slice(first, first + length);
    into = wide ? new Float64Array(length) : new Float32Array(length);
  }
  if (length > 32) setValues.call(into, values.subarray(first, first + length));
  else for (let i = 0; i < length; i++) into[i] = values[first + i];
  return into;
}

/** Σ of `length` values of the dtype at byte `address`, in order (as the pipeline sums a reduced output). */
export function sumOf(b: DirectBlock, wide: boolean, address: number, length: number): number {
  const values = wide ? b.f64 : b.f32;
  const first = address / (wide ? 8 : 4);
  let total = 0;
  for (let i = first; i < first + length; i++) total += values[i];
  return total;
}

/** At most this many positional arguments, and the params block's address after them. */
const MAX_ARGS = 12;

/** A kernel the direct path calls with a fixed list of positional arguments and params (the rest are 0). */
export interface DirectKernel {
  kernel: KernelName;
  /** The export's positional index of each argument the list names, and the params block slot of each param. */
  positions: Int32Array;
  slots: Int32Array;
  /** How many positional arguments the export takes before the params block's address, and how many params. */
  count: number;
  paramCount: number;
  takesParams: boolean;
  /** The exports (f32, f64) of the instance they were last looked up on. */
  exportsOf?: WasmExports;
  exports: ((...a: number[]) => number | undefined)[];
  /** The export's arguments: 0 but where `names` go (and the params block's address, last). */
  args: number[];
}

/** `kernel` called with the positional arguments `names` and the params `params`, in those orders. */
export function directKernel(
  kernel: KernelName,
  names: readonly string[],
  params: readonly string[] = [],
): DirectKernel {
  const abi = KERNEL_TABLE[kernel];
  if (abi.positional.length > MAX_ARGS) throw new Error(`xentropy internal error: ${kernel} takes too many arguments`);
  const place = (list: readonly (readonly [string, string])[], name: string) => {
    const i = list.findIndex(([n]) => n === name);
    if (i < 0) throw new Error(`xentropy internal error: ${kernel} takes no ${name}`);
    return i;
  };
  return {
    kernel,
    positions: Int32Array.from(names, (name) => place(abi.positional, name)),
    slots: Int32Array.from(params, (name) => place(abi.params, name)),
    count: abi.positional.length,
    paramCount: abi.params.length,
    takesParams: abi.params.length > 0 || abi.loss === true,
    exports: [],
    args: new Array(MAX_ARGS + 1).fill(0),
  };
}

/**
 * Calls `k` in float64 (`wide`) or float32 with `values` for its named arguments and `params` for its named
 * params. Returns what the export returns (Σ loss, or undefined).
 */
export function callDirect(
  b: DirectBlock,
  k: DirectKernel,
  wide: boolean,
  values: readonly number[],
  params: readonly number[] = [],
): number | undefined {
  if (k.exportsOf !== b.kernels) {
    const exports = b.kernels as unknown as Record<string, (...a: number[]) => number | undefined>;
    k.exports = [exports[`${k.kernel}F32`], exports[`${k.kernel}F64`]];
    k.exportsOf = b.kernels;
  }
  const a = k.args;
  for (let i = 0; i < values.length; i++) a[k.positions[i]] = values[i];
  if (k.takesParams) {
    const f64 = b.f64;
    for (let i = 0; i < k.paramCount; i++) f64[b.paramsSlot + i] = 0;
    for (let i = 0; i < params.length; i++) f64[b.paramsSlot + k.slots[i]] = params[i];
    a[k.count] = b.params;
  }
  calls++;
  return k.exports[wide ? 1 : 0](a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12]);
}

/** What a direct reader hands on when it cannot take the call: the arguments, each as read so far (the same
 * values), so that the pipeline reads no getter twice. */
export class Handoff {
  constructor(readonly args: unknown[]) {}
}

/** A tensor argument as the direct path reads it: its own data and shape, once each, and its dims when the shape
 * is an array of at most four (copied, each read once; then `shape` is the dims). It stands for the argument from
 * then on. */
export interface PlainTensor {
  data: unknown;
  shape: unknown;
  dims?: number[];
  size: number;
}

/** The argument as the pipeline gets it: its data and shape as read, or the caller's own where nothing was read. */
export const asRead = (t: PlainTensor | undefined, value: unknown): unknown =>
  t === undefined ? value : { data: t.data, shape: t.shape };

const MAX_RANK = 4;

/**
 * `value`'s own data and shape, read once each (undefined when it has not both, so nothing is read: a WasmTensor's
 * are its class's, an onnxruntime tensor's shape is `dims`).
 */
export function readPlainTensor(value: unknown): PlainTensor | undefined {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, 'data') || !Object.hasOwn(value, 'shape'))
    return undefined;
  const { data, shape } = value as { data: unknown; shape: unknown };
  const n: unknown = Array.isArray(shape) ? shape.length : undefined;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_RANK)
    return { data, shape, dims: undefined, size: 0 };
  const dims = new Array<number>(n);
  let size = 1;
  for (let i = 0; i < n; i++) {
    const d = (shape as number[])[i];
    dims[i] = d;
    size = typeof d === 'number' && Number.isSafeInteger(d) && d > 0 ? size * d : Number.NaN;
  }
  return { data, shape: dims, dims, size };
}

/** Whether `t` is a non-empty float tensor of plain values the block takes (its size: its data's length). */
export const directFloats = (
  t: PlainTensor | undefined,
  b: DirectBlock,
): t is PlainTensor & { data: FloatArray; dims: number[] } =>
  t?.dims !== undefined && t.size >= 1 && plainFloats(t.data, t.size, b) && lengthOf.call(t.data) === t.size;

/**
 * Whether `out` is a destination the direct path writes as the pipeline would: left out, or a plain array of the
 * input's dtype and length that shares no memory with `source` (or is exactly the input's data: in place).
 */
export function directOut(out: unknown, data: FloatArray, b: DirectBlock, source?: unknown): boolean {
  if (out === undefined) return true;
  if (typedArrayTag(out) !== typedArrayTag(data) || lengthOf.call(out) !== lengthOf.call(data)) return false;
  const buffer = bufferOf.call(out);
  if (!outsideMemory(out as FloatArray, b)) return false;
  if (buffer === bufferOf.call(data) && !sameView(out as FloatArray, data)) return false;
  return !ArrayBuffer.isView(source) || bufferOf.call(source) !== buffer;
}

const sameView = (a: FloatArray, b: FloatArray) =>
  offsetOf.call(a) === offsetOf.call(b) && lengthOf.call(a) === lengthOf.call(b);
