// The fused linear + cross-entropy (F.linear then F.cross_entropy) as a chunk program, never holding the [N, V]
// logits. Per chunk of rows:
//   logitsᵀ [V × n] = W · X_chunkᵀ (+ bias ⊗ 1ᵀ, a product of inner size 1: each logit + its bias, one add),
//   moved to rows [n × V];
//   the cross-entropy kernel: each row's loss (and z-loss), and the logits' gradient G in place of logitsᵀ;
//   gradInput_chunk = G · W;  gradWeight (+)= Gᵀ · X_chunk (matmul, A read transposed);  gradBias (+)= Σ rows of G.
// WebAssembly memory: W and its gradient, and per chunk X, its transpose, the logits and G: O(chunk · V + V · d).

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

/** What a call asks, read and checked by linear-call.ts. */
export interface LinearCall extends HeadCall {
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
  withGrad: boolean;
  /** Per-row losses summed (a scalar reduction) rather than returned. */
  reduce: boolean;
  /** The caller's destinations (snapshot views) and own objects; `accumulate` adds into the weight's and bias's. */
  into: Partial<Record<'gradInput' | 'gradWeight' | 'gradBias', FloatArray>>;
  given: Partial<Record<'gradInput' | 'gradWeight' | 'gradBias', unknown>>;
  accumulate: boolean;
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

/** The call's arrays: the inputs, per-row results and gradients, and the chunk's scratch. */
function linearSlots(call: LinearCall): Slot[] {
  const { width: d, vocab: V, withGrad, reduce } = call;
  const { unit, whole, Float } = slotMakers(call.input);
  const destination = (name: 'gradInput' | 'gradWeight' | 'gradBias', accumulate: boolean) => ({
    label: `options.${name}Out`,
    inPlace: true,
    output: { into: call.into[name], given: call.given[name], accumulate: accumulate && name !== 'gradInput' },
  });
  const slots: Slot[] = [
    unit('x', d, { label: 'input.data', source: call.input }),
    whole('w', 'linearWeight.data', V * d, call.linearWeight),
    unit('targets', 1, { label: 'target', Type: Int32Array, source: call.targets }),
    unit('lossOut', 1, { output: { reduce } }),
    unit('zLossOut', 1, { output: { reduce } }),
    unit('xT', d),
    unit('logits', V),
    unit('g', V),
  ];
  if (call.bias) {
    slots.push(whole('bias', 'options.linearBias', V, call.bias));
    slots.push(whole('ones', 'ones', call.chunkRows, new Float(call.chunkRows).fill(1)));
  }
  if (call.classWeight) slots.push(whole('classWeight', 'options.weight', V, call.classWeight));
  if (call.gradOutput) slots.push(unit('gradOutput', 1, { label: 'options.gradOutput', source: call.gradOutput }));
  if (withGrad) {
    slots.push(unit('gradInput', d, destination('gradInput', false)));
    slots.push({ ...whole('gradWeight', '', V * d), ...destination('gradWeight', call.accumulate) });
    if (call.bias) slots.push({ ...whole('gradBias', '', V), ...destination('gradBias', call.accumulate) });
  }
  return slots;
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

/** One chunk: the logits, the cross-entropy kernel, and the three backward products. */
function linearStep(call: LinearCall, dtype: Dtype, chunk: Chunk): undefined {
  const { caller, width: d, vocab: V, withGrad } = call;
  const eb = call.input.BYTES_PER_ELEMENT;
  const n = chunk.units;
  const at = (name: string) => chunk.at(name).address;
  const row = (name: string) => rowsOf(chunk, name);
  callKernel(caller, 'swapLastTwoDims', dtype, 1, 0, { x: at('x'), out: at('xT'), outer: 1, a: n, b: d });
  matmul(call, dtype, at('w'), d, 1, at('xT'), at('g'), V, n, d, false);
  if (call.bias) matmul(call, dtype, at('bias'), 1, 1, at('ones'), at('g'), V, n, 1, true);
  callKernel(caller, 'swapLastTwoDims', dtype, 1, 0, { x: at('g'), out: at('logits'), outer: 1, a: V, b: n });
  const logits = { address: at('logits'), rowBytes: V * eb };
  callKernel(caller, 'crossEntropyIndex', dtype, n, V, {
    x: logits,
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
    lseOut: 0,
    grad: withGrad ? { address: at('g'), rowBytes: V * eb } : 0,
    gradScale: call.gradScale,
    gradOutput: call.gradOutput ? row('gradOutput') : 0,
  });
  if (!withGrad) return undefined;
  matmul(call, dtype, at('g'), V, 1, at('w'), at('gradInput'), n, d, V, false);
  matmul(call, dtype, at('g'), 1, V, at('x'), at('gradWeight'), V, d, n, !chunk.first || call.accumulate);
  if (call.bias) {
    const add = !chunk.first || call.accumulate;
    callKernel(caller, 'columnSums', dtype, n, V, { g: at('g'), n: V, c: at('gradBias'), accumulate: add ? 1 : 0 });
  }
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
