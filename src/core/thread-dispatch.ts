// One task on the worker pool: the rows shared out (the calling thread takes the first share, unless the task is
// async), the workers woken, and the wait for them; or rows taken block by block from a shared counter by every
// thread (the overlapped chunk loop's tasks). Loaded with the pool's start-up (thread-start.ts), never by a call on
// one thread.
import type { Pool, PoolLayout, PoolTask } from './threads.js';

const GENERATION = 0; // Int32 index: bumped to start a task (−1: stop)
const DONE = 1; // Int32 index: workers finished with the current task
const FAILED = 2; // Int32 index: 1 when a worker's kernel threw (a trap) during the current task
const NEXT = 3; // Int32 index: the first row not yet taken of a shared task
/** A worker's argument count that sends it to the shared task (takeRows). */
export const SHARED_TASK = -2;
/** Blocks of rows per thread in a shared task: small enough that the threads finish together. */
const TAKES_PER_THREAD = 16;
/**
 * How long a thread in Node spins before it sleeps on a flag (ms): the overlapped loop's threads meet at every chunk's
 * end, and a sleep and a wake there cost tens of µs each, where the other thread's last block takes about as long.
 * (Measured in Node only: Web Workers sleep at once.)
 */
export const SPIN_MS = 0.2;

/** Spins while `waiting()` holds, for `ms` at most. */
function spinWhile(waiting: () => boolean, ms: number): void {
  const until = performance.now() + ms;
  while (waiting() && performance.now() < until);
}

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
  start(flags);
  return own;
}

/** A shared task's head in the pool's shared block: kernel id, argument count, the index of the rows argument,
 * rows, rows per block; then the arguments of row 0 and each argument's step per row. */
const HEAD = 5;

/**
 * Runs blocks of the shared task's rows, each taken from the counter flags[NEXT], until none are left. The workers
 * run it from its source (thread-start.ts), so it uses nothing but its arguments and the globals.
 */
export function takeRows(
  kernels: Record<string, (...args: number[]) => unknown>,
  names: readonly string[],
  shared: Float64Array,
  flags: Int32Array,
): void {
  const [id, count, rowsAt, rows, block] = shared;
  const kernel = kernels[names[id]];
  const first = Array.from(shared.subarray(5, 5 + count)); // 5: the head's length
  const args = first.slice();
  for (let start = Atomics.add(flags, 3, block); start < rows; start = Atomics.add(flags, 3, block)) {
    for (let i = 0; i < count; i++) args[i] = first[i] + start * shared[5 + count + i];
    args[rowsAt] = Math.min(block, rows - start);
    kernel(...args);
  }
}

/**
 * Wakes the workers on a shared task: each thread takes blocks of its rows (multiples of `granule`) until none are
 * left; the calling thread joins in with takeRows. The arguments of rows [a, b) must be those of row 0 moved by a
 * step per row, and the row count b − a.
 */
export function shareRows(pool: Pool, layout: PoolLayout, [, , kernel, rows, argsFor, granule]: PoolTask): void {
  const { flags, slots, shared, workers } = pool;
  const id = layout.names.indexOf(kernel);
  const [zero, one, moved] = [argsFor(0, 0), argsFor(0, 1), argsFor(1, 1)];
  const rowsAt = one.findIndex((value, i) => value !== zero[i]);
  if (id < 0 || rowsAt < 0 || zero.length > layout.slot - 2)
    throw new Error(`xentropy internal error: ${kernel} cannot be shared by rows`);
  const block = Math.ceil(rows / (TAKES_PER_THREAD * (workers.length + 1)) / granule) * granule;
  shared.set([id, zero.length, rowsAt, rows, Math.max(block, granule), ...zero], 0);
  shared.set(
    moved.map((value, i) => value - zero[i]),
    HEAD + zero.length,
  );
  for (let w = 0; w < workers.length; w++) slots[w * layout.slot + 1] = SHARED_TASK;
  Atomics.store(flags, NEXT, 0);
  start(flags);
}

/** Starts the task the slots hold: the counts cleared, the generation bumped, the workers woken. */
function start(flags: Int32Array): void {
  Atomics.store(flags, DONE, 0);
  Atomics.store(flags, FAILED, 0);
  Atomics.add(flags, GENERATION, 1);
  Atomics.notify(flags, GENERATION);
}

/**
 * Waits for the workers of the current task, whether or not the calling thread's own share failed (`ownError`).
 * @throws as runOnPool.
 */
export function finishOnPool(pool: Pool, layout: PoolLayout, caller: string, ownError?: unknown): void {
  const spinMs = layout.isNode ? SPIN_MS : 0;
  const error = outcome(pool, layout, caller, waitForWorkers(pool.flags, pool.workers.length, spinMs), ownError);
  if (error !== undefined) throw error;
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
  finishOnPool(pool, layout, caller, ownError);
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
function waitForWorkers(flags: Int32Array, count: number, spinMs: number): boolean {
  spinWhile(() => Atomics.load(flags, DONE) < count, spinMs);
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
