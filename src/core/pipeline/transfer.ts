// Transfer: the copies between the caller's arrays and the scratch (in before a chunk's kernels, out after them),
// the running sums of reduced outputs and the additions into accumulated ones. One view of the whole memory per
// type serves every copy; the memory does not grow while the chunks run.
import type { Arranged } from './arrange.js';
import type { Slot, Values, ValuesType } from './program.js';

/** The whole memory as an array of each type, made when first asked for. */
export type Heaps = (Type: ValuesType) => Values;

export function heapsOf(buffer: ArrayBuffer): Heaps {
  const made: Partial<Record<'f32' | 'f64' | 'i32', Values>> = {};
  return (Type) => {
    const key = Type === Float32Array ? 'f32' : Type === Float64Array ? 'f64' : 'i32';
    let heap = made[key];
    if (!heap) {
      heap = new Type(buffer);
      made[key] = heap;
    }
    return heap;
  };
}

/** The chunk's part of a unit array (`units` from `start`), or the whole array (`units` undefined). */
const part = (s: Slot, a: Values, start: number, units: number | undefined): Values =>
  units === undefined || (start === 0 && units * s.count === a.length)
    ? a
    : a.subarray(start * s.count, (start + units) * s.count);

/** The slot's values in the scratch: `n` of them. */
const inScratch = (heap: Heaps, s: Slot, at: number, n: number) =>
  heap(s.Type).subarray(at / s.Type.BYTES_PER_ELEMENT, at / s.Type.BYTES_PER_ELEMENT + n);

/**
 * Copies into the scratch what the kernels read there: before the first chunk (`units` undefined) the whole
 * sources and the starting values of whole accumulated outputs, before each chunk its part of the unit sources.
 */
export function copyIn(
  heap: Heaps,
  slots: readonly Slot[],
  arranged: readonly Arranged[],
  arrays: Values[],
  start: number,
  units?: number,
) {
  slots.forEach((s, i) => {
    const copied = s.source || (units === undefined && s.output?.accumulate);
    if ((s.per === 'whole') !== (units === undefined) || !copied || arranged[i].resident !== undefined) return;
    (heap(s.Type) as Float64Array).set(
      part(s, arrays[i], start, units) as Float64Array,
      arranged[i].copyAt / s.Type.BYTES_PER_ELEMENT,
    );
  });
}

/**
 * Takes out of the scratch what the kernels wrote there: after each chunk its part of the unit outputs (summed,
 * added into the destination, or copied; a gathered output once its chunks fill their places, or after the `last`
 * chunk), after the last chunk (`units` undefined) the whole outputs.
 */
export function copyOut(
  heap: Heaps,
  slots: readonly Slot[],
  arranged: readonly Arranged[],
  arrays: Values[],
  sums: Record<string, number>,
  start: number,
  units?: number,
  last?: boolean,
) {
  slots.forEach((s, i) => {
    const use = s.output;
    const { resident, copyAt, gatherUnits } = arranged[i];
    if ((s.per === 'whole') !== (units === undefined) || !use || resident !== undefined) return;
    if (gatherUnits && units !== undefined) {
      const end = start + units;
      if (end % gatherUnits !== 0 && !last) return;
      const first = end - (end % gatherUnits || gatherUnits);
      (part(s, arrays[i], first, end - first) as Float64Array).set(
        inScratch(heap, s, copyAt, (end - first) * s.count) as Float64Array,
      );
      return;
    }
    const values = inScratch(heap, s, copyAt, units === undefined ? s.count : units * s.count);
    if (use.reduce) {
      let total = sums[s.name]; // one running sum in unit order, whatever the chunks
      for (let j = 0; j < values.length; j++) total += values[j];
      sums[s.name] = total;
    } else if (use.accumulate && units !== undefined) {
      const into = part(s, arrays[i], start, units);
      for (let j = 0; j < values.length; j++) into[j] += values[j];
    } else {
      (part(s, arrays[i], start, units) as Float64Array).set(values as Float64Array);
    }
  });
}
