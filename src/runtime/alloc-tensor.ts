import { wasm } from '../core/instance.js';
import { checkShape, describe } from '../core/validate.js';
import { ResidentTensor } from '../core/wasm-tensor.js';
import type { ResidentArrayConstructor, WasmTensor } from '../types.js';

/**
 * Allocates a zero-filled tensor in WebAssembly memory (of the build active now), for calls with no
 * copies: fill `t.data`, pass `t` (or `t.data` as `out`), read results from `t.data`, and `free()` it.
 * @throws TypeError for a dtype other than Float32Array, Float64Array or Int32Array; RangeError for a bad shape
 * or a size WebAssembly memory cannot hold.
 * @param dtype - Float32Array, Float64Array or Int32Array (for class indices).
 * @param shape - the tensor's shape: non-negative integers.
 * @returns a {@link WasmTensor}: `data` (a view, made afresh after memory grows), `shape`, `free()` and `freed`.
 * @example
 * ```ts
 * const logits = allocTensor(Float32Array, [2, 3]);
 * logits.data.set([2, 1, 0.1, 0.5, 2.5, 0.3]);
 * console.log(crossEntropy(logits, [0, 1]).toFixed(4)); // → 0.3185
 * logits.free();
 * ```
 * @group Runtime
 */
export function allocTensor<C extends ResidentArrayConstructor>(
  dtype: C,
  shape: readonly number[],
): WasmTensor<InstanceType<C>> {
  const kernels = wasm('allocTensor');
  if (dtype !== Float32Array && dtype !== Float64Array && dtype !== Int32Array) {
    throw new TypeError(
      `allocTensor: dtype must be Float32Array, Float64Array or Int32Array, received ${describe(dtype)}`,
    );
  }
  const tensor = new ResidentTensor<InstanceType<C>>(kernels, dtype, checkShape('allocTensor', 'tensor', shape));
  tensor.data.fill(0);
  return tensor;
}
