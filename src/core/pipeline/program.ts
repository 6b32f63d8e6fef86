// A chunk program: the arrays of a call (named slots) and the step that runs kernels on one chunk of them. The
// pipeline's stages run every program alike: residency (where each array is, recorded before memory can grow),
// arrange (chunk size, the one scratch allocation), transfer (copies in and out, reductions) and the chunk loop.
import type { FloatArray } from '../../types.js';
import type { Dtype, KernelName } from '../kernels.js';

export type Values = FloatArray | Int32Array;
export type ValuesType = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor;

/** The constructor of an array of values. */
export const typeOfValues = (a: Values): ValuesType =>
  a instanceof Float64Array ? Float64Array : a instanceof Int32Array ? Int32Array : Float32Array;

/** Whether two views are the same bytes of the same buffer. */
export const sameArray = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.byteLength === b.byteLength;

/** What the program does with an output slot's values, chunk by chunk or once. */
export interface OutputUse {
  /** The caller's destination (a snapshot view from validate.ts); absent: a fresh array. */
  into?: Values;
  /** The caller's own destination object, handed back while it is still a live view. */
  given?: unknown;
  /** The result is the destination's values plus the program's: added after each chunk ('unit' slots), or the
   * destination's values copied in before the first chunk for the kernels to add onto ('whole' slots). */
  accumulate?: boolean;
  /** Summed into `Ran.sums[name]`, in order, instead of returned ('unit' slots). */
  reduce?: boolean;
}

/** One array of the call. */
export interface Slot {
  name: string;
  /** The argument's name in errors ('input.data', 'options.weight', …). */
  label: string;
  Type: ValuesType;
  /** 'unit': `count` values per unit of the chunked dim; 'whole': `count` values, copied once. */
  per: 'unit' | 'whole';
  count: number;
  /** An array the program reads: a snapshot view made by validate.ts, or a copy. */
  source?: Values;
  /** An array the program writes. Without `source` or `output` the slot is scratch. */
  output?: OutputUse;
  /** Whether the kernels may use the caller's array where it lies in WebAssembly memory (an output only when its
   * values need no copy, addition or reduction on the way out). Default: true for sources, false for outputs. */
  inPlace?: boolean;
  /** A source made by this call: never in WebAssembly memory (its `.buffer` is not read: that costs a small
   * array its own ArrayBuffer). */
  fresh?: boolean;
  /** An output that may be exactly this array (the input, written in place), where no other overlap may be. */
  mayAlias?: Values;
}

/** Where one slot's values of the current chunk start, and how far apart the units are. */
export interface Placed {
  address: number;
  /** Bytes from one unit to the next (0 for a whole slot). */
  unitBytes: number;
}

/** What a program's step sees of the chunk it runs. */
export interface Chunk {
  /** The first unit of the chunk and how many units it holds. */
  start: number;
  units: number;
  first: boolean;
  at(name: string): Placed;
  /** Whether the program has a slot of this name. */
  has(name: string): boolean;
  /** The address of slot `index` (its place in the program's slots) for the chunk's first unit. */
  address(index: number): number;
}

export interface Program {
  caller: string;
  dtype: Dtype;
  /** How many units the chunked dim holds (rows, or outer blocks of rows). */
  units: number;
  slots: Slot[];
  /** Units per chunk; absent: as many as fit the chunk budget (of every thread, with `threads`). */
  unitsPerChunk?: number;
  threads?: boolean;
  /** The RangeError's text when the call cannot fit WebAssembly memory (default: the bytes it needs). */
  tooLarge?: (bytes: number) => string;
  /** Runs the chunk's kernels; returns what they summed (kernels that return Σ loss), or nothing. */
  step(chunk: Chunk): number | undefined;
}

export interface Ran {
  /** Each output that is not reduced: the caller's destination (or a fresh view after growth), or a fresh array
   * (typed as floats; an Int32 output is cast by the caller that asked for it). */
  outputs: Record<string, FloatArray>;
  /** Σ of what the steps returned, in chunk order. */
  sum: number;
  /** Σ of each reduced output, in unit order. */
  sums: Record<string, number>;
}

export type { KernelName };
