// Splitting a kernel's rows across threads: Node worker_threads, or Web Workers when xentropy itself runs
// in a cross-origin-isolated Web Worker, each running the threads build of the kernels on the one shared
// WebAssembly memory. The calling thread takes the first share of the rows and waits (Atomics.wait) for
// the others, so every public function stays synchronous (which is why a page's main thread, which may
// not wait, cannot use threads). Each thread writes only its own rows: results equal one thread's.

import { type ExportName, MAX_SPLIT_ARGS, SPLIT_KERNELS, type WasmExports } from './kernel-abi.js';

export const SLOT = MAX_SPLIT_ARGS + 2; // kernel id, argument count, arguments: sized from the kernel table
const GENERATION = 0; // Int32 index: bumped to start a task (−1: stop)
const DONE = 1; // Int32 index: workers finished with the current task
const FAILED = 2; // Int32 index: 1 when a worker's kernel threw (a trap) during the current task
/** A task whose workers make no progress for this long is abandoned with an error, never waited on forever. */
const STALL_MS = 30_000;

/** Below this many elements a call is not worth waking workers for. */
const MIN_PARALLEL_ELEMENTS = 1 << 16;

/** A started worker, whatever the platform. */
export interface PoolWorker {
  terminate(): unknown;
}

export interface Pool {
  /** The shared memory the workers run on: only calls on that memory's instance are shared with them. */
  memory: unknown;
  workers: PoolWorker[];
  flags: Int32Array;
  slots: Float64Array;
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

/** The pool, taken away (calls run on one thread from now on) for thread-start.ts to stop. */
export function takePool(): Pool | undefined {
  const taken = pool;
  pool = undefined;
  return taken;
}

/** Threads that share the rows of a call: 1 plus the workers. */
export const threadCount = (): number => 1 + (pool?.workers.length ?? 0);

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
  const threads = threadCount();
  // a call on another instance (while init switches builds, calls may run between its awaits) stays on this
  // thread: the workers' addresses are in the pool's shared memory, not in that instance's
  const foreign = pool?.memory !== kernels.memory;
  if (!pool || foreign || threads === 1 || rows < threads || rows * rowElements < MIN_PARALLEL_ELEMENTS) {
    kernels[kernel](...argsFor(0, rows));
    return;
  }
  const id = SPLIT_KERNELS.indexOf(kernel);
  if (id < 0) throw new Error(`xentropy internal error: ${kernel} is not splittable across threads`);
  const current = pool;
  const { flags, slots, workers } = current;
  const share = Math.ceil(rows / threads / granule) * granule;
  const shares = workers.map((_, w) => {
    const [start, end] = [Math.min(rows, (w + 1) * share), Math.min(rows, (w + 2) * share)];
    const args = end > start ? argsFor(start, end) : [];
    if (args.length > MAX_SPLIT_ARGS)
      throw new Error(`xentropy internal error: ${kernel} takes ${args.length} arguments`);
    return { args, count: end > start ? args.length : -1 };
  });
  const own = argsFor(0, Math.min(rows, share));
  shares.forEach(({ args, count }, w) => {
    slots[w * SLOT] = id;
    slots[w * SLOT + 1] = count;
    slots.set(args, w * SLOT + 2);
  });
  Atomics.store(flags, DONE, 0);
  Atomics.store(flags, FAILED, 0);
  Atomics.add(flags, GENERATION, 1);
  Atomics.notify(flags, GENERATION);
  let ownError: unknown;
  try {
    kernels[kernel](...own);
  } catch (error) {
    ownError = error;
  }
  if (!waitForWorkers(flags, workers.length)) {
    if (pool === current) pool = undefined;
    for (const worker of workers) worker.terminate();
    throw new Error(`${caller}: worker threads stopped answering; xentropy runs on one thread until init({ threads })`);
  }
  if (ownError !== undefined) throw ownError;
  if (Atomics.load(flags, FAILED)) throw new Error(`${caller}: a worker thread's share of the rows failed (a trap)`);
}

/** Waits until `count` workers are done; false when they make no progress for STALL_MS. */
function waitForWorkers(flags: Int32Array, count: number): boolean {
  let last = Atomics.load(flags, DONE);
  let since = Date.now();
  while (last < count) {
    Atomics.wait(flags, DONE, last, 1000);
    const done = Atomics.load(flags, DONE);
    if (done !== last) {
      last = done;
      since = Date.now();
    } else if (Date.now() - since > STALL_MS) {
      return false;
    }
  }
  return true;
}
