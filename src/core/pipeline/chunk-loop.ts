// The chunk loop: runs a program's stages in order. Residency first (checks, and every caller array's place in
// WebAssembly memory recorded), then the fresh results, arrange (the one allocation), and per chunk: copy in,
// the program's step, copy out. Nothing the caller passed is written before every check and the allocation
// have passed, and then only its destinations.
import { wasm } from '../instance.js';
import type { WasmExports } from '../kernel-abi.js';
import { syncPool, threadCount } from '../threads.js';
import { type Arranged, arrange } from './arrange.js';
import { poolTaskOf, recordCalls } from './kernel-call.js';
import {
  type Chunk,
  type Placed,
  type Program,
  type Ran,
  type Slot,
  typeOfValues,
  type Values,
  type ValuesType,
} from './program.js';
import { type Checked, checkOverlaps, handBack, type Place, recordPlaces, viewOf } from './residency.js';
import { copyIn, copyOut, type Heaps, heapsOf } from './transfer.js';

/** The most bytes a fresh result may take, checked before it is allocated: 4 GiB, as much as wasm32 addresses. */
const MAX_RESULT_BYTES = 2 ** 32;

const lengthOf = (s: Slot, units: number) => (s.per === 'unit' ? units * s.count : s.count);

/** A fresh result of `length` values of `Type`. @throws RangeError, before allocating, beyond MAX_RESULT_BYTES. */
export function freshResult(caller: string, Type: ValuesType, length: number): Values {
  if (length * Type.BYTES_PER_ELEMENT > MAX_RESULT_BYTES) {
    throw new RangeError(
      `${caller}: the result would hold ${length} values, more than 4 GiB (a shape holding no elements ` +
        'may still have a result per row)',
    );
  }
  return new Type(length);
}

/** `pattern` repeated (by doubling copies) to fill a fresh result of `length` values. @throws as freshResult. */
export function repeated(caller: string, pattern: Values, length: number): Values {
  const all = freshResult(caller, typeOfValues(pattern), length);
  all.set(pattern.subarray(0, Math.min(pattern.length, length)));
  for (let filled = pattern.length; filled > 0 && filled < length; filled *= 2) all.copyWithin(filled, 0, filled);
  return all;
}

/** A fresh array for each output with no destination; a running sum for each reduced one. */
function freshResults(program: Program): { results: Record<string, Values>; sums: Record<string, number> } {
  // internal records have no prototype: a polluted Object.prototype must not fill an absent entry
  const results: Record<string, Values> = Object.create(null);
  const sums: Record<string, number> = Object.create(null);
  for (const s of program.slots) {
    if (!s.output) continue;
    if (s.output.reduce) sums[s.name] = 0;
    else results[s.name] = s.output.into ?? freshResult(program.caller, s.Type, lengthOf(s, program.units));
  }
  return { results, sums };
}

/** A call with no units: no work, whole destinations zeroed (unless accumulated), results handed back. */
function emptyCall(program: Program, results: Record<string, Values>, sums: Record<string, number>): Ran {
  for (const s of program.slots) {
    const use = s.output;
    if (!use?.into) continue;
    if (s.per === 'whole' && !use.accumulate) use.into.fill(0);
    results[s.name] = use.given as Values;
  }
  return { outputs: results as Ran['outputs'], sum: 0, sums };
}

/** A program laid out: its instance, its slots' places in the allocation, the units per chunk, each slot's array
 * outside the scratch (the caller's afresh by its place, a copy, or a fresh result), the results, the reduced sums,
 * the caller's arrays' places, and the allocation (its base and bytes). */
export type Laid = [
  Program,
  WasmExports,
  Arranged[],
  number,
  Values[],
  Record<string, Values>,
  Record<string, number>,
  (Place | undefined)[],
  number,
  number,
];

/**
 * Runs a chunk program and returns its outputs.
 * @throws TypeError for a view of freed WebAssembly memory; RangeError when a destination overlaps another
 * argument, or the call needs more WebAssembly memory than the engine gives (before anything is written).
 */
export const runProgram = (program: Program, checked: readonly Checked[] = []): Ran =>
  layOut(program, checked, false, chunks) as Ran;

/**
 * Checks, places and lays out a program, copies its whole sources in, and hands it to `loop` (a call with no units
 * is done there). With `own` (an async call) the allocation is a block of the call's own, and the caller's unit
 * sources are copied, so that the call reads them as they were when it was made.
 */
export function layOut<R>(
  program: Program,
  checked: readonly Checked[],
  own: boolean,
  loop: (laid: Laid) => R,
): R | Ran {
  const { caller, slots, units } = program;
  const kernels = wasm(caller);
  checkOverlaps(caller, slots, checked);
  const places = recordPlaces(caller, kernels, slots, checked);
  const { results, sums } = freshResults(program);
  if (units === 0) return emptyCall(program, results, sums);
  const { slots: arranged, unitsPerChunk, base, total } = arrange(program, kernels, places, threadCount(), own);

  // every caller array afresh, by its recorded place (the allocation may have grown the memory)
  const buffer = kernels.memory.buffer;
  const arrays = slots.map((s, i) => {
    const place = places[i];
    let array = place ? viewOf(buffer, place) : (s.source ?? results[s.name]);
    if (own && s.source && !s.fresh && s.per === 'unit' && !place) array = array.slice();
    if (s.output && !s.output.reduce) results[s.name] = array;
    return array;
  });
  copyIn(heapsOf(buffer), slots, arranged, arrays, 0);
  return loop([program, kernels, arranged, unitsPerChunk, arrays, results, sums, places, base, total]);
}

/** What the kernels see of the chunk of `units` units from `start`: each slot's address and unit bytes. */
export function chunkAt(slots: readonly Slot[], arranged: readonly Arranged[], start: number, units: number): Chunk {
  const unitBytes = (i: number) => (slots[i].per === 'unit' ? slots[i].count * slots[i].Type.BYTES_PER_ELEMENT : 0);
  const address = (i: number) => {
    const { resident, copyAt, gatherUnits } = arranged[i];
    if (resident !== undefined) return resident + start * unitBytes(i);
    return gatherUnits ? copyAt + (start % gatherUnits) * unitBytes(i) : copyAt;
  };
  const at = (name: string): Placed => {
    const i = slots.findIndex((s) => s.name === name);
    return { address: address(i), unitBytes: unitBytes(i) };
  };
  const has = (name: string) => slots.some((s) => s.name === name);
  return { start, units, first: start === 0, at, has, address };
}

/** After the last chunk: the whole outputs copied out, the destinations handed back, the outputs. */
function finish(laid: Laid, heap: Heaps, sum: number): Ran {
  const [{ slots }, kernels, arranged, , arrays, results, sums, places] = laid;
  copyOut(heap, slots, arranged, arrays, sums, 0);
  slots.forEach((s, i) => {
    if (s.output?.into) results[s.name] = handBack(s, places[i] as Place | undefined, kernels.memory.buffer);
  });
  return { outputs: results as Ran['outputs'], sum, sums };
}

/** The entry's functions the overlapped loop uses, in order (a list: names would add to the entry's download). */
const chunkTools = [chunkAt, copyIn, copyOut, heapsOf, recordCalls, poolTaskOf, finish] as const;
export type ChunkTools = typeof chunkTools;

/**
 * The synchronous chunk loop: per chunk, copy in, the program's step, copy out; then the destinations handed back.
 * A call of several chunks with two places per copied slot runs on the pool, its copies beside the workers' kernels.
 */
function chunks(laid: Laid): Ran {
  const [program, kernels, arranged, unitsPerChunk, arrays, , sums] = laid;
  const { slots, units } = program;
  const pool = unitsPerChunk < units && arranged.some((a) => a.spareAt !== undefined) ? syncPool(kernels) : undefined;
  if (pool) return pool.runChunks(laid, chunkTools);
  const heap = heapsOf(kernels.memory.buffer);
  let sum = 0;
  for (let start = 0; start < units; start += unitsPerChunk) {
    const n = Math.min(unitsPerChunk, units - start);
    copyIn(heap, slots, arranged, arrays, start, n);
    sum += program.step(chunkAt(slots, arranged, start, n)) ?? 0;
    copyOut(heap, slots, arranged, arrays, sums, start, n, start + n === units);
  }
  return finish(laid, heap, sum);
}
