// Tensors whose data lives in WebAssembly memory (allocTensor): owned by the caller until free().
import type { ResidentArray, WasmTensor } from '../types.js';
import type { WasmExports } from './kernels.js';

type ResidentArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor;

/** Runs an allocator export; its trap when memory cannot grow (or a 0 address) becomes 0. */
export function callAllocator(allocate: () => number): number {
  try {
    return allocate() >>> 0;
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) return 0;
    throw error;
  }
}

export class ResidentTensor<T extends ResidentArray> implements WasmTensor<T> {
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
    this.#length = shape.reduce((a, b) => a * b, 1);
    const bytes = this.#length * Type.BYTES_PER_ELEMENT;
    this.#address = bytes < 2 ** 32 ? callAllocator(() => kernels.allocate(bytes)) : 0;
    if (this.#address === 0)
      throw new RangeError(
        `allocTensor: WebAssembly memory cannot hold ${this.#length} more elements (${bytes} bytes)`,
      );
  }

  get data(): T {
    if (this.#address === 0) throw new TypeError('WasmTensor: data was read after free()');
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

  /** Whether `value` is a ResidentTensor that has been freed. */
  static isFreed(value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      #address in value &&
      (value as ResidentTensor<ResidentArray>).#address === 0
    );
  }
}

export const freedWasmTensor = (value: unknown): boolean => ResidentTensor.isFreed(value);
