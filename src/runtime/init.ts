// The runtime's face: init, which reads and checks its options and serialises the calls, and what it reports
// (the active build, its memory, its threads). The loading itself is src/core/instance.ts.
import { activeBuild, configure, memoryBytes, releaseMemory } from '../core/instance.js';
import { threadCount } from '../core/threads.js';
import { describe, readOptions } from '../core/validate.js';
import type { InitOptions, WasmBuild } from '../types.js';

let queue: Promise<unknown> = Promise.resolve();

/**
 * Loads and instantiates the WebAssembly. Calls are serialised: each runs after the previous one has
 * settled, so concurrent calls resolve in call order and the last call's request is what runs afterwards.
 * A call without options keeps the active build; `simd`, `relaxedSimd` or `threads` switch to what they
 * ask for (each build stays instantiated, so switching back is immediate). The relaxed-SIMD build (fused
 * multiply-add) is taken where the engine validates it, unless `relaxedSimd: false`. `threads` > 1 splits
 * the rows of big calls across worker threads on shared memory (SIMD build); where that cannot run, init
 * says so on the console (unless `warnings: false`) and runs on one thread. A call that asks for a build sets the
 * whole configuration: `threads` left out is 1, so `init({ simd: true })` stops the workers.
 * @throws TypeError / RangeError for bad options; Error when `simd: true` or `relaxedSimd: true` is asked of
 * an engine that cannot run it.
 */
export function init(options?: InitOptions): Promise<void> {
  return queued(() => configure(readInitOptions(options)));
}

/**
 * Gives back the WebAssembly memory that large calls grew (memory never shrinks while its instance lives):
 * the active build, and its threads, are instantiated afresh on new memory, so `wasmMemoryBytes()` returns to
 * its value after `init()`. Queued with `init` calls. Tensors from `allocTensor` lived in the old memory: they
 * read as freed afterwards (`freed` is true, `data` throws, passing one is a TypeError). Before `init()`, it
 * does nothing.
 */
export function release(): Promise<void> {
  return queued(releaseMemory);
}

/** Runs `step` after every earlier init or release call has settled. */
function queued(step: () => Promise<void>): Promise<void> {
  const run = queue.then(step);
  queue = run.catch(() => undefined);
  return run;
}

function readInitOptions(options: unknown) {
  const o = readOptions('init', options, ['simd', 'relaxedSimd', 'threads', 'warnings']);
  for (const name of ['simd', 'relaxedSimd', 'warnings'] as const) {
    const value = o[name];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new TypeError(`init: options.${name} must be a boolean or left out, received ${describe(value)}`);
    }
  }
  const { threads } = o;
  if (threads !== undefined && (typeof threads !== 'number' || !Number.isInteger(threads))) {
    throw new TypeError(`init: options.threads must be an integer, received ${describe(threads)}`);
  }
  if (threads !== undefined && (threads < 1 || threads > 256)) {
    throw new RangeError(`init: options.threads must be in [1, 256], received ${threads}`);
  }
  return o as { simd?: boolean; relaxedSimd?: boolean; threads?: number; warnings?: boolean };
}

/** How many threads share the rows of a big call (1 unless `init({ threads })` started workers). */
export function wasmThreads(): number {
  return threadCount();
}

/** The build that runs the kernels: 'relaxed-simd', 'simd' or 'scalar', or `undefined` before `init()` has resolved. */
export function wasmBuild(): WasmBuild | undefined {
  return activeBuild();
}

/**
 * Bytes of WebAssembly memory the active build holds (0 before `init()`): it grows to the largest
 * chunk a call has needed (about half a MiB per thread for plain arrays) plus any `allocTensor` tensors, and
 * stays there, reused by every call, until `release()`.
 */
export function wasmMemoryBytes(): number {
  return memoryBytes();
}
