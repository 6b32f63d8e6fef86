// The fused linear + cross-entropy (F.linear then F.cross_entropy) as a chunk program, never holding the [N, V]
// logits. Per chunk of rows:
//   logitsᵀ [V × n] = W · X_chunkᵀ (+ bias ⊗ 1ᵀ, a product of inner size 1: each logit + its bias, one add),
//   moved to rows [n × V];
//   the cross-entropy kernel: each row's loss (and z-loss), and the logits' gradient G in place of logitsᵀ;
//   gradInput_chunk = G · W;  gradWeight (+)= Gᵀ · X_chunk (matmul, A read transposed);  gradBias (+)= Σ rows of G.
// WebAssembly memory: W and its gradient, and per chunk X, its transpose, the logits and G: O(chunk · V + V · d).
// The head's slots, logits and backward products serve the fused distillation too (linear-distill.ts).

import type { Dtype } from '../core/kernels.js';
import { type Chunk, callKernel, type Pointer, type Program, type Slot } from '../core/pipeline/index.js';
import type { FloatArray } from '../types.js';

/** A call over the rows of hidden states [rows, width] and a head [vocab, width] (and its bias), in chunks. */
export interface HeadCall {
  caller: string;
  input: FloatArray;
  /** Rows of input and their width. */
  rows: number;
  width: number;
  linearWeight: FloatArray;
  vocab: number;
  bias?: FloatArray;
  chunkRows: number;
}

type GradientName = 'gradInput' | 'gradWeight' | 'gradBias';

/** A call that trains the head: the gradients of its input, weight and bias, into the caller's destinations. */
export interface TrainingCall extends HeadCall {
  withGrad: boolean;
  /** The caller's destinations (snapshot views) and own objects; `accumulate` adds into the weight's and bias's. */
  into: Partial<Record<GradientName, FloatArray>>;
  given: Partial<Record<GradientName, unknown>>;
  accumulate: boolean;
}

/** What a call asks, read and checked by linear-call.ts. */
export interface LinearCall extends TrainingCall {
  /** One per row: the class, or −1 for an ignored row. */
  targets: Int32Array;
  classWeight?: FloatArray;
  smoothing: number;
  softcap: number;
  zScale: number;
  zGrad: number;
  /** The loss's gradient scale (gradOutput folded with the reduction), and per-row gradOutput for 'none'. */
  gradScale: number;
  gradOutput?: FloatArray;
  /** Per-row losses summed (a scalar reduction) rather than returned. */
  reduce: boolean;
  /** log ε of filterEps: the backward keeps only the gradient's entries whose softmax is at least ε. */
  filterLogEps?: number;
}

/** Slot makers of a call on `input`'s dtype: per unit (row) or whole, with a source or as scratch. */
export function slotMakers(input: FloatArray) {
  const Float = input instanceof Float64Array ? Float64Array : Float32Array;
  const unit = (name: string, count: number, more: Partial<Slot> = {}): Slot =>
    ({ name, label: name, Type: Float, per: 'unit', count, ...more }) as Slot;
  const whole = (name: string, label: string, count: number, source?: FloatArray): Slot => ({
    name,
    label,
    Type: Float,
    per: 'whole',
    count,
    source,
  });
  return { unit, whole, Float };
}

/**
 * The student's slots: its rows `x` and their transpose, its weight, the chunk's logits and their gradient `g` (its
 * logitsᵀ on the way), the bias, and `ones` (the bias's product) when `ones`.
 */
export function studentSlots(call: HeadCall, ones: boolean): Slot[] {
  const { width: d, vocab: V, chunkRows } = call;
  const { unit, whole, Float } = slotMakers(call.input);
  const slots: Slot[] = [
    unit('x', d, { label: 'input.data', source: call.input }),
    whole('w', 'linearWeight.data', V * d, call.linearWeight),
    unit('xT', d),
    unit('logits', V),
    unit('g', V),
  ];
  if (call.bias) slots.push(whole('bias', 'options.linearBias', V, call.bias));
  if (ones) slots.push(whole('ones', 'ones', chunkRows, new Float(chunkRows).fill(1)));
  return slots;
}

/** The gradients' slots (none without): gradInput per row, gradWeight and gradBias whole, into the destinations. */
export function gradientSlots(call: TrainingCall): Slot[] {
  if (!call.withGrad) return [];
  const { width: d, vocab: V } = call;
  const { unit, whole } = slotMakers(call.input);
  const destination = (name: GradientName) => ({
    label: `options.${name}Out`,
    inPlace: true,
    output: { into: call.into[name], given: call.given[name], accumulate: call.accumulate && name !== 'gradInput' },
  });
  const slots = [
    unit('gradInput', d, destination('gradInput')),
    { ...whole('gradWeight', '', V * d), ...destination('gradWeight') },
  ];
  if (call.bias) slots.push({ ...whole('gradBias', '', V), ...destination('gradBias') });
  return slots;
}

/** The call's arrays: the student's, the targets, per-row results and the gradients. */
function linearSlots(call: LinearCall): Slot[] {
  const { vocab: V, reduce } = call;
  const { unit, whole } = slotMakers(call.input);
  const slots: Slot[] = [
    ...studentSlots(call, call.bias !== undefined),
    unit('targets', 1, { label: 'target', Type: Int32Array, source: call.targets }),
    unit('lossOut', 1, { output: { reduce } }),
    unit('zLossOut', 1, { output: { reduce } }),
  ];
  if (call.classWeight) slots.push(whole('classWeight', 'options.weight', V, call.classWeight));
  if (call.gradOutput) slots.push(unit('gradOutput', 1, { label: 'options.gradOutput', source: call.gradOutput }));
  if (call.withGrad && call.filterLogEps !== undefined) slots.push(...filterSlots(call));
  return [...slots, ...gradientSlots(call)];
}

/** The filtered backward's scratch: each row's log-sum-exp, kept columns and their count; the kept entries by
 * column (their rows, and where each column's start). */
function filterSlots(call: LinearCall): Slot[] {
  const { vocab: V } = call;
  const { unit, whole } = slotMakers(call.input);
  return [
    unit('lse', 1),
    unit('index', V, { Type: Int32Array }),
    unit('count', 1, { Type: Int32Array }),
    unit('rowOf', V, { Type: Int32Array }),
    { ...whole('start', 'start', V + 1), Type: Int32Array },
  ];
}

/** C[m × n] (+)= A(m × k) · B[k × n], A(i, p) at a + (i · rowStride + p · innerStride) elements; rows over threads. */
export function matmul(
  call: { caller: string; input: FloatArray },
  dtype: Dtype,
  a: number,
  rowStride: number,
  innerStride: number,
  b: number,
  c: number,
  m: number,
  n: number,
  k: number,
  accumulate: boolean,
) {
  const eb = call.input.BYTES_PER_ELEMENT;
  callKernel(call.caller, 'matmul', dtype, m, n * k, {
    a: { address: a, rowBytes: rowStride * eb },
    rowStride,
    innerStride,
    b,
    c: { address: c, rowBytes: n * eb },
    n,
    k,
    accumulate: accumulate ? 1 : 0,
  });
}

/** A per-row slot of the chunk as a kernel's array argument (a unit is a row here); 0 when the program has none. */
export function rowsOf(chunk: Chunk, name: string): Pointer | 0 {
  if (!chunk.has(name)) return 0;
  const { address, unitBytes } = chunk.at(name);
  return { address, rowBytes: unitBytes };
}

/** A head's slots in a chunk program: its rows `x` [n × width], their transpose `xT`, its weight `w` [V × width]
 * and optional `bias` (with the program's `ones`). */
export interface HeadSlots {
  x: string;
  xT: string;
  w: string;
  bias?: string;
  width: number;
}

/** The student's head: the call's input, linearWeight and linearBias. */
export const studentHead = (call: HeadCall): HeadSlots => ({
  x: 'x',
  xT: 'xT',
  w: 'w',
  bias: call.bias ? 'bias' : undefined,
  width: call.width,
});

/** The chunk's logits [n × V] of a head into slot `logits`, through `transit` (logitsᵀ [V × n], then free). */
export function headLogits(
  call: HeadCall,
  dtype: Dtype,
  chunk: Chunk,
  head: HeadSlots,
  transit: string,
  logits: string,
) {
  const { caller, vocab: V } = call;
  const n = chunk.units;
  const d = head.width;
  const at = (name: string) => chunk.at(name).address;
  callKernel(caller, 'swapLastTwoDims', dtype, 1, 0, { x: at(head.x), out: at(head.xT), outer: 1, a: n, b: d });
  matmul(call, dtype, at(head.w), d, 1, at(head.xT), at(transit), V, n, d, false);
  if (head.bias) matmul(call, dtype, at(head.bias), 1, 1, at('ones'), at(transit), V, n, 1, true);
  callKernel(caller, 'swapLastTwoDims', dtype, 1, 0, { x: at(transit), out: at(logits), outer: 1, a: V, b: n });
}

/** The student's three backward products from the logits' gradient G [n × V] in slot `g`: gradInput = G · W,
 * gradWeight (+)= Gᵀ · X, gradBias (+)= Σ rows of G (added after the first chunk, or always with `accumulate`). */
export function headBackward(call: TrainingCall, dtype: Dtype, chunk: Chunk) {
  const { caller, width: d, vocab: V } = call;
  const n = chunk.units;
  const at = (name: string) => chunk.at(name).address;
  const add = !chunk.first || call.accumulate;
  matmul(call, dtype, at('g'), V, 1, at('w'), at('gradInput'), n, d, V, false);
  matmul(call, dtype, at('g'), 1, V, at('x'), at('gradWeight'), V, d, n, add);
  if (call.bias) {
    callKernel(caller, 'columnSums', dtype, n, V, { g: at('g'), n: V, c: at('gradBias'), accumulate: add ? 1 : 0 });
  }
}

/**
 * The backward products over the gradient's kept entries (filterEps): gradBias from the whole of G first, then each
 * row's entries whose softmax is at least ε (with its target's) written over its logits, gradInput from them, the
 * same entries by column, and gradWeight from those (assembly/kernels/filtered-backward.ts).
 */
function filteredBackward(call: LinearCall, dtype: Dtype, chunk: Chunk, logEps: number) {
  const { caller, width: d, vocab: V } = call;
  const n = chunk.units;
  const at = (name: string) => chunk.at(name).address;
  const row = (name: string) => rowsOf(chunk, name);
  const add = !chunk.first || call.accumulate;
  if (call.bias) {
    callKernel(caller, 'columnSums', dtype, n, V, { g: at('g'), n: V, c: at('gradBias'), accumulate: add ? 1 : 0 });
  }
  const kept = { cols: V, index: row('index'), count: row('count') };
  callKernel(caller, 'keepLargeRows', dtype, n, V, {
    ...kept,
    x: row('logits'),
    lse: row('lse'),
    targets: row('targets'),
    g: row('g'),
    logEps,
    softcap: call.softcap,
  });
  callKernel(caller, 'sparseRowProducts', dtype, n, d, {
    ...kept,
    values: row('logits'),
    w: at('w'),
    d,
    out: row('gradInput'),
  });
  const lists = { start: at('start'), rowOf: at('rowOf'), valueOf: at('g') };
  callKernel(caller, 'keptByColumn', dtype, n, V, { ...kept, values: at('logits'), ...lists });
  const gradWeight = { address: at('gradWeight'), rowBytes: d * call.input.BYTES_PER_ELEMENT };
  callKernel(caller, 'sparseColumnProducts', dtype, V, d, {
    ...lists,
    x: at('x'),
    d,
    c0: at('gradWeight'),
    c: gradWeight,
    accumulate: add ? 1 : 0,
  });
}

/** One chunk: the logits, the cross-entropy kernel, and the three backward products. */
function linearStep(call: LinearCall, dtype: Dtype, chunk: Chunk): undefined {
  const { caller, vocab: V, withGrad } = call;
  const eb = call.input.BYTES_PER_ELEMENT;
  const n = chunk.units;
  const at = (name: string) => chunk.at(name).address;
  const row = (name: string) => rowsOf(chunk, name);
  headLogits(call, dtype, chunk, studentHead(call), 'g', 'logits');
  callKernel(caller, 'crossEntropyIndex', dtype, n, V, {
    x: row('logits'),
    cols: V,
    targets: row('targets'),
    weight: call.classWeight ? at('classWeight') : 0,
    smoothing: call.smoothing,
    softcap: call.softcap,
    zScale: call.zScale,
    zGrad: call.zGrad,
    lseIn: 0,
    vocabStart: 0,
    vocabSize: V,
    safe: 0,
    lossOut: row('lossOut'),
    zLossOut: row('zLossOut'),
    lseOut: row('lse'),
    grad: withGrad ? { address: at('g'), rowBytes: V * eb } : 0,
    gradScale: call.gradScale,
    gradOutput: call.gradOutput ? row('gradOutput') : 0,
  });
  if (withGrad && call.filterLogEps !== undefined) filteredBackward(call, dtype, chunk, call.filterLogEps);
  else if (withGrad) headBackward(call, dtype, chunk);
  return undefined;
}

/**
 * The program of a call over the rows of hidden states in chunks: its slots and its step (given the dtype); beyond
 * wasm32, a RangeError with the bytes it needs and the weight's share of them.
 */
export function headProgram(call: HeadCall, slots: Slot[], step: (dtype: Dtype, chunk: Chunk) => undefined): Program {
  const dtype: Dtype = call.input instanceof Float64Array ? 'f64' : 'f32';
  const { caller, rows, width, vocab, chunkRows } = call;
  const weightBytes = vocab * width * call.input.BYTES_PER_ELEMENT;
  return {
    caller,
    dtype,
    units: rows,
    slots,
    unitsPerChunk: chunkRows,
    tooLarge: (bytes) =>
      `${caller}: N = ${rows}, d = ${width}, V = ${vocab} need ${bytes} bytes of WebAssembly memory even in ` +
      `chunks of ${chunkRows} rows (linearWeight whole: ${weightBytes} bytes), more than wasm32's 4 GiB`,
    step: (chunk) => step(dtype, chunk),
  };
}

/** The program of one call: its slots, its chunk size and its step. */
export function linearProgram(call: LinearCall): Program {
  return headProgram(call, linearSlots(call), (dtype, chunk) => linearStep(call, dtype, chunk));
}
