// Starting the worker pool: the workers' own code and their start-up, in a module of its own that init loads only
// when threads are asked for (so a page on one thread never downloads it), with the dispatch of tasks to it. It
// imports nothing of the entry's at run time (a module shared with the entry would be split into a chunk of its
// own: the entry hands it a PoolLayout instead); threads.ts holds the running pool.
import { runOverlapped } from './pipeline/overlap-loop.js';
import { runOnPool, runOnWorkers, SHARED_TASK, SPIN_MS, takeRows } from './thread-dispatch.js';
import type { Pool, PoolLayout, PoolWorker } from './threads.js';

// The worker's own code, as a string, so that the package needs no separate file: `start` runs the task
// loop; a prelude per platform hands it the start-up data and a way to answer.
const WORKER_LOOP = `
const takeRows = ${takeRows};
function start({ module, memory, control, index, names, slot, sharedAt, spinMs, blockAt }, reply) {
  const flags = new Int32Array(control, 0, 4);
  const slots = new Float64Array(control, 16);
  const shared = new Float64Array(control, sharedAt);
  const abort = () => { throw new Error('xentropy worker: abort'); };
  WebAssembly.instantiate(module, { env: { memory, abort } }).then((instance) => {
    const kernels = instance.exports;
    kernels.setInstanceBlock(blockAt); // (its memory is shared: params and short rows need a block of its own)
    let seen = Atomics.load(flags, 0); // read before 'ready', so no task can slip in between
    reply('ready');
    for (;;) {
      // the next chunk's task comes within a few tens of µs in the overlapped loop: spin a little (Node), then sleep
      const until = performance.now() + spinMs;
      while (Atomics.load(flags, 0) === seen && performance.now() < until);
      Atomics.wait(flags, 0, seen);
      const generation = Atomics.load(flags, 0);
      // a wake with no new task (it happens: a worker ran its task twice) is waited out, never run
      if (generation === seen) continue;
      seen = generation;
      if (seen < 0) break;
      const base = index * slot;
      const count = slots[base + 1];
      try {
        if (count >= 0) kernels[names[slots[base]]](...Array.from(slots.subarray(base + 2, base + 2 + count)));
        else if (count === ${SHARED_TASK}) takeRows(kernels, names, shared, flags);
      } catch {
        Atomics.store(flags, 2, 1);
      }
      Atomics.add(flags, 1, 1);
      Atomics.notify(flags, 1);
    }
  });
}
`;
// import() works whether Node evaluates this as CommonJS or, under --input-type=module, as a module
const NODE_WORKER_SOURCE = `${WORKER_LOOP}
import('node:worker_threads').then(({ parentPort, workerData }) => {
  start(workerData, (message) => parentPort.postMessage(message));
});
`;
const WEB_WORKER_SOURCE = `${WORKER_LOOP}
self.onmessage = (event) => start(event.data, (message) => self.postMessage(message));
`;

/** The part of node:worker_threads' Worker this module uses (no Node types in the browser build). */
interface NodeWorker extends PoolWorker {
  once(event: 'message' | 'error', listener: (value: unknown) => void): void;
  unref(): void;
}
type NodeWorkerConstructor = new (source: string, options: { eval: boolean; workerData: unknown }) => NodeWorker;

/**
 * A Node built-in module, with no import() a bundler could see (Vite and webpack warn about an import of a
 * computed name, and the minified bundle keeps no ignore comments): process.getBuiltinModule (Node ≥ 20.16,
 * Deno, Bun), else an import() compiled at run time, which only Node reaches.
 */
function nodeBuiltin(name: string): Promise<unknown> {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof process?.getBuiltinModule === 'function') return Promise.resolve(process.getBuiltinModule(name));
  return (new Function('name', 'return import(name)') as (name: string) => Promise<unknown>)(name);
}

/** A pool of started workers on the threads build (compiled: its code is shared) and shared memory (kernel names by
 * id, SLOT), one for each of `blocks` (each worker's own block in that memory: its params, its short rows' scratch). */
export async function startPool(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  blocks: number[],
  layout: PoolLayout,
): Promise<Pool> {
  const { names, slot, isNode } = layout;
  const count = blocks.length;
  // the flags, a slot per worker, and the shared task (its head, and an argument and a step per argument)
  const sharedAt = 16 + 8 * slot * count;
  const control = new SharedArrayBuffer(sharedAt + 8 * (5 + 2 * slot));
  const spinMs = isNode ? SPIN_MS : 0;
  const data = (index: number) => {
    const blockAt = blocks[index];
    return { module, memory, control, index, names: [...names], slot, sharedAt, spinMs, blockAt };
  };
  const next: Pool = {
    memory,
    run: (task) => runOnPool(next, layout, task),
    runAsync: (task) => runOnWorkers(next, layout, task),
    runChunks: (laid, tools) => runOverlapped(next, layout, laid, tools),
    idle: Promise.resolve(),
    busy: false,
    stopped: false,
    asyncOnly: onPageMainThread(isNode),
    workers: [],
    flags: new Int32Array(control, 0, 4),
    slots: new Float64Array(control, 16, slot * count),
    shared: new Float64Array(control, sharedAt),
  };
  const started: PoolWorker[] = [];
  try {
    next.workers = await (isNode
      ? startNodeWorkers(count, data, started)
      : startWebWorkers(next, count, data, started));
  } catch (error) {
    for (const worker of started) worker.terminate();
    if (next.scriptUrl) URL.revokeObjectURL(next.scriptUrl);
    throw error;
  }
  return next;
}

/** How long a worker may take to start (instantiate its module and answer) before init gives up on threads. */
let startLimitMs = 20_000;

/** For the tests: sets the start-up limit in ms; returns the one it replaces. */
export function setStartLimit(ms: number): number {
  const before = startLimitMs;
  startLimitMs = ms;
  return before;
}

/** `ready`, or a rejection once the start-up limit has passed. */
function withinStartLimit<T>(ready: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    const seconds = startLimitMs / 1000;
    timer = setTimeout(() => reject(new Error(`a worker thread did not start within ${seconds} s`)), startLimitMs);
  });
  return Promise.race([ready, late]).finally(() => clearTimeout(timer));
}

type StartData = (index: number) => unknown;

/** `count` Node workers, each pushed onto `started` as it is made, resolved once all have answered. */
async function startNodeWorkers(count: number, data: StartData, started: PoolWorker[]): Promise<PoolWorker[]> {
  const { Worker } = (await nodeBuiltin('node:worker_threads')) as { Worker: NodeWorkerConstructor };
  return Promise.all(
    Array.from({ length: count }, (_, index) => {
      const worker = new Worker(NODE_WORKER_SOURCE, { eval: true, workerData: data(index) });
      started.push(worker);
      worker.unref(); // an idle pool never keeps the process alive, nor does a worker that never starts
      return withinStartLimit(
        new Promise<NodeWorker>((resolve, reject) => {
          worker.once('message', () => resolve(worker));
          worker.once('error', (error) => reject(new Error(`a worker thread failed to start: ${messageOf(error)}`)));
        }),
      );
    }),
  );
}

/** `count` Web Workers on the pool's script, as startNodeWorkers. */
function startWebWorkers(pool: Pool, count: number, data: StartData, started: PoolWorker[]): Promise<PoolWorker[]> {
  pool.scriptUrl = URL.createObjectURL(new Blob([WEB_WORKER_SOURCE], { type: 'text/javascript' }));
  return Promise.all(
    Array.from({ length: count }, (_, index) => {
      const worker = new Worker(pool.scriptUrl as string);
      started.push(worker);
      return withinStartLimit(
        new Promise<Worker>((resolve, reject) => {
          worker.onmessage = () => resolve(worker);
          worker.onerror = (event) => reject(new Error(`a worker thread failed to start: ${event.message}`));
          worker.postMessage(data(index));
        }),
      );
    }),
  );
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const scope = globalThis as { WorkerGlobalScope?: abstract new () => unknown; crossOriginIsolated?: boolean };

/** Whether this is a page's main thread, which may not wait: its workers serve only async calls. */
const onPageMainThread = (isNode: boolean): boolean =>
  !isNode && !(scope.WorkerGlobalScope && globalThis instanceof scope.WorkerGlobalScope);

/** Why threads cannot run here, or undefined where they can. */
export function threadsUnavailable(isNode: boolean): string | undefined {
  if (typeof SharedArrayBuffer === 'undefined')
    return 'SharedArrayBuffer is missing (a page needs cross-origin isolation: COOP and COEP headers)';
  if (isNode) return undefined;
  if (!scope.crossOriginIsolated) return 'the page is not cross-origin isolated (COOP and COEP headers)';
  return undefined;
}

/** What init says when it starts workers on a page's main thread, which may not wait for them. */
export function noteMainThread(isNode: boolean, threads: number): void {
  if (!onPageMainThread(isNode)) return;
  console.warn(
    `xentropy: init({ threads: ${threads} }) on a page's main thread, which may not wait: its synchronous calls run ` +
      `on one thread, and async calls (linearScoreAsync) on the ${threads - 1} workers; call xentropy from a Web ` +
      'Worker to share synchronous calls too',
  );
}

/** Stops a pool's workers (an init() without threads, or before a new pool), once its async tasks are done. */
export async function stopPool(pool: Pool): Promise<void> {
  pool.idle = pool.idle.then(() => {
    pool.stopped = true;
  });
  await pool.idle;
  const { workers, flags, scriptUrl } = pool;
  Atomics.store(flags, 0, -1); // the generation: −1 stops the task loop
  Atomics.notify(flags, 0);
  await Promise.all(workers.map((w) => w.terminate()));
  if (scriptUrl) URL.revokeObjectURL(scriptUrl);
}
