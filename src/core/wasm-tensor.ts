// Tensors whose data lives in WebAssembly memory (allocTensor): owned by the caller until free() or release().
// Each instance keeps the ranges of its live tensors, so that a view of freed memory (a stale `data`) is refused,
// never read; release() cuts every tensor of a dropped instance loose from it, so that its memory can be collected.
import type { ResidentArray, ResidentArrayConstructor, WasmTensor } from '../types.js';
import type { WasmExports } from './kernel-abi.js';

/** Runs an allocator export: a failure to grow memory (a trap, an abort, or address 0) becomes 0. */
export function callAllocator(allocate: () => number): number {
  try {
    return allocate() >>> 0;
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError || (error instanceof Error && error.message.startsWith('abort:')))
      return 0;
    throw error;
  }
}

/** A live tensor's record (its identity tells a tensor from a later one at the same address). */
export interface LiveRecord {
  bytes: number;
}
/** The live tensors of each instance, by address. */
const live = new WeakMap<WasmExports, Map<number, LiveRecord>>();

/** What a tensor holds of its instance: emptied when release() drops the instance. */
type Owner = { kernels?: WasmExports };
const owners = new WeakMap<WasmExports, Owner>();

/** Cuts every tensor of `kernels` loose: each reads as freed from now on. */
export function dropTensors(kernels: WasmExports): void {
  const owner = owners.get(kernels);
  if (owner) owner.kernels = undefined;
  owners.delete(kernels);
  live.delete(kernels);
}

/** The live tensor of `kernels` that holds [address, address + bytes), if one does. */
export function liveTensorHolding(kernels: WasmExports, address: number, bytes: number): LiveRecord | undefined {
  for (const [start, record] of live.get(kernels) ?? []) {
    if (address >= start && address + bytes <= start + record.bytes) return record;
  }
  return undefined;
}

/** Whether [address, address + bytes) lies inside one live tensor of `kernels`. */
export const insideLiveTensor = (kernels: WasmExports, address: number, bytes: number): boolean =>
  liveTensorHolding(kernels, address, bytes) !== undefined;

export class ResidentTensor<T extends ResidentArray> implements WasmTensor<T> {
  readonly shape: readonly number[];
  #owner: Owner;
  #Type: ResidentArrayConstructor;
  #address: number;
  #length: number;
  #bytes: number;
  #view: T | undefined;

  constructor(kernels: WasmExports, Type: ResidentArrayConstructor, shape: number[]) {
    this.shape = Object.freeze(shape);
    const owner = owners.get(kernels) ?? { kernels };
    owners.set(kernels, owner);
    this.#owner = owner;
    this.#Type = Type;
    this.#length = shape.reduce((a, b) => a * b, 1);
    this.#bytes = this.#length * Type.BYTES_PER_ELEMENT;
    const bytes = this.#bytes;
    this.#address = bytes < 2 ** 32 - 2 ** 16 ? callAllocator(() => kernels.allocate(bytes)) : 0;
    if (this.#address === 0) {
      throw new RangeError(
        `allocTensor: WebAssembly memory cannot hold ${this.#length} more elements (${bytes} bytes)`,
      );
    }
    const tensors = live.get(kernels) ?? new Map<number, LiveRecord>();
    live.set(kernels, tensors);
    tensors.set(this.#address, { bytes });
  }

  get data(): T {
    const kernels = this.#live();
    if (!kernels) {
      throw new TypeError(`WasmTensor: data was read after ${this.#address === 0 ? 'free()' : 'release()'}`);
    }
    const buffer = kernels.memory.buffer;
    if (this.#view?.buffer !== buffer) this.#view = new this.#Type(buffer, this.#address, this.#length) as T;
    return this.#view as T;
  }

  /** The instance, while this tensor is neither freed nor dropped by release(). */
  #live(): WasmExports | undefined {
    const { kernels } = this.#owner;
    if (this.#address !== 0 && kernels) return kernels;
    this.#view = undefined;
    return undefined;
  }

  get freed(): boolean {
    return !this.#live();
  }

  free(): void {
    const kernels = this.#live();
    if (kernels) {
      live.get(kernels)?.delete(this.#address);
      kernels.release(this.#address, this.#bytes);
    }
    this.#address = 0;
    this.#view = undefined;
  }

  /** Whether `value` is a ResidentTensor that has been freed. */
  static isFreed(value: unknown): boolean {
    return (
      typeof value === 'object' && value !== null && #address in value && (value as ResidentTensor<ResidentArray>).freed
    );
  }
}

export const freedWasmTensor = (value: unknown): boolean => ResidentTensor.isFreed(value);
