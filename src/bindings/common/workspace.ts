// Lays out one call's buffers in the WebAssembly scratch region and gives typed views on them.
import type { FloatArray } from '../../types.js';
import { threadCount } from './threads.js';
import type { WasmExports } from './wasm.js';

export type DType = 'f32' | 'f64';
export type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

export const dtypeOf = (data: FloatArray): DType => (data instanceof Float64Array ? 'f64' : 'f32');
export const arrayTypeOf = (dtype: DType): FloatArrayConstructor => (dtype === 'f64' ? Float64Array : Float32Array);

const align16 = (bytes: number): number => (bytes + 15) & ~15;

/** The largest scratch a call may ask for: wasm32 addresses 4 GiB, less a margin for static data. */
const MAX_SCRATCH_BYTES = 2 ** 32 - 2 ** 20;

/**
 * Large inputs are processed in chunks of whole rows whose buffers take at most this many bytes, so
 * WebAssembly memory stays bounded whatever the input's size.
 */
let chunkBytes = 4 * 2 ** 20;

/** Sets the chunk size (tests use small ones to exercise chunking); returns the previous one. */
export function setChunkBytes(bytes: number): number {
  const previous = chunkBytes;
  chunkBytes = bytes;
  return previous;
}

/**
 * Splits `units` (rows, or blocks of rows) into consecutive [start, end) ranges whose buffers —
 * `fixedBytes` plus `bytesPerUnit` per unit — fit in one chunk; a single unit may exceed the chunk
 * size but never WebAssembly's address space.
 * @throws RangeError, before any work, when one unit cannot fit in WebAssembly memory at all.
 */
export function chunkRanges(caller: string, units: number, bytesPerUnit: number, fixedBytes = 0): [number, number][] {
  if (fixedBytes + bytesPerUnit > MAX_SCRATCH_BYTES) {
    throw new RangeError(
      `${caller}: one row needs ${fixedBytes + bytesPerUnit} bytes of WebAssembly memory, more than its 4 GiB address space`,
    );
  }
  const budget = chunkBytes * threadCount();
  const perChunk = Math.max(1, Math.floor((budget - fixedBytes) / Math.max(bytesPerUnit, 1)));
  const ranges: [number, number][] = [];
  for (let start = 0; start < units; start += perChunk) ranges.push([start, Math.min(units, start + perChunk)]);
  return ranges;
}

/**
 * Reserves one region per entry of `bytes` (each 16-byte aligned) and returns their addresses.
 * Views made before a later `allocate` may be detached by memory growth: make them after it.
 * @throws RangeError when the call needs more memory than WebAssembly can give.
 */
export function allocate(kernels: WasmExports, caller: string, bytes: readonly number[]): number[] {
  const offsets: number[] = [];
  let total = 0;
  for (const b of bytes) {
    offsets.push(total);
    total += align16(b);
  }
  const base = total <= MAX_SCRATCH_BYTES ? callAllocator(() => kernels.scratch(total)) : 0;
  if (base === 0) {
    throw new RangeError(`${caller}: the call needs ${total} bytes of WebAssembly memory, more than the engine can give`);
  }
  return offsets.map((o) => base + o);
}

/** Runs an allocator export; its trap when memory cannot grow (or a 0 address) becomes 0. */
export function callAllocator(allocate: () => number): number {
  try {
    return allocate() >>> 0;
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) return 0;
    throw error;
  }
}

/** A view of n elements of dtype at a byte address of WebAssembly memory. */
export function floatView(kernels: WasmExports, dtype: DType, ptr: number, n: number): FloatArray {
  return new (arrayTypeOf(dtype))(kernels.memory.buffer, ptr, n);
}

export function int32View(kernels: WasmExports, ptr: number, n: number): Int32Array {
  return new Int32Array(kernels.memory.buffer, ptr, n);
}

/** Elements [start, end) of an array-like, as a view where it is a typed array. */
export function sliceOf(values: ArrayLike<number>, start: number, end: number): ArrayLike<number> {
  return ArrayBuffer.isView(values) ? (values as FloatArray).subarray(start, end) : Array.prototype.slice.call(values, start, end);
}

/** The byte address of a typed array that is a view of WebAssembly memory; undefined for any other. */
export function residentAddress(kernels: WasmExports, view: ArrayBufferView): number | undefined {
  return view.buffer === kernels.memory.buffer ? view.byteOffset : undefined;
}

/** Whether two typed arrays share any bytes. */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * A getter for `values` that stays usable when WebAssembly memory grows during a call: an array that is
 * a view of WebAssembly memory (an `allocTensor` tensor) is viewed again at its address, since growth
 * detaches the old view; anything else is returned as it is.
 */
export function stable<A extends ArrayLike<number>>(kernels: WasmExports, values: A): () => A {
  if (!ArrayBuffer.isView(values)) return () => values;
  const at = residentAddress(kernels, values);
  if (at === undefined) return () => values;
  const Type = values.constructor as new (buffer: ArrayBufferLike, offset: number, length: number) => A;
  const { length } = values;
  return () => new Type(kernels.memory.buffer, at, length);
}
