// The one pipeline every binding describes a call to: lay out scratch → chunk rows (and share them among
// threads) → copy in → move the row dim last → kernel → move it back → copy out. Bindings hand it
// snapshots only (src/core/validate.ts), already checked; it knows kernels by their table row, never
// which loss it runs, and it writes nothing the caller passed but an `out`, and that only after every
// check and the one allocation of the call have passed.
import type { FloatArray } from '../types.js';
import { type ArgName, argNames, type Dtype, exportName, KERNELS, type KernelName, positional } from './kernels.js';
import { wasm } from './runtime.js';
import { runRows, threadCount } from './threads.js';
import { callAllocator, insideLiveTensor } from './wasm-tensor.js';

/** How an array lines up with the rows: one value per input element, one per row, or one whole array. */
export type Per = 'element' | 'row' | 'whole';

/** An array the kernel reads. */
export interface Operand {
  /** The argument's name for errors ('target', 'options.weight', …). */
  label: string;
  /** A snapshot: a view made by validate.ts, or a copy. Element operands have the input's dtype. */
  data: FloatArray | Int32Array;
  per: Per;
}

/** An array the kernel writes: a fresh one, or the caller's `out` (checked: the input's dtype and length). */
export interface Output {
  per: 'element' | 'row';
  /** Values per row of a 'row' output (topK's k; default 1). */
  width?: number;
  /** Values of another type than the input's: Int32 (topK's indices) or Float64 (a wide log-sum-exp). */
  type?: 'int32' | 'float64';
  /** Summed into `Ran.sums[name]` (in row order) instead of returned: a loss reduced to a number. */
  reduce?: boolean;
  /** Added into `into` (gradient accumulation) instead of written over it. */
  accumulate?: boolean;
  /** The caller's `out`, viewed afresh by validate.ts. */
  into?: FloatArray;
  /** The caller's own `out` object, handed back as the result while it is still a live view. */
  given?: unknown;
}

/**
 * One call. The input is seen as (outer, cols, inner): rows = outer · inner rows of `cols` elements, which
 * the pipeline makes contiguous (moving the cols dim last) when inner > 1. Kernel arguments are filled by
 * name: `x` is the input, `rows` and `cols` the chunk's, the rest come from operands (absent: address 0),
 * outputs and scalars.
 */
export interface Plan<K extends KernelName> {
  caller: string;
  kernel: K;
  input: FloatArray;
  outer: number;
  cols: number;
  inner: number;
  operands?: Partial<Record<ArgName<K>, Operand | undefined>>;
  outputs?: Partial<Record<ArgName<K>, Output | undefined>>;
  scalars?: Partial<Record<ArgName<K>, number>>;
  /** Whether an element output may be written over the input where it lies (the kernel reads x_j first). */
  inPlace?: boolean;
}

export interface Ran {
  /** Each output: the caller's `out` (viewed afresh) or a fresh array (of the output's `type` when it has one). */
  outputs: Record<string, FloatArray>;
  /** Σ of what the kernel returned (kernels that return Σ loss), in row order. */
  sum: number;
  /** Σ of each `reduce` output, in row order. */
  sums: Record<string, number>;
}

/** The most elements a typed array may hold (V8's limit), checked before a result is allocated. */
const MAX_RESULT_LENGTH = 2 ** 32;
/** The largest scratch a call may ask for: wasm32 addresses 4 GiB, less a margin for static data. */
const MAX_SCRATCH_BYTES = 2 ** 32 - 2 ** 20;
const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/**
 * Bytes of buffers per chunk and thread; big inputs go through in chunks of whole rows that fit. Half a MiB
 * stays in a core's L2 between the copy in, the kernel and the copy out: at [8192, 1000] float32, one thread,
 * the copies path measured 1.24× the zero-copy time with 4 MiB chunks and 1.08× with 512 KiB (forward), 1.27×
 * and 1.15× (forward + gradient); bench/NOTES.md.
 */
export const DEFAULT_CHUNK_BYTES = 512 * 2 ** 10;
let chunkBytes = DEFAULT_CHUNK_BYTES;

/** Sets the chunk size (tests use small ones to exercise chunking); returns the previous one. */
export function setChunkBytes(bytes: number): number {
  const previous = chunkBytes;
  chunkBytes = bytes;
  return previous;
}

/**
 * How many units (outer blocks) go through per chunk: as many as fit in the chunk budget of every thread,
 * at least one.
 * @throws RangeError, before any work, when one unit cannot fit in WebAssembly memory at all.
 */
export function chunkUnits(caller: string, units: number, perUnit: number, fixed: number, threads: number): number {
  if (perUnit + fixed > MAX_SCRATCH_BYTES) {
    throw new RangeError(
      `${caller}: one row needs ${perUnit + fixed} bytes of WebAssembly memory, more than its 4 GiB address space`,
    );
  }
  // arrays copied whole once (`fixed`, e.g. a class weight) do not take from the chunk's budget
  return Math.max(1, Math.min(units, Math.floor((chunkBytes * threads) / Math.max(perUnit, 1))));
}

/** Whether two typed arrays share any bytes. */
function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return (
    a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength
  );
}

const sameArray = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.byteLength === b.byteLength;

/** RangeError when `out` shares memory with any array the call reads, except exactly the input (in place). */
function checkOverlaps(caller: string, input: FloatArray, operands: Operand[], outputs: Output[]): void {
  for (const { into } of outputs) {
    if (!into) continue;
    for (const { label, data } of [{ label: 'input.data', data: input }, ...operands]) {
      if (!overlaps(into, data) || (data === input && sameArray(into, input))) continue;
      throw new RangeError(
        `${caller}: options.out overlaps ${label}; out must be input.data itself (in place) ` +
          'or share no memory with the other arguments',
      );
    }
  }
}

type Ctor = (Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor) &
  (new (
    buffer: ArrayBufferLike,
    byteOffset: number,
    length: number,
  ) => FloatArray | Int32Array);
/** An output's array type: its own, or the input's. */
const typeOf = (o: Output, Float: Ctor): Ctor =>
  o.type === 'int32' ? Int32Array : o.type === 'float64' ? Float64Array : Float;
const ctorOf = (a: FloatArray | Int32Array): Ctor =>
  a instanceof Float64Array ? Float64Array : a instanceof Int32Array ? Int32Array : Float32Array;

/**
 * A record's own entries that are not undefined, in key order. (Object.keys, not Object.entries: V8 builds the
 * entries of a 10-key object in ~1.3 µs, where a whole small call takes ~6.)
 */
function present<V>(record: Partial<Record<string, V | undefined>> | undefined): [string, V][] {
  const entries: [string, V][] = [];
  if (record === undefined) return entries;
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (value !== undefined) entries.push([name, value]);
  }
  return entries;
}

/** A slot: where one array of the call is, in WebAssembly memory, for the current chunk. */
interface Slot {
  name: string;
  per: Per;
  /** Bytes per value. */
  bytes: number;
  /** Values per row of a 'row' slot. */
  width: number;
  /** The array's own address when it lives in WebAssembly memory and the kernel may use it there. */
  resident?: number;
  /** Scratch for a copy (or the kernel's output), and for the dim swap when inner > 1. */
  copyAt: number;
  swapAt: number;
}

/**
 * Runs the plan and returns its outputs.
 * @throws RangeError when `out` overlaps another argument, or the call needs more WebAssembly memory than
 * the engine gives (before anything is written).
 */
export function run<K extends KernelName>(plan: Plan<K>): Ran {
  const { caller, kernel, input, outer, cols, inner } = plan;
  const kernels = wasm(caller);
  const dtype: Dtype = input instanceof Float64Array ? 'f64' : 'f32';
  const Float = ctorOf(input) as Float32ArrayConstructor | Float64ArrayConstructor;
  const eb = Float.BYTES_PER_ELEMENT;
  const rows = outer * inner;
  const block = cols * inner;
  const swapped = inner > 1;
  const operands = present<Operand>(plan.operands);
  const outputs = present<Output>(plan.outputs);
  checkOverlaps(
    caller,
    input,
    operands.map((e) => e[1]),
    outputs.map((e) => e[1]),
  );
  const views: [string, ArrayBufferView][] = [
    ['input.data', input],
    ...operands.map(([, o]) => [o.label, o.data] as [string, ArrayBufferView]),
  ];
  for (const [, o] of outputs) if (o.into) views.push(['options.out', o.into]);
  const memoryBuffer = kernels.memory.buffer; // as it is before this call's allocation
  for (const [label, view] of views) {
    if (view.buffer === memoryBuffer && !insideLiveTensor(kernels, view.byteOffset, view.byteLength)) {
      throw new TypeError(
        `${caller}: ${label} is a view of WebAssembly memory that no live allocTensor tensor holds (freed?); ` +
          'pass a live tensor or a plain array',
      );
    }
  }

  // internal records have no prototype: a polluted Object.prototype must not fill an absent argument
  const results: Record<string, FloatArray> = Object.create(null);
  for (const [name, o] of outputs) {
    const length = o.per === 'row' ? rows * (o.width ?? 1) : outer * block;
    if (o.reduce) continue;
    if (!o.into && length > MAX_RESULT_LENGTH) {
      throw new RangeError(`${caller}: the result would hold ${length} values, more than a typed array can (2^32)`);
    }
    results[name] = o.into ?? (new (typeOf(o, Float))(length) as FloatArray);
  }
  const sums: Record<string, number> = Object.create(null);
  for (const [name, o] of outputs) if (o.reduce) sums[name] = 0;
  if (rows === 0) {
    for (const [name, o] of outputs) if (o.into) results[name] = o.given as FloatArray;
    return { outputs: results, sum: 0, sums };
  }

  // Which arrays the kernel can use where they are: in WebAssembly memory, rows already contiguous.
  const addressOf = (a: ArrayBufferView | undefined) => (a && a.buffer === memoryBuffer ? a.byteOffset : undefined);
  const inputAt = addressOf(input);
  // the input goes in as `x` unless the kernel reads it only through a gathered operand (nllLoss's `picked`)
  const readsInput = argNames(kernel).includes('x' as ArgName<K>);
  const inputOperand: [string, Operand][] = readsInput ? [['x', { label: 'input', data: input, per: 'element' }]] : [];
  const readers: [string, Operand][] = [...inputOperand, ...operands];
  const inSlots = readers.map(
    ([name, o]): Slot => ({
      name,
      per: o.per,
      bytes: o.data.BYTES_PER_ELEMENT,
      width: 1,
      copyAt: 0,
      swapAt: 0,
      resident: swapped && o.per === 'element' ? undefined : addressOf(o.data),
    }),
  );
  const outSlots = outputs.map(([name, o]): Slot => {
    const direct =
      o.per === 'element' &&
      !swapped &&
      !o.accumulate &&
      (o.into === undefined || !sameArray(o.into, input) || plan.inPlace);
    const bytes = typeOf(o, Float).BYTES_PER_ELEMENT;
    const resident = direct ? addressOf(o.into) : undefined;
    return { name, per: o.per, bytes, width: o.width ?? 1, copyAt: 0, swapAt: 0, resident };
  });
  // a resident input that a swap reads in place needs no copy
  const swapFromInput = readsInput && swapped && inputAt !== undefined;

  // Lay out: bytes per outer block (the chunk unit), and the arrays copied whole once.
  const unitBytes = (s: Slot) => {
    if (s.per === 'whole') return 0;
    const count = s.per === 'row' ? inner * s.width : block;
    const copy = s.resident === undefined && !(s.name === 'x' && swapFromInput) ? count : 0;
    const swap = swapped && s.per === 'element' ? count : 0;
    return (copy + swap) * s.bytes;
  };
  const wholeBytes = operands.reduce(
    (t, [, o], i) =>
      t +
      (o.per === 'whole' && inSlots[i + inputOperand.length].resident === undefined ? align16(o.data.byteLength) : 0),
    0,
  );
  const perUnit = [...inSlots, ...outSlots].map(unitBytes).reduce((a, b) => a + b, 0);
  const slack = 32 * (inSlots.length + outSlots.length) + wholeBytes;
  const unitsPerChunk = chunkUnits(caller, outer, perUnit, slack, KERNELS[kernel].split ? threadCount() : 1);
  const total = perUnit * unitsPerChunk + slack;
  const base = total <= MAX_SCRATCH_BYTES ? callAllocator(() => kernels.scratch(total)) : 0;
  if (base === 0)
    throw new RangeError(
      `${caller}: the call needs ${total} bytes of WebAssembly memory, more than the engine can give`,
    );

  // Addresses, now that memory will not grow again during this call.
  let at = base;
  const take = (bytes: number) => {
    at += align16(bytes);
    return at - align16(bytes);
  };
  [...inSlots, ...outSlots].forEach((s, i) => {
    const count = s.per === 'row' ? inner * s.width * unitsPerChunk : s.per === 'element' ? block * unitsPerChunk : 0;
    if (s.per === 'whole') s.copyAt = s.resident ?? take(readers[i][1].data.byteLength);
    else if (s.resident === undefined && !(s.name === 'x' && swapFromInput)) s.copyAt = take(count * s.bytes);
    if (swapped && s.per === 'element') s.swapAt = take(count * s.bytes);
  });
  const memory = kernels.memory.buffer; // as it stays until the call returns (kernels do not grow memory)
  const live = (a: FloatArray | Int32Array) => {
    const address = addressOf(a);
    return address === undefined ? a : new (ctorOf(a))(memory, address, a.length);
  };
  // one view of the whole memory per type: copies in and out go through it, with no view per copy
  const heaps = new Map<Ctor, FloatArray | Int32Array>();
  const heap = (C: Ctor) => {
    let h = heaps.get(C);
    if (!h) {
      h = new C(memory, 0, memory.byteLength / C.BYTES_PER_ELEMENT);
      heaps.set(C, h);
    }
    return h;
  };
  const view = (C: Ctor, address: number, n: number) => {
    const first = address / C.BYTES_PER_ELEMENT;
    return heap(C).subarray(first, first + n);
  };
  const part = (a: FloatArray | Int32Array, from: number, n: number) =>
    from === 0 && n === a.length ? a : a.subarray(from, from + n);
  const swap = swapped ? kernels[exportName('swapLastTwoDims', dtype)] : () => undefined;
  const sources = readers.map(([, o]) => live(o.data));
  for (const [name, o] of outputs) if (o.into) results[name] = live(o.into) as FloatArray;
  const handBack = () => {
    for (const [name, o] of outputs) {
      if (o.into && (o.into.buffer === memory || addressOf(o.into) === undefined))
        results[name] = o.given as FloatArray;
    }
  };
  readers.forEach(([, o], i) => {
    if (o.per === 'whole' && inSlots[i].resident === undefined)
      heap(ctorOf(o.data)).set(sources[i], inSlots[i].copyAt / o.data.BYTES_PER_ELEMENT);
  });

  let sum = 0;
  const exportId = exportName(kernel, dtype);
  const splittable = KERNELS[kernel].split;
  const scalars: Readonly<Record<string, number | undefined>> = plan.scalars ?? {};
  for (let start = 0; start < outer; start += unitsPerChunk) {
    const units = Math.min(unitsPerChunk, outer - start);
    const n = units * block;
    const r = units * inner;
    // each array argument: its address for the chunk's first row, and the bytes from one row to the next
    const where = new Map<string, { address: number; step: number }>();
    const stepOf = (s: Slot) => (s.per === 'whole' ? 0 : s.per === 'row' ? s.width * s.bytes : cols * s.bytes);
    inSlots.forEach((s, i) => {
      const [count, from] = s.per === 'row' ? [r, start * inner] : [n, start * block];
      let address = s.resident !== undefined ? s.resident + from * s.bytes : s.copyAt;
      if (s.per !== 'whole' && s.resident === undefined) {
        if (s.name === 'x' && swapFromInput) address = (inputAt as number) + from * s.bytes;
        else heap(ctorOf(readers[i][1].data)).set(part(sources[i], from, count), s.copyAt / s.bytes);
      }
      if (swapped && s.per === 'element') {
        swap(address, s.swapAt, units, cols, inner);
        address = s.swapAt;
      }
      where.set(s.name, { address, step: stepOf(s) });
    });
    outSlots.forEach((s) => {
      const from = s.per === 'row' ? start * inner : start * block;
      const address =
        s.resident !== undefined ? s.resident + from * eb : swapped && s.per === 'element' ? s.swapAt : s.copyAt;
      where.set(s.name, { address, step: stepOf(s) });
    });
    const argsFor = (a: number, b: number) =>
      positional(kernel, (name, kind) => {
        const w = where.get(name);
        if (w) return w.address + a * w.step;
        if (name === 'rows') return b - a;
        if (name === 'cols') return cols;
        return (Object.hasOwn(scalars, name) ? scalars[name] : undefined) ?? (kind === 'ptr' ? 0 : undefined);
      });
    if (splittable) runRows(caller, kernels, exportId, r, cols, argsFor);
    else sum += kernels[exportId](...argsFor(0, r)) ?? 0;
    outSlots.forEach((s, i) => {
      const [name, o] = outputs[i];
      const [count, from] = s.per === 'row' ? [r * s.width, start * inner * s.width] : [n, start * block];
      if (s.per === 'element' && swapped) swap(s.swapAt, s.copyAt, units, inner, cols);
      if (o.reduce) {
        const values = heap(Float);
        let total = sums[name]; // one running sum in row order, whatever the chunks
        for (let j = s.copyAt / eb, end = j + count; j < end; j++) total += values[j];
        sums[name] = total;
      } else if (o.accumulate) {
        const [into, values] = [results[name], view(Float, s.copyAt, count)];
        for (let j = 0; j < count; j++) into[from + j] += values[j];
      } else if (s.resident === undefined) {
        results[name].set(view(typeOf(o, Float), s.copyAt, count) as FloatArray, from);
      }
    });
  }
  handBack();
  return { outputs: results, sum, sums };
}
