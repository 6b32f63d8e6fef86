// The program most calls are: one kernel over rows. The input is seen as (outer, cols, inner): rows = outer · inner
// rows of `cols` elements, made contiguous (the cols dim moved last, and back) when inner > 1. Kernel arguments
// are filled by name: `x` is the input, `rows` and `cols` the chunk's, the rest come from operands (absent:
// address 0), outputs and scalars.
import type { FloatArray } from '../../types.js';
import { type ArgName, type Dtype, type KernelName, layoutOf } from '../kernel-abi.js';
import { repeated, runProgram } from './chunk-loop.js';
import { callKernel, type KernelArgs, type Pointer } from './kernel-call.js';
import { type Chunk, type Ran, type Slot, sameArray, typeOfValues, type ValuesType } from './program.js';

/** How an array lines up with the rows: one value per input element, one per row, or one whole array. */
export type Per = 'element' | 'row' | 'whole';

/** An array the kernel reads. */
export interface Operand {
  /** The argument's name for errors ('target', 'options.weight', …). */
  label: string;
  /** A snapshot: a view made by validate.ts, or a copy. Element operands have the input's dtype. */
  data: FloatArray | Int32Array;
  per: Per;
  /** Values per row of a 'row' operand (a teacher's top k; default 1). */
  width?: number;
  /** Made by this call (class indices, a gathered column): never in WebAssembly memory, so never looked up there. */
  fresh?: boolean;
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
  /** Scratch the kernel writes and reads back (the distillation's exps): never copied out nor returned. */
  scratch?: boolean;
}

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

export type { Ran };

const typeOfOutput = (o: Output, Float: ValuesType): ValuesType =>
  o.type === 'int32' ? Int32Array : o.type === 'float64' ? Float64Array : Float;
const SWAPPED = '~swapped';

/** A record's own entries that are not undefined, in key order (Object.keys: cheaper than entries in V8). */
function present<V>(record: Partial<Record<string, V | undefined>> | undefined): [string, V][] {
  const entries: [string, V][] = [];
  if (record === undefined) return entries;
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (value !== undefined) entries.push([name, value]);
  }
  return entries;
}

/** An array the kernel takes, as a slot; `element`: one value per input element (moved with the dim). */
interface Taken {
  slot: Slot;
  element: boolean;
  /** Bytes from one kernel row to the next. */
  rowBytes: number;
}

/** The plan's arrays as slots: per unit (outer block) of cols · inner elements, or inner · width row values. */
function arraysOf<K extends KernelName>(plan: Plan<K>, Float: ValuesType, readsInput: boolean): Taken[] {
  const { cols, inner, input } = plan;
  const taken: Taken[] = [];
  const take = (slot: Slot, per: Per, width = 1) => {
    const element = per === 'element';
    slot.count = element ? cols * inner : per === 'row' ? inner * width : slot.count;
    const perRow = per === 'whole' ? 0 : element ? cols : width;
    taken.push({ slot, element, rowBytes: perRow * slot.Type.BYTES_PER_ELEMENT });
  };
  if (readsInput)
    take({ name: 'x', label: 'input.data', Type: Float, per: 'unit', count: 0, source: input }, 'element');
  for (const [name, o] of present<Operand>(plan.operands)) {
    const per = o.per === 'whole' ? 'whole' : 'unit';
    const Type = typeOfValues(o.data);
    take({ name, label: o.label, Type, per, count: o.data.length, source: o.data, fresh: o.fresh }, o.per, o.width);
  }
  for (const [name, o] of present<Output>(plan.outputs)) {
    if (o.scratch) {
      take({ name, label: name, Type: Float, per: 'unit', count: 0 }, o.per);
      continue;
    }
    const { into } = o;
    const inPlace = o.per === 'element' && inner === 1 && (!into || !sameArray(into, input) || plan.inPlace === true);
    const output = { into, given: o.given, accumulate: o.accumulate, reduce: o.reduce };
    const Type = typeOfOutput(o, Float);
    take({ name, label: 'options.out', Type, per: 'unit', count: 0, output, inPlace, mayAlias: input }, o.per, o.width);
  }
  return taken;
}

/**
 * Whether every row's results are the same: rows of no elements (so element arrays hold nothing), nothing read
 * per row, and no caller's array to fill per row. Then one row is run and its results repeated, so the call costs
 * what its results hold, however many rows there are.
 */
function rowsAlike<K extends KernelName>(plan: Plan<K>): boolean {
  if (plan.cols !== 0 || present<Operand>(plan.operands).some(([, a]) => a.per === 'row')) return false;
  return present<Output>(plan.outputs).every(([, o]) => o.per === 'element' || !o.into);
}

/** The outputs of a plan whose rows are alike, from the outputs of one of its rows. A row of no elements sums to
 * 0, ±inf or NaN, so that rows of them sum to exactly `rows` times as much. */
function tiled<K extends KernelName>(plan: Plan<K>, one: Ran): Ran {
  const rows = plan.outer * plan.inner;
  const outputs: Ran['outputs'] = Object.create(null);
  for (const name of Object.keys(one.outputs)) {
    const row = one.outputs[name];
    // (an element output holds nothing: it stays the caller's `out`, or the fresh empty array)
    outputs[name] = row.length ? (repeated(plan.caller, row, rows * row.length) as FloatArray) : row;
  }
  const sums: Ran['sums'] = Object.create(null);
  for (const name of Object.keys(one.sums)) sums[name] = one.sums[name] * rows;
  return { outputs, sum: one.sum * rows, sums };
}

/**
 * Runs the plan and returns its outputs.
 * @throws RangeError when `out` overlaps another argument, or the call needs more WebAssembly memory than
 * the engine gives (before anything is written).
 */
export function run<K extends KernelName>(plan: Plan<K>): Ran {
  if (rowsAlike(plan) && plan.outer * plan.inner > 1) return tiled(plan, run({ ...plan, outer: 1, inner: 1 }));
  const { caller, kernel, input, outer, cols, inner } = plan;
  const dtype: Dtype = input instanceof Float64Array ? 'f64' : 'f32';
  const readsInput = layoutOf(kernel).positional.some(([name]) => name === 'x');
  const taken = arraysOf(plan, dtype === 'f64' ? Float64Array : Float32Array, readsInput);
  const slots = taken.map((t) => t.slot);
  // an element array moves its dim last (and back) through a scratch slot of its own when inner > 1, placed
  // after the kernel's arrays: slot taken.length + k for the k-th of `swapped`
  const swapped = inner > 1 ? taken.filter((t) => t.element) : [];
  for (const { slot } of swapped)
    slots.push({ ...slot, name: slot.name + SWAPPED, source: undefined, output: undefined });
  // no rows, or no elements and nothing per row: nothing to do, however large the other dims
  const units = outer * inner === 0 || (cols === 0 && !taken.some((t) => t.slot.output && !t.element)) ? 0 : outer;
  const swap = (from: number, to: number, units: number, a: number, b: number) =>
    callKernel(caller, 'swapLastTwoDims', dtype, 1, 0, { x: from, out: to, outer: units, a, b });
  const scalars = present<number>(plan.scalars);
  const step = (chunk: Chunk) => {
    // a plain object filled in one order (fast properties); callKernel reads only its own ones
    const args: Record<string, Pointer | number | undefined> = {};
    for (const [name, value] of scalars) args[name] = value;
    for (let i = 0; i < taken.length; i++)
      args[taken[i].slot.name] = { address: chunk.address(i), rowBytes: taken[i].rowBytes };
    swapped.forEach(({ slot }, k) => {
      const [at, swapAt] = [chunk.address(slots.indexOf(slot)), chunk.address(taken.length + k)];
      if (slot.source) swap(at, swapAt, chunk.units, cols, inner);
      (args[slot.name] as Pointer).address = swapAt;
    });
    args.cols = cols;
    const sum = callKernel(caller, kernel, dtype, chunk.units * inner, cols, args as KernelArgs);
    swapped.forEach(({ slot }, k) => {
      const [at, swapAt] = [chunk.address(slots.indexOf(slot)), chunk.address(taken.length + k)];
      if (slot.output) swap(swapAt, at, chunk.units, inner, cols);
    });
    return sum;
  };
  const checked = readsInput ? [] : [{ label: 'input.data', data: input }];
  return runProgram({ caller, dtype, units, slots, threads: layoutOf(kernel).split, step }, checked);
}
