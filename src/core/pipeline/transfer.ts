// Transfer: the copies between the caller's arrays and the scratch (in before a chunk's kernels, out after them),
// the running sums of reduced outputs and the additions into accumulated ones. One view of the whole memory per
// type serves every copy; the memory does not grow while the chunks run.
import type { Arranged } from './arrange.js';
import type { Slot, Values, ValuesType } from './program.js';

export class Transfer {
  #buffer: ArrayBuffer;
  #heaps = new Map<ValuesType, Values>();

  constructor(buffer: ArrayBuffer) {
    this.#buffer = buffer;
  }

  /** The whole memory as an array of `Type`. */
  heap(Type: ValuesType): Values {
    let h = this.#heaps.get(Type);
    if (!h) {
      h = new Type(this.#buffer, 0, this.#buffer.byteLength / Type.BYTES_PER_ELEMENT);
      this.#heaps.set(Type, h);
    }
    return h;
  }

  /** `n` values of `Type` at `address`. */
  view(Type: ValuesType, address: number, n: number): Values {
    const first = address / Type.BYTES_PER_ELEMENT;
    return this.heap(Type).subarray(first, first + n);
  }

  /** Copies `values` to `address`. */
  put(values: Values, Type: ValuesType, address: number): void {
    (this.heap(Type) as Float64Array).set(values as Float64Array, address / Type.BYTES_PER_ELEMENT);
  }
}

const part = (a: Values, from: number, n: number): Values =>
  from === 0 && n === a.length ? a : a.subarray(from, from + n);

/** Before the first chunk: whole sources, and the starting values of whole accumulated outputs, into the scratch. */
export function copyWholeIn(t: Transfer, slots: readonly Slot[], arranged: readonly Arranged[], arrays: Values[]) {
  slots.forEach((s, i) => {
    if (s.per !== 'whole' || arranged[i].resident !== undefined) return;
    if (s.source || s.output?.accumulate) t.put(arrays[i], s.Type, arranged[i].copyAt);
  });
}

/** Before a chunk: the chunk's part of each unit source that is not used in place. */
export function copyChunkIn(
  t: Transfer,
  slots: readonly Slot[],
  arranged: readonly Arranged[],
  arrays: Values[],
  start: number,
  units: number,
) {
  slots.forEach((s, i) => {
    if (s.per !== 'unit' || !s.source || arranged[i].resident !== undefined) return;
    t.put(part(arrays[i], start * s.count, units * s.count), s.Type, arranged[i].copyAt);
  });
}

/** After a chunk: each unit output summed (reduce), added into its destination (accumulate) or copied there. */
export function copyChunkOut(
  t: Transfer,
  slots: readonly Slot[],
  arranged: readonly Arranged[],
  arrays: Values[],
  sums: Record<string, number>,
  start: number,
  units: number,
) {
  slots.forEach((s, i) => {
    const use = s.output;
    if (s.per !== 'unit' || !use || arranged[i].resident !== undefined) return;
    const [n, from, at] = [units * s.count, start * s.count, arranged[i].copyAt];
    if (use.reduce) {
      const values = t.heap(s.Type);
      let total = sums[s.name]; // one running sum in unit order, whatever the chunks
      for (let j = at / s.Type.BYTES_PER_ELEMENT, end = j + n; j < end; j++) total += values[j];
      sums[s.name] = total;
    } else if (use.accumulate) {
      const [into, values] = [arrays[i], t.view(s.Type, at, n)];
      for (let j = 0; j < n; j++) into[from + j] += values[j];
    } else {
      (arrays[i] as Float64Array).set(t.view(s.Type, at, n) as Float64Array, from);
    }
  });
}

/** After the last chunk: each whole output that is not used in place, copied to its destination. */
export function copyWholeOut(t: Transfer, slots: readonly Slot[], arranged: readonly Arranged[], arrays: Values[]) {
  slots.forEach((s, i) => {
    if (s.per !== 'whole' || !s.output || arranged[i].resident !== undefined) return;
    (arrays[i] as Float64Array).set(t.view(s.Type, arranged[i].copyAt, s.count) as Float64Array);
  });
}
