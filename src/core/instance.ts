// The loaded instance: the builds' bytes (a file, a fetch or an embedded module), instantiation, the active build
// and its exports, and the warnings' state. Its public face, init and the rest, is src/runtime/init.ts.
import { instantiate, instantiateSync } from '@assemblyscript/loader';
import { EMBEDDED, FILES, URLS } from '../generated/builds.js';
import type { WasmBuild } from '../types.js';
import type { EmbeddedModule } from './embedded-bytes.js';
import { checkExports, type WasmExports } from './kernel-abi.js';
import { isNode, poolLayout, poolOn, poolThreads, setPool, takePool } from './threads.js';
import { callAllocator, dropTensors } from './wasm-tensor.js';

// The builds, named in scripts/build.mjs's manifest: each a module of its own, imported only when it is chosen (a
// bundle fetches the build that runs), and a file beside the entry.
type Embedded = keyof typeof EMBEDDED;

// The binaries shipped beside the entry (dist/wasm/), which Node, Deno and Bun read directly: no module to import,
// no base64 to decode, no inflating (a cold init took ~11 ms through the embedded module, ~4 ms this way).
type Fs = { readFileSync(path: URL): Uint8Array<ArrayBuffer> };

/** The build's file, where the runtime has a file system and the file is there (not in a bundle). */
function fileBytes(build: Embedded): Uint8Array<ArrayBuffer> | undefined {
  if (!isNode) return undefined;
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = process?.getBuiltinModule?.('node:fs') as Fs | undefined;
  // a base held in a variable: bundlers only rewrite new URL(…, import.meta.url) written out
  const base = import.meta.url;
  try {
    return fs?.readFileSync(new URL(`wasm/${FILES[build]}`, base));
  } catch {
    return undefined; // bundled: the embedded module below
  }
}

// The same files for browsers, fetched and compiled as they stream in (no module to import, nothing to inflate: a
// repeat visit's init in Chromium ~18 → 13–15 ms here). Written out, so that Vite and webpack copy each file into
// the app and rewrite its URL; esbuild leaves the URL relative to the bundle, where no file is, so it is fetched
// only when rewritten or beside the package's own entry, and otherwise (or when the fetch fails) the embedded module
// serves.
/** The build compiled from its fetched file, or undefined (Node, no fetch, no file: the embedded module). */
async function fetchedModule(build: Embedded): Promise<WebAssembly.Module | undefined> {
  if (isNode || typeof fetch !== 'function') return undefined;
  try {
    // (inside the try: where import.meta.url is not a URL, as in some edge runtimes, new URL throws)
    const base = import.meta.url;
    const url = URLS[build]();
    if (url.href === new URL(`wasm/${FILES[build]}`, base).href && !base.endsWith('/dist/index.js')) return undefined;
    const response = await fetch(url);
    if (!response.ok) return undefined;
    const streams = response.headers.get('content-type')?.startsWith('application/wasm');
    return streams
      ? await WebAssembly.compileStreaming(response)
      : await WebAssembly.compile(await response.arrayBuffer());
  } catch {
    return undefined;
  }
}

/** Whether this engine can inflate a deflated build (every engine with WebAssembly SIMD can). */
const canInflate = (): boolean =>
  typeof (globalThis as { process?: { getBuiltinModule?: unknown } }).process?.getBuiltinModule === 'function' ||
  typeof DecompressionStream === 'function';

// Each build's bytes, read or decoded once, when first needed.
const decoded = new Map<Embedded, Uint8Array<ArrayBuffer>>();
async function bytesOf(build: Embedded): Promise<Uint8Array<ArrayBuffer>> {
  let bytes = decoded.get(build) ?? fileBytes(build);
  if (!bytes) {
    const embedded: EmbeddedModule = await EMBEDDED[build]();
    const { embeddedBytes } = await import('./embedded-bytes.js');
    bytes = await embeddedBytes(embedded);
  }
  decoded.set(build, bytes);
  return bytes;
}

// Whether the engine runs SIMD and relaxed SIMD, asked of two tiny modules rather than of the builds:
// (func (result v128) i32.const 0 i32x4.splat), and three splats into f32x4.relaxed_madd (opcode 0xfd 0x105).
const probe = (body: number[]) =>
  new Uint8Array([
    0,
    97,
    115,
    109,
    1,
    0,
    0,
    0,
    1,
    5,
    1,
    96,
    0,
    1,
    123,
    3,
    2,
    1,
    0,
    10,
    body.length + 2,
    1,
    body.length,
    ...body,
  ]);
const splat = [65, 0, 253, 17];
const PROBES = {
  simd: probe([0, ...splat, 11]),
  'relaxed-simd': probe([0, ...splat, ...splat, ...splat, 253, 133, 2, 11]),
};
const supported = new Map<keyof typeof PROBES, boolean>();
const validates = (feature: keyof typeof PROBES): boolean => {
  let ok = supported.get(feature);
  if (ok === undefined) {
    ok = WebAssembly.validate(PROBES[feature]);
    supported.set(feature, ok);
  }
  return ok;
};

let active: { build: WasmBuild; exports: WasmExports } | undefined;
/** The builds on shared memory, for threads: relaxed SIMD where the one-thread build would be, so that threads give
 * its results. */
type ThreadsBuild = 'threads' | 'relaxed-threads';
const isThreadsBuild = (build: Embedded): build is ThreadsBuild => build === 'threads' || build === 'relaxed-threads';
const compiledThreads = new Map<ThreadsBuild, Promise<WebAssembly.Module>>();
/** A threads build compiled once: this thread and the workers instantiate it, sharing its code (and its tier-up:
 * a worker's kernels run as optimised as this thread's, where each compiling its bytes began with baseline code). */
function threadsModule(build: ThreadsBuild): Promise<WebAssembly.Module> {
  let compiled = compiledThreads.get(build);
  if (!compiled) {
    compiled = bytesOf(build).then((b) => WebAssembly.compile(b));
    compiledThreads.set(build, compiled);
  }
  return compiled;
}
const instances = new Map<Embedded, WasmExports>();

async function load(build: Embedded, imports: Record<string, Record<string, unknown>> = {}): Promise<WasmExports> {
  let exports = instances.get(build);
  if (!exports) {
    const fetched = isThreadsBuild(build) ? undefined : await fetchedModule(build); // (the threads builds: below)
    try {
      // a fetched file that is not this version's build (a stale cache) fails checkExports: the embedded one serves
      if (fetched) exports = checkExports(instantiateSync<Record<string, unknown>>(fetched, imports).exports);
    } catch {}
    // In Node the loader's async path asks for the global Response, which makes Node load its fetch (~37 ms):
    // compile and instantiate synchronously, which Node allows (an async compile cost another ~0.5 ms).
    exports ??= checkExports(
      (isThreadsBuild(build)
        ? instantiateSync<Record<string, unknown>>(await threadsModule(build), imports)
        : isNode
          ? instantiateSync<Record<string, unknown>>(new WebAssembly.Module(await bytesOf(build)), imports)
          : await instantiate<Record<string, unknown>>(await bytesOf(build), imports)
      ).exports,
    );
    instances.set(build, exports);
    const made = exports;
    directBlocks.set(
      made,
      callAllocator(() => made.allocate(DIRECT_BLOCK_BYTES)),
    );
    // a threads build keeps no static params or short rows' block (its workers get theirs as the pool starts)
    if (isThreadsBuild(build)) made.setInstanceBlock(instanceBlock(made));
  }
  return exports;
}

/** The bytes each instance keeps for small calls (src/core/direct.ts: four regions of 32,768 float32 values, below
 * the 65,536 elements from which a call takes threads), allocated with it: a lazy allocation could grow the memory
 * under a call's own views of it. */
export const DIRECT_BLOCK_BYTES = 4 * 32768 * 4;
const directBlocks = new WeakMap<WasmExports, number>();

/** The address of the instance's block for small calls (0: none). */
export const directBlockOf = (kernels: WasmExports): number => directBlocks.get(kernels) ?? 0;

/** Each threads build's shared memory (two runtimes never share one memory). */
const sharedMemories = new Map<ThreadsBuild, WebAssembly.Memory>();
let warnings = true;
const warned = new Set<string>();

/** Whether a warning under `key` would still be said (so a check for it is worth making). */
export const warnsAbout = (key: string): boolean => warnings && !warned.has(key);

/** Says `message` on the console once per process for each `key`, unless `init({ warnings: false })`. */
export function warnOnce(key: string, message: string): void {
  if (!warnings || warned.has(key)) return;
  warned.add(key);
  console.warn(`xentropy: ${message}`);
}

/** What an init call asks for, read and checked by the runtime's face (src/runtime/init.ts). */
export interface InitRequest {
  simd?: boolean;
  relaxedSimd?: boolean;
  threads?: number;
  warnings?: boolean;
}

/**
 * Makes the build (and threads) `request` asks for the active one; a request that names neither keeps what is
 * active. @throws Error when `simd: true` or `relaxedSimd: true` is asked of an engine that cannot run it.
 */
export async function configure(request: InitRequest): Promise<void> {
  const { simd, relaxedSimd, threads } = request;
  if (request.warnings !== undefined) warnings = request.warnings;
  if (simd === undefined && relaxedSimd === undefined && threads === undefined && active) return;
  const simdSupported = validates('simd') && canInflate();
  if (simd === true && !simdSupported) {
    throw new Error('init: { simd: true } was asked, but this engine cannot run WebAssembly SIMD; use { simd: false }');
  }
  const relaxedSupported = simdSupported && validates('relaxed-simd');
  if (relaxedSimd === true && simd !== false && !relaxedSupported) {
    throw new Error('init: { relaxedSimd: true } was asked, but this engine cannot run relaxed WebAssembly SIMD');
  }
  const useSimd = simd ?? simdSupported;
  const build: WasmBuild = !useSimd ? 'scalar' : (relaxedSimd ?? relaxedSupported) ? 'relaxed-simd' : 'simd';
  let wanted = (threads as number | undefined) ?? 1;
  // the pool's start-up is a module of its own, loaded when threads are asked for
  const start = wanted > 1 ? await import('./thread-start.js') : undefined;
  const why = start && (build === 'scalar' ? 'threads need the SIMD build' : start.threadsUnavailable(isNode));
  if (why) {
    if (warnings) console.warn(`xentropy: init({ threads: ${wanted} }) runs on one thread here: ${why}`);
    wanted = 1;
  }
  if (start && wanted > 1) {
    if (warnings) start.noteMainThread(isNode, wanted);
    const threadsBuild = build === 'relaxed-simd' ? 'relaxed-threads' : 'threads';
    let memory = sharedMemories.get(threadsBuild);
    if (!memory) {
      memory = new WebAssembly.Memory({ initial: 2, maximum: 65536, shared: true });
      sharedMemories.set(threadsBuild, memory);
    }
    const exports = await load(threadsBuild, { env: { memory } });
    const started = poolThreads() === wanted && poolOn(memory);
    const failure = started ? undefined : await startThreads(start, threadsBuild, memory, exports, wanted);
    if (failure === undefined) {
      active = { build, exports };
      return;
    }
    if (warnings) console.warn(`xentropy: init({ threads: ${wanted} }) runs on one thread here: ${failure}`);
  }
  await stopThreads();
  active = { build, exports: await load(build) };
}

/**
 * Gives WebAssembly memory back: sets up the active build (and threads) afresh on new memory, then drops every
 * instance it held, with their memory and their allocTensor tensors, which read as freed from then on. Calls made
 * meanwhile run on the old instance, on one thread.
 */
export async function releaseMemory(): Promise<void> {
  if (!active) return;
  const { build } = active;
  const threads = poolThreads();
  const dropped = [...instances.values()];
  instances.clear();
  sharedMemories.clear();
  await stopThreads();
  await configure({ simd: build !== 'scalar', relaxedSimd: build === 'relaxed-simd', threads });
  for (const kernels of dropped) dropTensors(kernels);
}

/** Starts a pool of `wanted` − 1 workers in place of the running one; why it could not, or undefined. */
async function startThreads(
  start: typeof import('./thread-start.js'),
  threadsBuild: ThreadsBuild,
  memory: WebAssembly.Memory,
  exports: WasmExports,
  wanted: number,
): Promise<string | undefined> {
  await stopThreads();
  try {
    const blocks = workerBlocks(exports, wanted - 1);
    setPool(await start.startPool(await threadsModule(threadsBuild), memory, blocks, poolLayout()));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Each threads instance's blocks for its workers (their instances share its memory, so none keeps a static params
 * block or short rows' scratch): allocated when the pool starts, kept for the next. */
const workerScratch = new WeakMap<WasmExports, number[]>();

/** A block of one instance's own in `exports`' memory. @throws RangeError when the memory cannot grow. */
function instanceBlock(exports: WasmExports): number {
  const at = callAllocator(() => exports.allocate(exports.instanceBlockBytes()));
  if (at === 0) throw new RangeError('init: WebAssembly memory cannot grow to hold the blocks of its threads');
  return at;
}

/** `count` workers' blocks in `exports`' memory. @throws RangeError when the memory cannot grow to hold them. */
function workerBlocks(exports: WasmExports, count: number): number[] {
  const blocks = workerScratch.get(exports) ?? [];
  workerScratch.set(exports, blocks);
  while (blocks.length < count) blocks.push(instanceBlock(exports));
  return blocks.slice(0, count);
}

/** Stops the worker pool, if there is one (its module was loaded when it started). */
async function stopThreads(): Promise<void> {
  const pool = takePool();
  if (pool) await (await import('./thread-start.js')).stopPool(pool);
}

/** The active build, or undefined before init() has resolved. */
export const activeBuild = (): WasmBuild | undefined => active?.build;

/** Bytes of WebAssembly memory the active build holds (0 before init()). */
export const memoryBytes = (): number => (active ? active.exports.memory.buffer.byteLength : 0);

/** The active instance's exports, or undefined before init() has resolved. */
export const activeExports = (): WasmExports | undefined => active?.exports;

/** The active instance's exports. @throws Error before `init()` has resolved. */
export function wasm(caller: string): WasmExports {
  if (!active) throw new Error(`${caller}: call \`await init()\` from 'xentropy' before using it`);
  return active.exports;
}
