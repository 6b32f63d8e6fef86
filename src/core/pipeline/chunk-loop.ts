// The chunk loop: runs a program's stages in order. Residency first (checks, and every caller array's place in
// WebAssembly memory recorded), then the fresh results, arrange (the one allocation), and per chunk: copy in,
// the program's step, copy out. Nothing the caller passed is written before every check and the allocation
// have passed, and then only its destinations.
import { wasm } from '../instance.js';
import { threadCount } from '../threads.js';
import { arrange } from './arrange.js';
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
import { copyIn, copyOut, heapsOf } from './transfer.js';

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

/**
 * Runs a chunk program and returns its outputs.
 * @throws TypeError for a view of freed WebAssembly memory; RangeError when a destination overlaps another
 * argument, or the call needs more WebAssembly memory than the engine gives (before anything is written).
 */
export function runProgram(program: Program, checked: readonly Checked[] = []): Ran {
  const { caller, slots, units } = program;
  const kernels = wasm(caller);
  checkOverlaps(caller, slots, checked);
  const places = recordPlaces(caller, kernels, slots, checked);
  const { results, sums } = freshResults(program);
  if (units === 0) return emptyCall(program, results, sums);
  const { slots: arranged, unitsPerChunk } = arrange(program, kernels, places, threadCount());

  // every caller array afresh, by its recorded place (the allocation may have grown the memory)
  const buffer = kernels.memory.buffer;
  const arrays = slots.map((s, i) => {
    const place = places[i];
    const array = place ? viewOf(buffer, place) : (s.source ?? results[s.name]);
    if (s.output && !s.output.reduce) results[s.name] = array;
    return array;
  });
  const heap = heapsOf(buffer);
  copyIn(heap, slots, arranged, arrays, 0);
  const unitBytes = slots.map((s) => (s.per === 'unit' ? s.count * s.Type.BYTES_PER_ELEMENT : 0));
  let sum = 0;
  for (let start = 0; start < units; start += unitsPerChunk) {
    const n = Math.min(unitsPerChunk, units - start);
    copyIn(heap, slots, arranged, arrays, start, n);
    const address = (i: number) => {
      const { resident, copyAt } = arranged[i];
      return resident === undefined ? copyAt : resident + start * unitBytes[i];
    };
    const at = (name: string): Placed => {
      const i = slots.findIndex((s) => s.name === name);
      return { address: address(i), unitBytes: unitBytes[i] };
    };
    const has = (name: string) => slots.some((s) => s.name === name);
    const chunk: Chunk = { start, units: n, first: start === 0, at, has, address };
    sum += program.step(chunk) ?? 0;
    copyOut(heap, slots, arranged, arrays, sums, start, n);
  }
  copyOut(heap, slots, arranged, arrays, sums, 0);
  slots.forEach((s, i) => {
    if (s.output?.into) results[s.name] = handBack(s, places[i] as Place | undefined, buffer);
  });
  return { outputs: results as Ran['outputs'], sum, sums };
}
