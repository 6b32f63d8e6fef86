// One task on the worker pool: the rows shared out (the calling thread takes the first share, unless the task is
// async), the workers woken, and the wait for them. Loaded with the pool's start-up (thread-start.ts), never by a
// call on one thread.
import type { Pool, PoolLayout, PoolTask } from './threads.js';

const GENERATION = 0; // Int32 index: bumped to start a task (−1: stop)
const DONE = 1; // Int32 index: workers finished with the current task
const FAILED = 2; // Int32 index: 1 when a worker's kernel threw (a trap) during the current task
/** A task whose workers make no progress for this long is abandoned with an error, never waited on forever. */
const STALL_MS = 30_000;

/**
 * Gives the workers their shares of `rows` (each a multiple of `granule` rows) and wakes them; the calling thread
 * keeps the first share unless `async`. Returns the calling thread's share's arguments (none when async).
 */
function dispatch(pool: Pool, layout: PoolLayout, [, , kernel, rows, argsFor, granule]: PoolTask, async: boolean) {
  const { flags, slots, workers } = pool;
  const id = layout.names.indexOf(kernel);
  if (id < 0) throw new Error(`xentropy internal error: ${kernel} is not splittable across threads`);
  const first = async ? 0 : 1;
  const share = Math.ceil(rows / (workers.length + first) / granule) * granule;
  workers.forEach((_, w) => {
    const [start, end] = [Math.min(rows, (w + first) * share), Math.min(rows, (w + first + 1) * share)];
    const args = end > start ? argsFor(start, end) : [];
    if (args.length > layout.slot - 2)
      throw new Error(`xentropy internal error: ${kernel} takes ${args.length} arguments`);
    slots[w * layout.slot] = id;
    slots[w * layout.slot + 1] = end > start ? args.length : -1;
    slots.set(args, w * layout.slot + 2);
  });
  const own = async ? [] : argsFor(0, Math.min(rows, share));
  Atomics.store(flags, DONE, 0);
  Atomics.store(flags, FAILED, 0);
  Atomics.add(flags, GENERATION, 1);
  Atomics.notify(flags, GENERATION);
  return own;
}

/** After the wait: the error when the workers stopped answering (the pool is then forgotten), else the calling
 * thread's own, else one when a worker trapped. */
function outcome(pool: Pool, layout: PoolLayout, caller: string, answered: boolean, own?: unknown): unknown {
  if (!answered) {
    layout.forget(pool);
    pool.stopped = true;
    for (const worker of pool.workers) worker.terminate();
    return new Error(
      `${caller}: worker threads stopped answering; xentropy runs on one thread until init({ threads })`,
    );
  }
  if (own !== undefined) return own;
  if (Atomics.load(pool.flags, FAILED))
    return new Error(`${caller}: a worker thread's share of the rows failed (a trap)`);
  return undefined;
}

/**
 * Runs `kernel` over `rows` rows on the pool: the workers take equal shares after the calling thread's (each a
 * multiple of `granule` rows), and this returns only once every share is done, whether or not one failed.
 * @throws Error naming `caller` when a worker's share trapped, or the workers stopped answering (the pool is then
 * forgotten and calls run on one thread); internal errors for a kernel the table does not split.
 */
export function runOnPool(pool: Pool, layout: PoolLayout, task: PoolTask): void {
  const [caller, kernels, kernel] = task;
  const own = dispatch(pool, layout, task, false);
  let ownError: unknown;
  try {
    kernels[kernel](...own);
  } catch (error) {
    ownError = error;
  }
  const error = outcome(pool, layout, caller, waitForWorkers(pool.flags, pool.workers.length), ownError);
  if (error !== undefined) throw error;
}

/**
 * Runs `kernel` over `rows` rows on the workers alone, after every async task queued before it, while the calling
 * thread goes on (synchronous calls meanwhile run on one thread). Resolves true once every share is done, or false,
 * running nothing, when the pool stopped first.
 * @throws Error (a rejection) as runOnPool.
 */
export function runOnWorkers(pool: Pool, layout: PoolLayout, task: PoolTask): Promise<boolean> {
  const ran = pool.idle.then(async () => {
    if (pool.stopped) return false;
    pool.busy = true;
    try {
      dispatch(pool, layout, task, true);
      const error = outcome(pool, layout, task[0], await workersDone(pool.flags, pool.workers.length));
      if (error !== undefined) throw error;
      return true;
    } finally {
      pool.busy = false;
    }
  });
  pool.idle = ran.then(
    () => undefined,
    () => undefined,
  );
  return ran;
}

type WaitAsync = (flags: Int32Array, index: number, value: number, ms: number) => { value: unknown };

/** The workers' DONE count as last seen, and whether it has not moved for STALL_MS. */
function stallWatch(flags: Int32Array) {
  let last = Atomics.load(flags, DONE);
  let since = Date.now();
  return {
    last: () => last,
    stalled() {
      const done = Atomics.load(flags, DONE);
      if (done !== last) {
        last = done;
        since = Date.now();
      }
      return Date.now() - since > STALL_MS;
    },
  };
}

/** Waits until `count` workers are done; false when they make no progress for STALL_MS. */
function waitForWorkers(flags: Int32Array, count: number): boolean {
  const watch = stallWatch(flags);
  while (watch.last() < count) {
    Atomics.wait(flags, DONE, watch.last(), 1000);
    if (watch.stalled()) return false;
  }
  return true;
}

/** As waitForWorkers, awaiting: Atomics.waitAsync where the engine has it, else a timer. */
async function workersDone(flags: Int32Array, count: number): Promise<boolean> {
  const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
  const watch = stallWatch(flags);
  while (watch.last() < count) {
    if (waitAsync) await waitAsync(flags, DONE, watch.last(), 1000).value;
    else await new Promise((resolve) => setTimeout(resolve, 1));
    if (watch.stalled()) return false;
  }
  return true;
}
