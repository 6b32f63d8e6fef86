// The fused linear + cross-entropy (F.linear then F.cross_entropy) chunk by chunk of rows, never holding the
// [N, V] logits: per chunk, logitsᵀ = W · X_chunkᵀ (matmul), moved to rows, the bias added, the cross-entropy
// kernel (loss, and the logits' gradient G in place of logitsᵀ), then gradInput_chunk = G · W and
// gradWeight += Gᵀ · X_chunk (matmul, A read transposed) and gradBias += column sums of G.
// WebAssembly memory for a call: W and X (and their gradients), 2 · chunk · V for the chunk's logits and G.
import type { FloatArray } from '../types.js';
import { exportName, KERNELS, positional } from './kernels.js';
import { wasm } from './runtime.js';
import { runRows } from './threads.js';
import { callAllocator, insideLiveTensor } from './wasm-tensor.js';

/** What a call asks, checked by the binding. */
export interface LinearCall {
  caller: string;
  input: FloatArray;
  /** Rows of input and their width. */
  rows: number;
  width: number;
  linearWeight: FloatArray;
  vocab: number;
  bias?: FloatArray;
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
  withBias: boolean;
  chunkRows: number;
  /** gradWeight's starting value (accumulate) or undefined (zeros). */
  gradWeightInitial?: FloatArray;
}

export interface LinearRan {
  /** Per-row loss (and z-loss) of every row. */
  loss: FloatArray;
  zLoss: FloatArray;
  gradInput?: FloatArray;
  gradWeight?: FloatArray;
  gradBias?: FloatArray;
}

/** Rows of the matrix multiply's register tile: threads share a product's rows in multiples of it. */
const MATMUL_TILE_ROWS = 4;
const CE_ARGS = Object.keys(KERNELS.crossEntropyIndex.args);

/** The most WebAssembly memory a call may take: wasm32 addresses 4 GiB, less a margin for static data. */
export const MAX_LINEAR_BYTES = 2 ** 32 - 2 ** 20;
const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/** The call's arrays in WebAssembly memory, in order, with their bytes (a gradient's only with `grad`). */
function layout(rows: number, width: number, vocab: number, chunkRows: number, eb: number, grad: boolean) {
  return {
    w: vocab * width * eb,
    x: rows * width * eb,
    bias: vocab * eb,
    classWeight: vocab * eb,
    targets: rows * 4,
    gradOutput: rows * eb,
    lossOut: rows * eb,
    zLossOut: rows * eb,
    xChunkT: chunkRows * width * eb,
    logits: chunkRows * vocab * eb,
    scratchRows: chunkRows * vocab * eb, // logitsᵀ, then the logits' gradient
    gradX: grad ? rows * width * eb : 0,
    gradW: grad ? vocab * width * eb : 0,
    gradB: grad ? vocab * eb : 0,
  };
}

/** Bytes of WebAssembly memory a call with these sizes takes: O(chunk · V + V · d + N · d). */
export function linearBytes(rows: number, width: number, vocab: number, chunkRows: number, eb: number, grad: boolean) {
  return Object.values(layout(rows, width, vocab, chunkRows, eb, grad)).reduce((t, b) => t + align16(b), 0);
}

export function runLinear(call: LinearCall): LinearRan {
  const { caller, rows, width, vocab, chunkRows, withGrad } = call;
  const kernels = wasm(caller);
  const f64 = call.input instanceof Float64Array;
  const dtype = f64 ? 'f64' : 'f32';
  const Float = f64 ? Float64Array : Float32Array;
  const eb = Float.BYTES_PER_ELEMENT;
  const total = linearBytes(rows, width, vocab, chunkRows, eb, withGrad); // within wasm32: checked by the caller
  // arrays that are views of WebAssembly memory (allocTensor) must be live, and are viewed afresh after the
  // allocation below, which may grow (and so detach) the memory
  const before = kernels.memory.buffer;
  const arrays = {
    input: call.input,
    linearWeight: call.linearWeight,
    linearBias: call.bias,
    weight: call.classWeight,
    gradOutput: call.gradOutput,
    gradWeightOut: call.gradWeightInitial,
  };
  for (const [label, a] of Object.entries(arrays)) {
    if (a && a.buffer === before && !insideLiveTensor(kernels, a.byteOffset, a.byteLength)) {
      throw new TypeError(`${caller}: ${label} is a view of WebAssembly memory that no live allocTensor tensor holds`);
    }
  }
  const base = callAllocator(() => kernels.scratch(total));
  if (base === 0) {
    throw new RangeError(
      `${caller}: the call needs ${total} bytes of WebAssembly memory, more than the engine can give`,
    );
  }
  let at = base;
  const address = {} as Record<keyof ReturnType<typeof layout>, number>;
  for (const [name, bytes] of Object.entries(layout(rows, width, vocab, chunkRows, eb, withGrad))) {
    address[name as keyof typeof address] = at;
    at += align16(bytes);
  }
  const { w, x, bias, classWeight, targets, gradOutput, lossOut, zLossOut, xChunkT, logits, scratchRows } = address;
  const [gradX, gradW, gradB] = [address.gradX, address.gradW, address.gradB];
  const heap = new Float(kernels.memory.buffer);
  const ints = new Int32Array(kernels.memory.buffer);
  const live = (a: FloatArray) => (a.buffer === before ? new Float(heap.buffer, a.byteOffset, a.length) : a);
  heap.set(live(call.linearWeight), w / eb);
  heap.set(live(call.input), x / eb);
  if (call.bias) heap.set(live(call.bias), bias / eb);
  if (call.classWeight) heap.set(live(call.classWeight), classWeight / eb);
  if (call.gradOutput) heap.set(live(call.gradOutput), gradOutput / eb);
  ints.set(call.targets, targets / 4);
  if (withGrad && call.gradWeightInitial) heap.set(live(call.gradWeightInitial), gradW / eb);

  const k = (name: 'matmul' | 'columnSums' | 'swapLastTwoDims' | 'crossEntropyIndex') =>
    kernels[exportName(name, dtype)];
  /**
   * C[m × n] (+)= A(m × k) · B[k × n], A(i, p) at a + (i · rowStride + p · innerStride) elements: its rows
   * shared among threads in whole tiles, so each element sums in the same order whatever the thread count.
   */
  const matmul = (
    a: number,
    rowStride: number,
    innerStride: number,
    b: number,
    c: number,
    m: number,
    n: number,
    kk: number,
    accumulate: number,
  ) =>
    runRows(
      caller,
      kernels,
      exportName('matmul', dtype),
      m,
      n * kk,
      (start, end) => [
        a + start * rowStride * eb,
        rowStride,
        innerStride,
        b,
        c + start * n * eb,
        end - start,
        n,
        kk,
        accumulate,
      ],
      MATMUL_TILE_ROWS,
    );
  for (let start = 0; start < rows; start += chunkRows) {
    const n = Math.min(chunkRows, rows - start);
    const xRows = x + start * width * eb;
    // logitsᵀ [V × n] = W · X_chunkᵀ, then moved to rows [n × V], the bias added
    k('swapLastTwoDims')(xRows, xChunkT, 1, n, width);
    matmul(w, width, 1, xChunkT, scratchRows, vocab, n, width, 0);
    k('swapLastTwoDims')(scratchRows, logits, 1, vocab, n);
    if (call.bias) {
      for (let r = 0; r < n; r++) {
        const row = logits / eb + r * vocab;
        for (let j = 0, b = bias / eb; j < vocab; j++) heap[row + j] += heap[b + j];
      }
    }
    const args = positional('crossEntropyIndex', (name) => {
      const values: Record<string, number> = {
        x: logits,
        rows: n,
        cols: vocab,
        targets: targets + start * 4,
        weight: call.classWeight ? classWeight : 0,
        smoothing: call.smoothing,
        softcap: call.softcap,
        zScale: call.zScale,
        zGrad: call.zGrad,
        lseIn: 0,
        vocabStart: 0,
        vocabSize: vocab,
        safe: 0,
        lossOut: lossOut + start * eb,
        zLossOut: zLossOut + start * eb,
        lseOut: 0,
        grad: withGrad ? scratchRows : 0,
        gradScale: call.gradScale,
        gradOutput: call.gradOutput ? gradOutput + start * eb : 0,
      };
      return values[name];
    });
    runRows(caller, kernels, exportName('crossEntropyIndex', dtype), n, vocab, (a, b) =>
      args.map((value, i) => {
        const name = CE_ARGS[i];
        if (name === 'rows') return b - a;
        const perRow = { x: vocab, targets: 1, lossOut: 1, zLossOut: 1, grad: vocab, gradOutput: 1 }[name as string];
        const bytes = name === 'targets' ? 4 : eb;
        return perRow !== undefined && value !== 0 ? value + a * perRow * bytes : value;
      }),
    );
    if (!withGrad) continue;
    // gradInput_chunk = G · W; gradWeight (+)= Gᵀ · X_chunk; gradBias (+)= Σ rows of G
    matmul(scratchRows, vocab, 1, w, gradX + start * width * eb, n, width, vocab, 0);
    const first = start === 0 && !call.gradWeightInitial;
    matmul(scratchRows, 1, vocab, xRows, gradW, vocab, width, n, first ? 0 : 1);
    if (call.withBias) k('columnSums')(scratchRows, n, vocab, gradB, start === 0 ? 0 : 1);
  }
  const view = (address: number, length: number) => Float.from(heap.subarray(address / eb, address / eb + length));
  return {
    loss: view(lossOut, rows),
    zLoss: view(zLossOut, rows),
    gradInput: withGrad ? view(gradX, rows * width) : undefined,
    gradWeight: withGrad ? view(gradW, vocab * width) : undefined,
    gradBias: withGrad && call.withBias ? view(gradB, vocab) : undefined,
  };
}
