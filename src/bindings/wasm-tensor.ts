import type { Tensor } from '../types.js';
import { checkShape, describe, product } from './common/validate.js';
import { type WasmExports, wasm } from './common/wasm.js';
import { callAllocator } from './common/workspace.js';

type ResidentArray = Float32Array | Float64Array | Int32Array;
type ResidentArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor;

/**
 * A tensor whose data lives in WebAssembly memory: passed as an input, a target or `out`, it is used where
 * it is, with no copy. You own it: `free()` it when done. WebAssembly memory can grow during a call,
 * which detaches earlier views, so read `data` afresh after each call instead of keeping it.
 */
export interface WasmTensor<T extends ResidentArray = Float32Array> extends Tensor<T> {
  /** A view of the tensor's memory, made anew whenever WebAssembly memory has grown. */
  readonly data: T;
  readonly shape: readonly number[];
  /** Whether `free()` has been called. */
  readonly freed: boolean;
  /** Returns the memory to xentropy's allocator; `data` throws afterwards. Calling it twice is harmless. */
  free(): void;
}

class ResidentTensor<T extends ResidentArray> implements WasmTensor<T> {
  readonly shape: readonly number[];
  #kernels: WasmExports;
  #Type: ResidentArrayConstructor;
  #address: number;
  #length: number;
  #view: T | undefined;

  constructor(kernels: WasmExports, Type: ResidentArrayConstructor, shape: number[]) {
    this.shape = Object.freeze(shape);
    this.#kernels = kernels;
    this.#Type = Type;
    this.#length = product(shape);
    this.#address = callAllocator(() => kernels.allocate(this.#length * Type.BYTES_PER_ELEMENT));
    if (this.#address === 0) throw new RangeError(`allocTensor: WebAssembly memory cannot hold ${this.#length} more elements`);
  }

  get data(): T {
    if (this.#address === 0) throw new Error('WasmTensor: data was read after free()');
    const buffer = this.#kernels.memory.buffer;
    if (this.#view?.buffer !== buffer) this.#view = new this.#Type(buffer, this.#address, this.#length) as T;
    return this.#view as T;
  }

  get freed(): boolean {
    return this.#address === 0;
  }

  free(): void {
    if (this.#address === 0) return;
    this.#kernels.release(this.#address);
    this.#address = 0;
    this.#view = undefined;
  }
}

/**
 * Allocates a zero-filled tensor in WebAssembly memory (of the build active now), for calls with no
 * copies: fill `t.data`, pass `t` (or `t.data` as `out`), read results from `t.data`, and `free()` it.
 * @throws TypeError for a dtype other than Float32Array, Float64Array or Int32Array; RangeError for a bad shape.
 */
export function allocTensor<C extends ResidentArrayConstructor>(
  dtype: C, shape: readonly number[],
): WasmTensor<InstanceType<C>> {
  const kernels = wasm('allocTensor');
  if (dtype !== Float32Array && dtype !== Float64Array && dtype !== Int32Array) {
    throw new TypeError(`allocTensor: dtype must be Float32Array, Float64Array or Int32Array, received ${describe(dtype)}`);
  }
  const tensor = new ResidentTensor<InstanceType<C>>(kernels, dtype, checkShape('allocTensor', 'tensor', shape));
  tensor.data.fill(0);
  return tensor;
}
