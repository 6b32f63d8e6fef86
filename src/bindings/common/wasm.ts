// The raw WebAssembly exports, typed in one place, and the one instance every binding calls.
import { instantiate } from '@assemblyscript/loader';
import { RELAXED_WASM_BASE64, SCALAR_WASM_BASE64, SIMD_WASM_BASE64, THREADS_WASM_BASE64 } from '../../generated/wasm.js';
import type { InitOptions, WasmBuild } from '../../types.js';
import { startWorkers, stopWorkers, threadCount, threadsUnavailable } from './threads.js';
import { checkOptions, describe } from './validate.js';

type Ptr = number;
type RowKernel = (x: Ptr, rows: number, cols: number, out: Ptr) => void;
type CrossEntropyIndexKernel = (
  x: Ptr, rows: number, classes: number, targets: Ptr, weight: Ptr, smoothing: number,
  lossOut: Ptr, grad: Ptr, gradScale: number, gradOutput: Ptr,
) => void;
type CrossEntropyProbKernel = (
  x: Ptr, targets: Ptr, rows: number, classes: number, weight: Ptr, smoothing: number,
  lossOut: Ptr, grad: Ptr, gradScale: number, gradOutput: Ptr,
) => void;
type ElementwiseKernel = (x: Ptr, n: number, out: Ptr) => void;
/** Returns Σ loss; see assembly/kernels/elementwise-losses.ts. */
type ElementwiseLossKernel = (
  op: number, x: Ptr, y: Ptr, rows: number, cols: number, weight: Ptr, weightPerElement: number,
  posWeight: Ptr, posWeightPerElement: number, lossOut: Ptr, grad: Ptr, gradScale: number, gradOutput: Ptr,
) => number;
type SwapKernel = (src: Ptr, dst: Ptr, outer: number, a: number, b: number) => void;

/** What assembly/index.ts exports. */
export interface WasmExports {
  memory: WebAssembly.Memory;
  scratch(bytes: number): Ptr;
  allocate(bytes: number): Ptr;
  release(ptr: Ptr): void;
  simdBuild(): number;
  logSumExpF32: RowKernel;
  logSumExpF64: RowKernel;
  softmaxF32: RowKernel;
  softmaxF64: RowKernel;
  logSoftmaxF32: RowKernel;
  logSoftmaxF64: RowKernel;
  crossEntropyIndexF32: CrossEntropyIndexKernel;
  crossEntropyIndexF64: CrossEntropyIndexKernel;
  crossEntropyProbF32: CrossEntropyProbKernel;
  crossEntropyProbF64: CrossEntropyProbKernel;
  swapLastTwoDimsF32: SwapKernel;
  swapLastTwoDimsF64: SwapKernel;
  expF32: ElementwiseKernel;
  expF64: ElementwiseKernel;
  expNonPositiveF32: ElementwiseKernel;
  expNonPositiveF64: ElementwiseKernel;
  logF32: ElementwiseKernel;
  logF64: ElementwiseKernel;
  log1pF32: ElementwiseKernel;
  log1pF64: ElementwiseKernel;
  sigmoidF32: ElementwiseKernel;
  sigmoidF64: ElementwiseKernel;
  logSigmoidF32: ElementwiseKernel;
  logSigmoidF64: ElementwiseKernel;
  entropyF32: RowKernel;
  entropyF64: RowKernel;
  elementwiseLossF32: ElementwiseLossKernel;
  elementwiseLossF64: ElementwiseLossKernel;
}

const EMBEDDED = { simd: SIMD_WASM_BASE64, 'relaxed-simd': RELAXED_WASM_BASE64, scalar: SCALAR_WASM_BASE64, threads: THREADS_WASM_BASE64 };
type Embedded = keyof typeof EMBEDDED;

// Each build's bytes and whether the engine validates them, decoded and asked once, when first needed.
const decoded = new Map<Embedded, Uint8Array<ArrayBuffer>>();
const bytesOf = (build: Embedded): Uint8Array<ArrayBuffer> => {
  let bytes = decoded.get(build);
  if (!bytes) decoded.set(build, (bytes = Uint8Array.from(atob(EMBEDDED[build]), (c) => c.charCodeAt(0))));
  return bytes;
};
const validated = new Map<Embedded, boolean>();
const validates = (build: Embedded): boolean => {
  let ok = validated.get(build);
  if (ok === undefined) validated.set(build, (ok = WebAssembly.validate(bytesOf(build))));
  return ok;
};

let active: { build: WasmBuild; exports: WasmExports } | undefined;
const loading = new Map<string, Promise<WasmExports>>();

function load(key: string, bytes: Uint8Array<ArrayBuffer>, imports: Record<string, Record<string, unknown>> = {}): Promise<WasmExports> {
  let promise = loading.get(key);
  if (!promise) {
    promise = instantiate<Record<string, unknown>>(bytes, imports).then(({ exports }) => exports as unknown as WasmExports);
    promise.catch(() => loading.delete(key));
    loading.set(key, promise);
  }
  return promise;
}

let sharedMemory: WebAssembly.Memory | undefined;

/**
 * Loads and instantiates the WebAssembly once. Idempotent: concurrent calls share one promise, and a
 * call after a build is active keeps it unless `simd` or `threads` asks for something else, which it
 * then loads and makes active (each build stays instantiated, so switching back is immediate).
 * The relaxed-SIMD build (fused multiply-add) is taken where the engine validates it, unless
 * `relaxedSimd: false`. `threads` > 1 splits the rows of big calls across worker threads on shared memory
 * (SIMD build); where that cannot run, init says so on the console and runs on one thread.
 * @throws Error when `simd: true` is asked of an engine without WebAssembly SIMD.
 */
export async function init(options: InitOptions = {}): Promise<void> {
  const { simd, relaxedSimd, threads } = checkOptions('init', options, ['simd', 'relaxedSimd', 'threads']);
  for (const [name, value] of [['simd', simd], ['relaxedSimd', relaxedSimd]] as const) {
    if (value !== undefined && typeof value !== 'boolean') {
      throw new TypeError(`init: options.${name} must be a boolean or left out, received ${describe(value)}`);
    }
  }
  if (threads !== undefined && (typeof threads !== 'number' || !Number.isInteger(threads))) {
    throw new TypeError(`init: options.threads must be an integer, received ${describe(threads)}`);
  }
  if (threads !== undefined && (threads < 1 || threads > 256)) {
    throw new RangeError(`init: options.threads must be in [1, 256], received ${threads}`);
  }
  if (simd === undefined && relaxedSimd === undefined && threads === undefined && active) return;
  const simdSupported = validates('simd');
  if (simd === true && !simdSupported) {
    throw new Error('init: { simd: true } was asked, but this engine cannot run WebAssembly SIMD; use { simd: false }');
  }
  const relaxedSupported = simdSupported && validates('relaxed-simd');
  if (relaxedSimd === true && simd !== false && !relaxedSupported) {
    throw new Error('init: { relaxedSimd: true } was asked, but this engine cannot run relaxed WebAssembly SIMD');
  }
  const useSimd = simd ?? simdSupported;
  const build: WasmBuild = !useSimd ? 'scalar' : (relaxedSimd ?? relaxedSupported) ? 'relaxed-simd' : 'simd';
  let wanted = threads ?? 1;
  const why = wanted > 1 ? (build === 'scalar' ? 'threads need the SIMD build' : threadsUnavailable()) : undefined;
  if (why) {
    console.warn(`xentropy: init({ threads: ${wanted} }) runs on one thread here: ${why}`);
    wanted = 1;
  }
  if (wanted > 1) {
    sharedMemory ??= new WebAssembly.Memory({ initial: 2, maximum: 65536, shared: true });
    const exports = await load('threads', bytesOf('threads'), { env: { memory: sharedMemory } });
    if (threadCount() !== wanted) await startWorkers(bytesOf('threads'), sharedMemory, wanted - 1);
    active = { build: 'simd', exports };
    return;
  }
  await stopWorkers();
  active = { build, exports: await load(build, bytesOf(build)) };
}

/** How many threads share the rows of a big call (1 unless `init({ threads })` started workers). */
export function wasmThreads(): number {
  return threadCount();
}

/** The build that runs the kernels: 'relaxed-simd', 'simd' or 'scalar', or `undefined` before `init()` has resolved. */
export function wasmBuild(): WasmBuild | undefined {
  return active?.build;
}

/**
 * Bytes of WebAssembly memory the active build holds (0 before `init()`): it grows to the largest
 * chunk a call has needed (about 1 MiB per thread for plain arrays) plus any `allocTensor` tensors, and
 * stays there, reused by every call.
 */
export function wasmMemoryBytes(): number {
  return active ? active.exports.memory.buffer.byteLength : 0;
}

/** The active instance's exports. @throws Error before `init()` has resolved. */
export function wasm(caller: string): WasmExports {
  if (!active) throw new Error(`${caller}: call \`await init()\` from 'xentropy' before using it`);
  return active.exports;
}
