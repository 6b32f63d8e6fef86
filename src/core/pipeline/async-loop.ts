// The chunk loop of an async call (see ./run-async.ts). Each chunk's kernel calls are recorded from the program's
// step, then run one by one, awaited: a split one on the worker pool alone (the calling thread stays free), the
// rest, and every one without a pool, on the calling thread; after a counted call (a tile) it yields to the event
// loop once a time slice has passed since it last did. Between calls, the abort signal and the allocTensor tensors
// the call reads where they lie are checked; views are taken afresh (other calls may grow the memory meanwhile).
// A module of its own, loaded on the first async call: it imports nothing of the entry's at run time.
import type { KernelName } from '../kernel-abi.js';
import type { Laid } from './chunk-loop.js';
import type { KernelCall } from './kernel-call.js';
import type { Ran } from './program.js';
import type { AsyncTools } from './run-async.js';

/** The caller's options that steer an async call. */
interface Control {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** How long an async call runs before it yields to the event loop, in ms: after a tile, it yields when another tile
 * as long would overrun the slice. A call shorter than a frame runs through, since in a page a yield may wait for the
 * next frame (a 64-token score took 6 ms more per keystroke with a yield after every tile), and a tile longer than
 * the slice is followed by a yield. */
export const YIELD_SLICE_MS = 16;
let yieldSliceMs = YIELD_SLICE_MS;

/** For the tests: the time slice (0 yields after every tile); left out, the default. */
export function setYieldSlice(ms = YIELD_SLICE_MS): void {
  yieldSliceMs = ms;
}

/** Lets the event loop run: a macrotask (setImmediate, else a message to itself). */
const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    const { setImmediate } = globalThis as { setImmediate?: (run: () => void) => void };
    if (setImmediate) return setImmediate(resolve);
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(0);
  });

/** options.signal (an AbortSignal) and options.onProgress (a function), checked. */
function readControl(caller: string, { signal, onProgress }: Control, describe: AsyncTools[10]): Control {
  const isSignal = typeof AbortSignal === 'function' ? signal instanceof AbortSignal : typeof signal === 'object';
  if (signal !== undefined && !isSignal) {
    throw new TypeError(`${caller}: options.signal must be an AbortSignal or left out, received ${describe(signal)}`);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new TypeError(
      `${caller}: options.onProgress must be a function or left out, received ${describe(onProgress)}`,
    );
  }
  return { signal, onProgress };
}

/** A check between kernel calls: throws the signal's reason once aborted, or a TypeError once a tensor the call
 * reads where it lies is no longer the live one it was. */
function checker([program, kernels, arranged, , , , , places]: Laid, { signal }: Control, tools: AsyncTools) {
  const liveTensorHolding = tools[7];
  const residents = program.slots.flatMap((s, i) => {
    const place = places[i];
    if (!place || arranged[i].resident === undefined) return [];
    const bytes = place.length * place.Type.BYTES_PER_ELEMENT;
    return [
      { label: s.label, address: place.address, bytes, record: liveTensorHolding(kernels, place.address, bytes) },
    ];
  });
  return () => {
    if (signal?.aborted) throw signal.reason;
    for (const { label, address, bytes, record } of residents) {
      if (liveTensorHolding(kernels, address, bytes) !== record) {
        throw new TypeError(`${program.caller}: ${label} was freed (free() or release()) while the call read it`);
      }
    }
  };
}

/**
 * Runs one recorded call, its scalars in `params` (the call's own params block: synchronous calls meanwhile write
 * the instance's): on the pool's workers, or on this thread.
 */
async function runCall(laid: Laid, params: number, call: KernelCall, tools: AsyncTools): Promise<void> {
  const [program, kernels] = laid;
  const [argsMaker, , , , exportName, , layoutOf, , poolOn] = tools;
  const [kernel, dtype, rows, , args] = call;
  const argsFor = argsMaker(kernel, args, new Float64Array(kernels.memory.buffer), params);
  const id = exportName(kernel, dtype);
  const { split, granule } = layoutOf(kernel);
  const pool = split ? poolOn(kernels.memory) : undefined;
  if (pool && (await pool.runAsync([program.caller, kernels, id, rows, argsFor, granule ?? 1]))) return;
  kernels[id](...argsFor(0, rows));
}

/** Runs a laid-out program's chunks, each kernel call awaited; resolves to its outputs. */
export async function runLaid(laid: Laid, options: object, counted: KernelName, tools: AsyncTools): Promise<Ran> {
  const [program, kernels] = laid;
  const control = readControl(program.caller, options, tools[10]);
  const params = kernels.allocate(256);
  if (params === 0) throw new RangeError(`${program.caller}: WebAssembly memory cannot grow by 256 bytes`);
  // a wait on the workers (Atomics.waitAsync) does not keep Node's event loop alive: a timer does
  const alive = setInterval(() => {}, 2 ** 30);
  try {
    return await chunks(laid, params, control, counted, tools);
  } finally {
    clearInterval(alive);
    kernels.release(params, 256);
  }
}

/** The chunk loop: per chunk, copy in, its kernel calls (recorded from the step) one by one, copy out. */
async function chunks(laid: Laid, params: number, control: Control, counted: KernelName, tools: AsyncTools) {
  const [program, kernels, arranged, unitsPerChunk, arrays, results, sums] = laid;
  const [, chunkAt, copyIn, copyOut, , heapsOf, , , , recordCalls] = tools;
  const { slots, units } = program;
  const check = checker(laid, control, tools);
  const heap = () => heapsOf(kernels.memory.buffer);
  const count = (sum: number, [kernel, , rows, elements]: KernelCall) =>
    sum + (kernel === counted ? rows * elements : 0);
  let [done, total] = [0, 0];
  let yielded = performance.now();
  let tileStarted = yielded;
  for (let start = 0; start < units; start += unitsPerChunk) {
    const n = Math.min(unitsPerChunk, units - start);
    check();
    copyIn(heap(), slots, arranged, arrays, start, n);
    const calls = recordCalls(() => program.step(chunkAt(slots, arranged, start, n)));
    if (start === 0) total = (calls.reduce(count, 0) / n) * units; // every row's work is alike
    for (const call of calls) {
      check();
      await runCall(laid, params, call, tools);
      if (call[0] !== counted) continue;
      done += count(0, call);
      control.onProgress?.(done, total);
      // a turn of the event loop before the slice would be overrun by another tile like this one: on one thread, and on
      // workers that finish before they are awaited
      const now = performance.now();
      const tile = now - tileStarted;
      tileStarted = now;
      if (now - yielded + tile < yieldSliceMs) continue;
      await yieldToEventLoop();
      yielded = tileStarted = performance.now();
    }
    check(); // a tensor freed during the chunk's last call
    copyOut(heap(), slots, arranged, arrays, sums, start, n);
  }
  copyOut(heap(), slots, arranged, arrays, sums, 0);
  return { outputs: results as Ran['outputs'], sum: 0, sums };
}
