// One task on the worker pool: the rows shared out (the calling thread takes the first share), the workers woken,
// and the wait for them. Loaded with the pool's start-up (thread-start.ts), never by a call on one thread.
import type { Pool, PoolLayout, PoolTask } from './threads.js';

const GENERATION = 0; // Int32 index: bumped to start a task (−1: stop)
const DONE = 1; // Int32 index: workers finished with the current task
const FAILED = 2; // Int32 index: 1 when a worker's kernel threw (a trap) during the current task
/** A task whose workers make no progress for this long is abandoned with an error, never waited on forever. */
const STALL_MS = 30_000;

/**
 * Runs `kernel` over `rows` rows on the pool: the workers take equal shares after the calling thread's (each a
 * multiple of `granule` rows), and this returns only once every share is done, whether or not one failed.
 * @throws Error naming `caller` when a worker's share trapped, or the workers stopped answering (the pool is then
 * forgotten and calls run on one thread); internal errors for a kernel the table does not split.
 */
export function runOnPool(
  pool: Pool,
  layout: PoolLayout,
  [caller, kernels, kernel, rows, argsFor, granule]: PoolTask,
): void {
  const { flags, slots, workers } = pool;
  const id = layout.names.indexOf(kernel);
  if (id < 0) throw new Error(`xentropy internal error: ${kernel} is not splittable across threads`);
  const share = Math.ceil(rows / (workers.length + 1) / granule) * granule;
  workers.forEach((_, w) => {
    const [start, end] = [Math.min(rows, (w + 1) * share), Math.min(rows, (w + 2) * share)];
    const args = end > start ? argsFor(start, end) : [];
    if (args.length > layout.slot - 2)
      throw new Error(`xentropy internal error: ${kernel} takes ${args.length} arguments`);
    slots[w * layout.slot] = id;
    slots[w * layout.slot + 1] = end > start ? args.length : -1;
    slots.set(args, w * layout.slot + 2);
  });
  const own = argsFor(0, Math.min(rows, share));
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
    layout.forget(pool);
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
