// Residency: which of the call's arrays live in WebAssembly memory, and where. Each one's address and length are
// recorded before the call's allocation, which may grow the memory and so detach every view of it (a detached
// view reports offset 0 and length 0); afterwards each is viewed afresh from the record, never from the caller's
// view. Also the rules every call keeps: a view of WebAssembly memory must lie in a live allocTensor tensor, and a
// destination shares no memory with any other argument (but exactly its `mayAlias` source, written in place).

import type { WasmExports } from '../kernel-abi.js';
import { sharesMemory } from '../validate.js';
import { insideLiveTensor } from '../wasm-tensor.js';
import { type Slot, sameArray, typeOfValues, type Values, type ValuesType } from './program.js';

/** An array of the caller's in WebAssembly memory: where it was before the call's allocation. */
export interface Place {
  address: number;
  length: number;
  Type: ValuesType;
}

/** An array the call reads before the program runs (a gathered input): checked, never placed. */
export interface Checked {
  label: string;
  data: ArrayBufferView;
}

/**
 * RangeError when a destination shares memory with another argument (a source, another destination or a
 * checked array), except exactly the source it may alias.
 */
export function checkOverlaps(caller: string, slots: readonly Slot[], checked: readonly Checked[]): void {
  if (!slots.some((s) => s.output?.into)) return; // no destination of the caller's (the common case)
  const reads: Checked[] = [...checked];
  for (const s of slots) if (s.source && !s.fresh) reads.push({ label: s.label, data: s.source });
  for (const s of slots) {
    const into = s.output?.into;
    if (!into) continue;
    const alias = s.mayAlias;
    const others = [...reads];
    for (const t of slots) if (t !== s && t.output?.into) others.push({ label: t.label, data: t.output.into });
    for (const { label, data } of others) {
      if (!sharesMemory(into, data) || (data === alias && sameArray(into, alias))) continue;
      throw new RangeError(
        `${caller}: ${s.label} overlaps ${label}; ` +
          (alias
            ? 'out must be input.data itself (in place) or share no memory with the other arguments'
            : 'it must share no memory with it'),
      );
    }
  }
}

/**
 * Each slot's caller array in WebAssembly memory (source, else destination), recorded by address and length.
 * @throws TypeError for a view of WebAssembly memory that no live allocTensor tensor holds (freed?).
 */
export function recordPlaces(
  caller: string,
  kernels: WasmExports,
  slots: readonly Slot[],
  checked: readonly Checked[],
): (Place | undefined)[] {
  const buffer = kernels.memory.buffer; // as it is before this call's allocation
  const place = (label: string, a: ArrayBufferView | undefined): Place | undefined => {
    if (a === undefined || a.buffer !== buffer) return undefined;
    if (!insideLiveTensor(kernels, a.byteOffset, a.byteLength)) {
      throw new TypeError(
        `${caller}: ${label} is a view of WebAssembly memory that no live allocTensor tensor holds (freed?); ` +
          'pass a live tensor or a plain array',
      );
    }
    const values = a as Values;
    return { address: a.byteOffset, length: values.length, Type: typeOfValues(values) };
  };
  for (const { label, data } of checked) place(label, data);
  return slots.map((s) => {
    if (s.fresh) return undefined;
    const source = place(s.label, s.source);
    const into = place(s.label, s.output?.into);
    return source ?? into;
  });
}

/** The array at `place` in the memory as it is now. */
export const viewOf = (buffer: ArrayBuffer, place: Place): Values =>
  new place.Type(buffer, place.address, place.length);

/**
 * A destination as the caller gets it back: its own object while that is still a live view (or not in
 * WebAssembly memory at all), else the fresh view of the same place in the grown memory.
 */
export function handBack(slot: Slot, place: Place | undefined, buffer: ArrayBuffer): Values {
  const into = slot.output?.into as Values;
  if (place === undefined || into.buffer === buffer) return slot.output?.given as Values;
  return viewOf(buffer, place);
}
