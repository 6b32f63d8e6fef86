// A kernel called on a chunk: its arguments filled by name from the table's list, its rows shared among threads
// when the table says it may be (each thread's pointers moved to its first row).

import type { Dtype } from '../kernels.js';
import { exportName, KERNELS, type KernelName, positional } from '../kernels.js';
import { wasm } from '../runtime.js';
import { runRows } from '../threads.js';

/** An array argument: its address at the chunk's first row, and the bytes from one row to the next. */
export interface Pointer {
  address: number;
  rowBytes: number;
}

/** A kernel's arguments by name: arrays as pointers, scalars as numbers; an absent array is address 0. */
export type KernelArgs = Readonly<Record<string, Pointer | number | undefined>>;

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
  const kernels = wasm(caller);
  const spec = KERNELS[kernel];
  const rowsName = 'rowsArg' in spec ? spec.rowsArg : 'rows';
  const argsFor = (a: number, b: number) =>
    positional(kernel, (name, kind) => {
      if (name === rowsName) return b - a;
      const value = Object.hasOwn(args, name) ? args[name] : undefined;
      if (typeof value === 'object') return value.address + a * value.rowBytes;
      return value ?? (kind === 'ptr' ? 0 : undefined);
    });
  const id = exportName(kernel, dtype);
  if (!spec.split) return kernels[id](...argsFor(0, rows)) ?? 0;
  runRows(caller, kernels, id, rows, rowElements, argsFor, 'granule' in spec ? spec.granule : 1);
  return 0;
}
