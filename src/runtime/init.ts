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
 * the rows of big calls across worker threads on shared memory (the same build: relaxed or plain SIMD, with one
 * thread's results); where that cannot run, init
 * says so on the console (unless `warnings: false`) and runs on one thread. A call that asks for a build sets the
 * whole configuration: `threads` left out is 1, so `init({ simd: true })` stops the workers.
 * @throws TypeError / RangeError for bad options; Error when `simd: true` or `relaxedSimd: true` is asked of
 * an engine that cannot run it.
 * @param options - {@link InitOptions}: `simd` and `relaxedSimd` (both chosen by what the engine validates), `threads`
 * (1) and `warnings` (true).
 * @returns a promise that resolves once the build asked for runs (the active one for a call without options).
 * @example
 * ```ts
 * await init({ warnings: false });
 * console.log(['relaxed-simd', 'simd', 'scalar'].includes(wasmBuild())); // → true
 * ```
 * @group Runtime
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
 * @returns a promise that resolves once the build runs on new memory.
 * @example
 * ```ts
 * crossEntropy({ data: new Float32Array(3 * 100_000), shape: [3, 100_000] }, [0, 1, 2]);
 * await release();
 * console.log(wasmMemoryBytes() < 2 ** 20); // → true
 * ```
 * @group Runtime
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

/**
 * How many threads share the rows of a big call (1 unless `init({ threads })` started workers).
 * @returns 1, or 1 plus the worker threads that `init({ threads })` started.
 * @example
 * ```ts
 * console.log(wasmThreads()); // → 1
 * ```
 * @group Runtime
 */
export function wasmThreads(): number {
  return threadCount();
}

/**
 * The build that runs the kernels: 'relaxed-simd', 'simd' or 'scalar', or `undefined` before `init()` has resolved.
 * @returns the build's name, or undefined before init.
 * @example
 * ```ts
 * console.log(typeof wasmBuild()); // → string
 * ```
 * @group Runtime
 */
export function wasmBuild(): WasmBuild | undefined {
  return activeBuild();
}

/**
 * Bytes of WebAssembly memory the active build holds (0 before `init()`): it grows to the largest
 * chunk a call has needed (about half a MiB per thread for plain arrays) plus any `allocTensor` tensors, and
 * stays there, reused by every call, until `release()`.
 * @returns bytes of WebAssembly memory, a multiple of the 64 KiB page.
 * @example
 * ```ts
 * console.log(wasmMemoryBytes() % 65536); // → 0
 * ```
 * @group Runtime
 */
export function wasmMemoryBytes(): number {
  return memoryBytes();
}
