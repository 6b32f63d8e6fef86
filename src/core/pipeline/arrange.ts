// Arrange: which slots the kernels use where they lie, how many units go through per chunk, and the call's one
// scratch allocation, with an address for every slot that needs a copy (or is scratch).

import type { WasmExports } from '../kernel-abi.js';
import { callAllocator } from '../wasm-tensor.js';
import type { Program, Slot } from './program.js';
import type { Place } from './residency.js';

/** The largest scratch a call may ask for: wasm32 addresses 4 GiB, less a margin for static data. */
export const MAX_SCRATCH_BYTES = 2 ** 32 - 2 ** 20;
const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/**
 * Bytes of buffers per chunk and thread; big inputs go through in chunks of whole rows that fit. At [8192, 1000],
 * [256, 32000] and [16, 128256] float32 on Node 24 and 26, from plain arrays, 2 MiB chunks measured 2–6 % faster than
 * 512 KiB for the forward + gradient and softmax, and 13–16 % for the forward at [16, 128256], whose rows of 513 KB
 * went one per chunk, each with a max pass of its own (bench/NOTES.md).
 */
export const DEFAULT_CHUNK_BYTES = 2 * 2 ** 20;
// A call shared among threads takes a chunk per thread. Where the copies overlap the workers' kernels
// (overlap-loop.ts), every chunk costs a wake of the workers and a wait for them: at [8192, 1000] float32, forward +
// gradient on two threads, chunks of 512 KiB per thread took 10–13 ms, 1 MiB 10–12.8, 2 MiB 8.7–9.2 and 4 MiB
// 8.8–9.2 (bench/NOTES.md).
let chunkBytes = DEFAULT_CHUNK_BYTES;
/**
 * A one-thread call's unit outputs go out in copies of at least this many bytes, several chunks at a time. On an AMD
 * core here, copies below its L2 size (1 MiB, where glibc's memmove uses `rep movsb`) wrote a cold destination at
 * half the speed: at [8192, 1000] float32, copying 32 MB out took 3.3 ms in pieces of 512 KiB and 1.6 ms in pieces
 * of 1 MiB (bench/NOTES.md).
 */
let copyOutBytes = 2 * 2 ** 20;

/** Sets the bytes per copy out of a gathered output (tests and the bench); returns the previous value. */
export function setCopyOutBytes(bytes: number): number {
  const previous = copyOutBytes;
  copyOutBytes = bytes;
  return previous;
}

/** Sets the chunk size (tests use small ones to exercise chunking); returns the previous one. */
export function setChunkBytes(bytes: number): number {
  const previous = chunkBytes;
  chunkBytes = bytes;
  return previous;
}

/**
 * How many units (outer blocks) go through per chunk: as many as fit in `budgets` chunk budgets (one per thread), at
 * least one.
 * @throws RangeError, before any work, when one unit cannot fit in WebAssembly memory at all.
 */
export function chunkUnits(caller: string, units: number, perUnit: number, fixed: number, budgets: number): number {
  if (perUnit + fixed > MAX_SCRATCH_BYTES) {
    throw new RangeError(
      `${caller}: one row needs ${perUnit + fixed} bytes of WebAssembly memory, more than its 4 GiB address space`,
    );
  }
  // arrays copied whole once (`fixed`, e.g. a class weight) do not take from the chunk's budget
  return Math.max(1, Math.min(units, Math.floor((chunkBytes * budgets) / Math.max(perUnit, 1))));
}

/** Where the kernels find one slot: the caller's array where it lies, or a place in the scratch. */
export interface Arranged {
  /** The caller's array's address, when the kernels use it in place. */
  resident?: number;
  /** The slot's place in the scratch, when it has one. */
  copyAt: number;
  /** A unit slot's second place, for the chunks in between (a call shared with workers: overlap-loop.ts). */
  spareAt?: number;
  /** An output copied out every this many units (several chunks' worth, side by side from copyAt). */
  gatherUnits?: number;
}

/** Whether the kernels use a slot's caller array where it lies (see Slot.inPlace). */
function usedInPlace(slot: Slot, place: Place | undefined): boolean {
  if (place === undefined) return false;
  if (slot.source) return slot.inPlace !== false;
  const use = slot.output;
  return slot.inPlace === true && !(slot.per === 'unit' && (use?.accumulate || use?.reduce));
}

/**
 * Lays the call out in one scratch allocation (a block of its own when `own`: an async call's), or throws before
 * any work. A synchronous call shared among threads gets two places for each unit slot it copies, when they fit:
 * one chunk is copied in and out while another is computed.
 * @throws RangeError when one unit, or the call, cannot fit in WebAssembly memory.
 */
export function arrange(
  program: Program,
  kernels: WasmExports,
  places: readonly (Place | undefined)[],
  threads: number,
  own = false,
): { slots: Arranged[]; unitsPerChunk: number; base: number; total: number } {
  const { caller, slots } = program;
  const inPlace = slots.map((s, i) => usedInPlace(s, places[i]));
  const bytes = (s: Slot) => s.Type.BYTES_PER_ELEMENT * s.count;
  let perUnit = 0;
  let fixed = 32 * slots.length; // each slot's alignment, and a margin
  slots.forEach((s, i) => {
    if (inPlace[i]) return;
    if (s.per === 'unit') perUnit += bytes(s);
    else fixed += align16(bytes(s));
  });
  const overlap = threads > 1 && !own && program.threads === true;
  const budget = program.threads ? threads : 1;
  const unitsPerChunk = program.unitsPerChunk ?? chunkUnits(caller, program.units, perUnit, fixed, budget);
  // chunks per copy out of each unit output copied as it is, on one thread
  const chunks = Math.ceil(program.units / unitsPerChunk);
  const gathered = slots.map((s, i) => {
    const plainCopy = s.per === 'unit' && s.output && !s.source && !s.output.reduce && !s.output.accumulate;
    if (overlap || own || inPlace[i] || !plainCopy) return 1;
    return Math.max(1, Math.min(chunks, Math.ceil(copyOutBytes / (bytes(s) * unitsPerChunk))));
  });
  fixed += slots.reduce((extra, s, i) => extra + align16(bytes(s) * unitsPerChunk * (gathered[i] - 1)), 0);
  const single = perUnit * unitsPerChunk + fixed;
  const spares = overlap && single + perUnit * unitsPerChunk <= MAX_SCRATCH_BYTES;
  const total = spares ? single + perUnit * unitsPerChunk : single;
  if (total > MAX_SCRATCH_BYTES && program.tooLarge) throw new RangeError(program.tooLarge(total));
  // the scratch every call reuses, or (`own`) a block of the call's own, which it gives back
  const allocate = own ? kernels.allocate : kernels.scratch;
  const base = total <= MAX_SCRATCH_BYTES ? callAllocator(() => allocate(total)) : 0;
  if (base === 0) {
    throw new RangeError(
      `${caller}: the call needs ${total} bytes of WebAssembly memory, more than the engine can give`,
    );
  }
  let at = base;
  const place = (s: Slot, times = 1) => {
    const copyAt = at;
    at += align16(bytes(s) * (s.per === 'unit' ? unitsPerChunk * times : 1));
    return copyAt;
  };
  const arranged = slots.map((s, i): Arranged => {
    if (inPlace[i]) return { resident: (places[i] as Place).address, copyAt: 0 };
    if (gathered[i] > 1) return { copyAt: place(s, gathered[i]), gatherUnits: gathered[i] * unitsPerChunk };
    return spares && s.per === 'unit' ? { copyAt: place(s), spareAt: place(s) } : { copyAt: place(s) };
  });
  return { slots: arranged, unitsPerChunk, base, total };
}
