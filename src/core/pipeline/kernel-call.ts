// A kernel called on a chunk: its arguments filled by name from the table's list, its rows shared among threads
// when the table says it may be (each thread's pointers moved to its first row).

import { wasm } from '../instance.js';
import { type Dtype, exportArgs, exportName, type KernelName, layoutOf, type WasmExports } from '../kernel-abi.js';
import { type PoolTask, runRows } from '../threads.js';

/** An array argument: its address at the chunk's first row, and the bytes from one row to the next. */
export interface Pointer {
  address: number;
  rowBytes: number;
}

/** A kernel's arguments by name: arrays as pointers, scalars as numbers; an absent array is address 0. */
export type KernelArgs = Readonly<Record<string, Pointer | number | undefined>>;

const blocks = new WeakMap<WasmExports, { view: Float64Array; address: number }>();
/** The instance's params block, viewed as float64 on its memory as it is now. */
function paramsBlock(kernels: WasmExports): { view: Float64Array; address: number } {
  let block = blocks.get(kernels);
  if (!block || block.view.buffer !== kernels.memory.buffer) {
    block = { view: new Float64Array(kernels.memory.buffer), address: kernels.paramsBlock() };
    blocks.set(kernels, block);
  }
  return block;
}

/** A kernel call as recordCalls keeps it: kernel, dtype, rows, elements per row, arguments. */
export type KernelCall = [KernelName, Dtype, number, number, KernelArgs];

let recorded: KernelCall[] | undefined;

/** The kernel calls `step` makes, recorded, not run (an async call runs them itself). */
export function recordCalls(step: () => unknown): KernelCall[] {
  const calls: KernelCall[] = [];
  recorded = calls;
  try {
    step();
  } finally {
    recorded = undefined;
  }
  return calls;
}

/** The export arguments of `kernel` for rows [a, b), its params written into `block` (a float64 view) at `address`. */
export function argsMaker(kernel: KernelName, args: KernelArgs, block: Float64Array, address: number) {
  const rowsName = layoutOf(kernel).rowsArg ?? 'rows';
  return (a: number, b: number) =>
    exportArgs(
      kernel,
      (name, kind) => {
        if (name === rowsName) return b - a;
        const value = Object.hasOwn(args, name) ? args[name] : undefined;
        if (typeof value === 'object') return value.address + a * value.rowBytes;
        return value ?? (kind === 'ptr' ? 0 : undefined);
      },
      block,
      address,
    );
}

/** A recorded call as a task for the pool (its params in the instance's block), or undefined when its kernel is not
 * split among threads. */
export function poolTaskOf(caller: string, [kernel, dtype, rows, , args]: KernelCall): PoolTask | undefined {
  const spec = layoutOf(kernel);
  if (!spec.split) return undefined;
  const kernels = wasm(caller);
  const { view, address } = paramsBlock(kernels);
  return [caller, kernels, exportName(kernel, dtype), rows, argsMaker(kernel, args, view, address), spec.granule ?? 1];
}

/**
 * Runs `kernel` over `rows` rows (of `rowElements` elements, the threads' measure of work); `args` holds every
 * argument but the row count, which the table names. Returns what the kernel returned (Σ loss), or 0.
 */
export function callKernel(
  caller: string,
  kernel: KernelName,
  dtype: Dtype,
  rows: number,
  rowElements: number,
  args: KernelArgs,
): number {
  if (recorded) return recorded.push([kernel, dtype, rows, rowElements, args]) && 0;
  const kernels = wasm(caller);
  const spec = layoutOf(kernel);
  const { view: block, address } = paramsBlock(kernels);
  const argsFor = argsMaker(kernel, args, block, address);
  const id = exportName(kernel, dtype);
  if (!spec.split) return kernels[id](...argsFor(0, rows)) ?? 0;
  runRows(caller, kernels, id, rows, rowElements, argsFor, spec.granule ?? 1);
  return 0;
}
