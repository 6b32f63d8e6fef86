// Splitting a kernel's rows across threads: Node worker_threads, or Web Workers when xentropy itself runs
// in a cross-origin-isolated Web Worker, each running the threads build of the kernels on the one shared
// WebAssembly memory. The calling thread takes the first share of the rows and waits (Atomics.wait) for
// the others, so every public function stays synchronous (which is why a page's main thread, which may
// not wait, runs them on one thread). Async calls (linearScoreAsync) give every share to the workers and await
// them, from any thread. Each thread writes only its own rows: results equal one thread's.

import { type ExportName, MAX_SPLIT_ARGS, SPLIT_KERNELS, type WasmExports } from './kernel-abi.js';
import type { ChunkTools, Laid } from './pipeline/chunk-loop.js';
import type { Ran } from './pipeline/program.js';

export const SLOT = MAX_SPLIT_ARGS + 2; // kernel id, argument count, arguments: sized from the kernel table

/** Below this many elements a call is not worth waking workers for. */
const MIN_PARALLEL_ELEMENTS = 1 << 16;

/** A started worker, whatever the platform. */
export interface PoolWorker {
  terminate(): unknown;
}

/** What the pool's lazily loaded code is told of the entry's: kernel ids, slot size, the platform, and how to
 * forget a pool that stopped answering. */
export interface PoolLayout {
  names: readonly string[];
  slot: number;
  isNode: boolean;
  forget(pool: Pool): void;
}

/** A task for the pool: caller, instance, kernel, rows, the arguments of rows [start, end), the share's multiple. */
export type PoolTask = [string, WasmExports, ExportName, number, (start: number, end: number) => number[], number];

export interface Pool {
  /** The shared memory the workers run on: only calls on that memory's instance are shared with them. */
  memory: unknown;
  /** Runs one task on the workers (thread-dispatch.ts's runOnPool, bound to this pool). */
  run(task: PoolTask): void;
  /** Runs one task on the workers alone, after the async tasks before it; false when the pool stopped first. */
  runAsync(task: PoolTask): Promise<boolean>;
  /** Runs a laid-out program's chunks, each copied in and out while the workers compute another (overlap-loop.ts). */
  runChunks(laid: Laid, tools: ChunkTools): Ran;
  /** The async tasks queued so far, settled (the pool stops after them). */
  idle: Promise<void>;
  /** An async task is running: synchronous calls meanwhile run on one thread. */
  busy: boolean;
  stopped: boolean;
  /** A page's main thread, which may not wait: only async calls use the workers. */
  asyncOnly: boolean;
  workers: PoolWorker[];
  flags: Int32Array;
  slots: Float64Array;
  /** The task every thread takes rows of (thread-dispatch.ts's shareRows). */
  shared: Float64Array;
  /** The Web Workers' script URL, revoked when the pool stops. */
  scriptUrl?: string;
}

let pool: Pool | undefined;

/** Makes `next` the pool (its workers started by thread-start.ts, loaded only when threads are asked for). */
export function setPool(next: Pool): void {
  pool = next;
}

/** Whether this runs in Node (worker_threads; and, for the runtime, synchronous instantiation). */
export const isNode: boolean =
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

/** Forgets `stalled` if it is still the pool (its workers stopped answering; calls run on one thread). */
export function forgetPool(stalled: Pool): void {
  if (pool === stalled) pool = undefined;
}

/** The layout the pool's code is started with. */
export const poolLayout = (): PoolLayout => ({ names: SPLIT_KERNELS, slot: SLOT, isNode, forget: forgetPool });

/** The pool, taken away (calls run on one thread from now on) for thread-start.ts to stop. */
export function takePool(): Pool | undefined {
  const taken = pool;
  pool = undefined;
  return taken;
}

/** Threads that share the rows of a synchronous call: 1 plus the workers. */
export const threadCount = (): number => (pool?.asyncOnly ? 1 : poolThreads());

/** Threads init asked for: 1 plus the workers (whether or not synchronous calls may use them). */
export const poolThreads = (): number => 1 + (pool?.workers.length ?? 0);

/** The pool, when it runs on `memory` (an async call's instance). */
export const poolOn = (memory: unknown): Pool | undefined => (pool?.memory === memory ? pool : undefined);

/** The pool, when a synchronous call on `kernels` may share its rows with it now. A call on another instance (while
 * init switches builds, calls may run between its awaits) stays on this thread: the workers' addresses are in the
 * pool's shared memory, not in that instance's. */
export const syncPool = (kernels: WasmExports): Pool | undefined =>
  pool && !pool.asyncOnly && !pool.busy && pool.workers.length > 0 && pool.memory === kernels.memory ? pool : undefined;

/**
 * Runs `kernel` over `rows` rows of `rowElements` elements each: `argsFor(start, end)` gives the kernel's
 * arguments for rows [start, end). With workers, they take equal shares after the calling thread's (each a
 * multiple of `granule` rows: the matrix multiply's tile height, so that every row is computed as on one
 * thread), and the call returns only once every share is done, whether or not one of them failed.
 * @throws Error naming `caller` when a worker's share trapped, or the workers stopped answering (the pool is
 * then stopped and calls run on one thread); internal errors for a kernel the table does not split.
 */
export function runRows(
  caller: string,
  kernels: WasmExports,
  kernel: ExportName,
  rows: number,
  rowElements: number,
  argsFor: (start: number, end: number) => number[],
  granule = 1,
): void {
  const shared = syncPool(kernels);
  if (!shared || rows < threadCount() || rows * rowElements < MIN_PARALLEL_ELEMENTS) {
    kernels[kernel](...argsFor(0, rows));
    return;
  }
  shared.run([caller, kernels, kernel, rows, argsFor, granule]);
}
