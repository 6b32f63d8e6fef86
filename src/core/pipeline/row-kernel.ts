// The program most calls are: one kernel over rows. The input is seen as (outer, cols, inner): rows = outer · inner
// rows of `cols` elements, made contiguous (the cols dim moved last, and back) when inner > 1. Kernel arguments
// are filled by name: `x` is the input, `rows` and `cols` the chunk's, the rest come from operands (absent:
// address 0), outputs and scalars.
import type { FloatArray } from '../../types.js';
import { type ArgName, argNames, type Dtype, KERNELS, type KernelName } from '../kernels.js';
import { runProgram } from './chunk-loop.js';
import { callKernel, type KernelArgs, type Pointer } from './kernel-call.js';
import type { Chunk, Ran, Slot, ValuesType } from './program.js';

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

const typeOfArray = (a: FloatArray | Int32Array): ValuesType =>
  a instanceof Float64Array ? Float64Array : a instanceof Int32Array ? Int32Array : Float32Array;
const typeOfOutput = (o: Output, Float: ValuesType): ValuesType =>
  o.type === 'int32' ? Int32Array : o.type === 'float64' ? Float64Array : Float;
const sameArray = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.byteLength === b.byteLength;
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

/** The plan's arrays as slots: per unit (outer block) of cols · inner elements, or inner · width row values. */
function slotsOf<K extends KernelName>(plan: Plan<K>, Float: ValuesType, readsInput: boolean): Slot[] {
  const { cols, inner, input } = plan;
  const swapped = inner > 1;
  const countOf = (per: Per, width = 1) => (per === 'element' ? cols * inner : inner * width);
  const slots: Slot[] = [];
  if (readsInput)
    slots.push({ name: 'x', label: 'input.data', Type: Float, per: 'unit', count: cols * inner, source: input });
  for (const [name, o] of present<Operand>(plan.operands)) {
    const [per, count] = o.per === 'whole' ? (['whole', o.data.length] as const) : (['unit', countOf(o.per)] as const);
    slots.push({ name, label: o.label, Type: typeOfArray(o.data), per, count, source: o.data });
  }
  for (const [name, o] of present<Output>(plan.outputs)) {
    const element = o.per === 'element';
    slots.push({
      name,
      label: 'options.out',
      Type: typeOfOutput(o, Float),
      per: 'unit',
      count: countOf(o.per, o.width),
      output: { into: o.into, given: o.given, accumulate: o.accumulate, reduce: o.reduce },
      inPlace: element && !swapped && (o.into === undefined || !sameArray(o.into, input) || plan.inPlace === true),
      mayAlias: input,
    });
  }
  if (swapped) {
    for (const s of [...slots]) {
      if (isElement(plan, s.name))
        slots.push({ name: s.name + SWAPPED, label: s.label, Type: s.Type, per: 'unit', count: s.count });
    }
  }
  return slots;
}

/** Whether the plan's array `name` has one value per input element. */
function isElement<K extends KernelName>(plan: Plan<K>, name: string): boolean {
  if (name === 'x') return true;
  const operands = plan.operands as Record<string, Operand | undefined> | undefined;
  const outputs = plan.outputs as Record<string, Output | undefined> | undefined;
  return (operands?.[name] ?? outputs?.[name])?.per === 'element';
}

/**
 * Runs the plan and returns its outputs.
 * @throws RangeError when `out` overlaps another argument, or the call needs more WebAssembly memory than
 * the engine gives (before anything is written).
 */
export function run<K extends KernelName>(plan: Plan<K>): Ran {
  const { caller, kernel, input, outer, cols, inner } = plan;
  const dtype: Dtype = input instanceof Float64Array ? 'f64' : 'f32';
  const Float = dtype === 'f64' ? Float64Array : Float32Array;
  const readsInput = argNames(kernel).includes('x' as ArgName<K>);
  const slots = slotsOf(plan, Float, readsInput);
  const rows = outer * inner;
  // no rows, or no elements and nothing per row: nothing to do, however large the other dims
  const rowOutputs = slots.some((s) => s.output && !isElement(plan, s.name));
  const units = rows === 0 || (cols === 0 && !rowOutputs) ? 0 : outer;
  const swap = (from: number, to: number, units: number, a: number, b: number) =>
    callKernel(caller, 'swapLastTwoDims', dtype, 1, 0, { x: from, out: to, outer: units, a, b });
  // each array the kernel takes: whether it has a value per element (moved with the dim when inner > 1), and
  // the bytes from one kernel row to the next
  const taken = slots
    .filter((s) => !s.name.endsWith(SWAPPED))
    .map((s) => {
      const element = isElement(plan, s.name);
      const perRow = s.per === 'whole' ? 0 : element ? cols : s.count / inner;
      return { s, element, rowBytes: perRow * s.Type.BYTES_PER_ELEMENT };
    });
  const step = (chunk: Chunk) => {
    const args: Record<string, Pointer | number | undefined> = Object.create(null);
    for (const { s, element, rowBytes } of taken) {
      let { address } = chunk.at(s.name);
      if (element && inner > 1) {
        const swapAt = chunk.at(s.name + SWAPPED).address;
        if (s.source) swap(address, swapAt, chunk.units, cols, inner);
        address = swapAt;
      }
      args[s.name] = { address, rowBytes };
    }
    args.cols = cols;
    Object.assign(args, plan.scalars);
    const sum = callKernel(caller, kernel, dtype, chunk.units * inner, cols, args as KernelArgs);
    for (const { s, element } of taken) {
      if (inner > 1 && element && s.output) {
        swap(chunk.at(s.name + SWAPPED).address, chunk.at(s.name).address, chunk.units, inner, cols);
      }
    }
    return sum;
  };
  const checked = readsInput ? [] : [{ label: 'input.data', data: input }];
  return runProgram({ caller, dtype, units, slots, threads: KERNELS[kernel].split, step }, checked);
}
