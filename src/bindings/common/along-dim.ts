// The shared plumbing of the functions that work along one dim (softmax, logSoftmax, logSumExp):
// the input is seen as (outer, size, inner); when inner > 1 the dim is first swapped to the end so
// that the kernels always see contiguous rows of `size` elements.
import type { FloatArray, Tensor } from '../../types.js';
import { checkFloatTensor, normalizeDim, product } from './validate.js';
import { type ParallelKernel, type ParallelKernels, runRows } from './threads.js';
import { type WasmExports, wasm } from './wasm.js';
import { allocate, arrayTypeOf, chunkRanges, dtypeOf, floatView, overlaps, residentAddress, stable } from './workspace.js';

export interface DimLayout {
  shape: number[];
  dim: number;
  outer: number;
  size: number;
  inner: number;
}

/** Checks input and dim and splits the shape around dim (a 0-dim input is one element along dim 0). */
export function layoutAlongDim(caller: string, input: unknown, dim: unknown): DimLayout & { data: FloatArray } {
  const { data, shape } = checkFloatTensor(caller, 'input', input);
  const d = normalizeDim(caller, dim, shape.length);
  const dims = shape.length === 0 ? [1] : shape;
  return { data, shape, dim: d, outer: product(dims.slice(0, d)), size: dims[d], inner: product(dims.slice(d + 1)) };
}

type RowKernelName = 'softmax' | 'logSoftmax' | 'logSumExp' | 'entropy';

/**
 * Copies data into WebAssembly memory, runs a row kernel along the layout's dim and returns its
 * output: one value per row for logSumExp and entropy, else the input's shape. Large inputs go
 * through in chunks of whole outer blocks. Nothing the caller passed is modified.
 */
export function runAlongDim(
  caller: string, name: RowKernelName, layout: DimLayout & { data: FloatArray }, out?: FloatArray,
): FloatArray {
  const kernels: WasmExports = wasm(caller);
  const { data, outer, size, inner } = layout;
  const dtype = dtypeOf(data);
  const Float = arrayTypeOf(dtype);
  const perRow = name === 'logSumExp' || name === 'entropy';
  if (out && !perRow && inner === 1 && runResident(kernels, name, data, out, outer, size)) return out;
  const result = out ?? new Float(perRow ? outer * inner : data.length);
  if (result.length === 0) return result;
  const live = stable(kernels, result);
  const bytes = Float.BYTES_PER_ELEMENT;
  const swapped = inner > 1;
  const block = size * inner; // elements of one outer block
  const swap = dtype === 'f64' ? kernels.swapLastTwoDimsF64 : kernels.swapLastTwoDimsF32;
  const source = stable(kernels, data);
  const kernel: ParallelKernel = `${name}${dtype === 'f64' ? 'F64' : 'F32'}`;
  const parallel = kernels as unknown as ParallelKernels;
  const run = (at: number, rows: number, out: number, outRowBytes: number) =>
    runRows(parallel, kernel, rows, size, (a, b) => [at + a * size * bytes, b - a, size, out + a * outRowBytes]);
  const bytesPerBlock = (block * (swapped ? 2 : 1) + (perRow ? inner : 0)) * bytes;
  for (const [start, end] of chunkRanges(caller, outer, bytesPerBlock, 64)) {
    const blocks = end - start;
    const n = blocks * block;
    const rows = blocks * inner;
    const [input, rowMajor, rowOut] = allocate(kernels, caller, [n * bytes, swapped ? n * bytes : 0, perRow ? rows * bytes : 0]);
    floatView(kernels, dtype, input, n).set(source().subarray(start * block, end * block));
    const rowsAt = swapped ? rowMajor : input;
    if (swapped) swap(input, rowMajor, blocks, size, inner);
    if (perRow) {
      run(rowsAt, rows, rowOut, bytes);
      live().set(floatView(kernels, dtype, rowOut, rows), start * inner);
      continue;
    }
    run(rowsAt, rows, rowsAt, size * bytes);
    if (swapped) swap(rowMajor, input, blocks, inner, size);
    live().set(floatView(kernels, dtype, input, n), start * block);
  }
  return live();
}

/**
 * Zero copy: where input and `out` both live in WebAssembly memory (the same array, for in place, or
 * arrays that do not overlap) and rows are contiguous, the kernel reads and writes them where they are.
 */
function runResident(kernels: WasmExports, name: RowKernelName, data: FloatArray, out: FloatArray, rows: number, size: number): boolean {
  const inputAt = residentAddress(kernels, data);
  const outAt = residentAddress(kernels, out);
  const inPlace = inputAt === outAt && data.length === out.length;
  if (inputAt === undefined || outAt === undefined || (!inPlace && overlaps(data, out))) return false;
  const bytes = data.BYTES_PER_ELEMENT;
  const kernel = `${name}${data instanceof Float64Array ? 'F64' : 'F32'}` as ParallelKernel;
  runRows(kernels as unknown as ParallelKernels, kernel, rows, size, (a, b) => [inputAt + a * size * bytes, b - a, size, outAt + a * size * bytes]);
  return true;
}

/** The tensor a dim function returns. */
export const tensorOf = <T extends FloatArray>(data: FloatArray, shape: readonly number[]): Tensor<T> => ({
  data: data as T,
  shape,
});

/** Runs an elementwise kernel (sigmoid, logSigmoid) over a float tensor of any shape, in chunks. */
export function runElementwise<T extends FloatArray>(caller: string, name: 'sigmoid' | 'logSigmoid', input: unknown): Tensor<T> {
  const kernels = wasm(caller);
  const { data, shape, size } = checkFloatTensor(caller, 'input', input);
  const dtype = dtypeOf(data);
  const result = new (arrayTypeOf(dtype))(size);
  const kernel = kernels[`${name}${dtype === 'f64' ? 'F64' : 'F32'}`];
  const source = stable(kernels, data);
  for (const [start, end] of chunkRanges(caller, size, result.BYTES_PER_ELEMENT)) {
    const [x] = allocate(kernels, caller, [(end - start) * result.BYTES_PER_ELEMENT]);
    floatView(kernels, dtype, x, end - start).set(source().subarray(start, end));
    kernel(x, end - start, x);
    result.set(floatView(kernels, dtype, x, end - start), start);
  }
  return tensorOf<T>(result, shape);
}
