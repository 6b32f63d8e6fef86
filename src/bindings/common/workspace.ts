// Lays out one call's buffers in the WebAssembly scratch region and gives typed views on them.
import type { FloatArray } from '../../types.js';
import type { WasmExports } from './wasm.js';

export type DType = 'f32' | 'f64';
export type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

export const dtypeOf = (data: FloatArray): DType => (data instanceof Float64Array ? 'f64' : 'f32');
export const arrayTypeOf = (dtype: DType): FloatArrayConstructor => (dtype === 'f64' ? Float64Array : Float32Array);

const align16 = (bytes: number): number => (bytes + 15) & ~15;

/** The largest scratch a call may ask for: wasm32 addresses 4 GiB, less a margin for static data. */
const MAX_SCRATCH_BYTES = 2 ** 32 - 2 ** 20;

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
  const base = total <= MAX_SCRATCH_BYTES ? kernels.scratch(total) >>> 0 : 0;
  if (base === 0) {
    throw new RangeError(`${caller}: the call needs ${total} bytes of WebAssembly memory, more than the engine can give`);
  }
  return offsets.map((o) => base + o);
}

/** A view of n elements of dtype at a byte address of WebAssembly memory. */
export function floatView(kernels: WasmExports, dtype: DType, ptr: number, n: number): FloatArray {
  return new (arrayTypeOf(dtype))(kernels.memory.buffer, ptr, n);
}

export function int32View(kernels: WasmExports, ptr: number, n: number): Int32Array {
  return new Int32Array(kernels.memory.buffer, ptr, n);
}
