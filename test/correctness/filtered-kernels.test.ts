// The filtered backward's kernels (assembly/kernels/filtered-backward.ts) called directly: the SIMD build held to
// the scalar build bit for bit, and both to a plain reference, at lengths around the vector widths and on adversarial
// values (±inf, NaN, ±1e38, subnormals, a target in every lane, ignored rows, a softcap).
import { afterAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import { wasm } from '../../src/core/instance.js';
import type { Dtype, KernelName } from '../../src/core/kernels.js';
import { callKernel } from '../../src/core/pipeline/index.js';
import { init } from '../../src/index.js';
import { assertUlpClose } from '../helpers/assert-close.js';
import { onBothBuilds } from '../helpers/builds.js';

afterAll(() => init());
const COLS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000];
type Float = Float32ArrayConstructor | Float64ArrayConstructor;
const filled = (Float: Float, n: number, f: (_: unknown, i: number) => number) =>
  Float.from(Array.from({ length: n }, f));

/** Places arrays in WebAssembly memory (one scratch block), runs `kernel`, and reads back `read` of them. */
function runKernel(
  dtype: Dtype,
  kernel: KernelName,
  rows: number,
  arrays: Record<string, Float32Array | Float64Array | Int32Array>,
  args: (address: Record<string, number>) => Record<string, number | { address: number; rowBytes: number }>,
  read: string[],
) {
  const kernels = wasm('test');
  const padded = (bytes: number) => Math.ceil(bytes / 16) * 16 + 16;
  const total = Object.values(arrays).reduce((sum, a) => sum + padded(a.byteLength), 0);
  let at = kernels.scratch(total) >>> 0;
  const address: Record<string, number> = {};
  for (const [name, a] of Object.entries(arrays)) {
    address[name] = at;
    new Uint8Array(kernels.memory.buffer, at, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    at += padded(a.byteLength);
  }
  callKernel('test', kernel, dtype, rows, 1, args(address));
  return read.map((name) => {
    const a = arrays[name];
    const Type = a.constructor as Float | Int32ArrayConstructor;
    return Array.from(new Type(kernels.memory.buffer, address[name], a.length));
  });
}

/** An adversarial value: mostly small logits, some ±inf, NaN, ±1e38, subnormals. */
function adversary(r: ReturnType<typeof makeRandom>) {
  const u = r.next();
  if (u < 0.03) return Number.POSITIVE_INFINITY;
  if (u < 0.05) return Number.NEGATIVE_INFINITY;
  if (u < 0.07) return Number.NaN;
  if (u < 0.09) return (r.next() < 0.5 ? 1 : -1) * 1e38;
  if (u < 0.11) return 1e-42;
  return 3 * r.normal();
}

describe.each([
  ['f32', Float32Array],
  ['f64', Float64Array],
] as const)('the filtered backward kernels, %s', (dtype, Float) => {
  it('keepLargeRows: the same kept entries on both builds, and those the rule names', async () => {
    const r = makeRandom(dtype === 'f32' ? 41 : 43);
    for (const cols of COLS) {
      for (const softcap of [0, 5]) {
        const rows = 6;
        const x = filled(Float, rows * cols, () => adversary(r));
        const g = filled(Float, rows * cols, (_, i) => (i % 13 === 5 ? adversary(r) : 1e-3 * r.normal()));
        const lse = filled(Float, rows, (_, i) => (i === 4 ? Number.NaN : i === 5 ? 1e38 : 2 + r.normal()));
        const targets = Int32Array.from({ length: rows }, (_, i) => (i === 1 ? -100 : (i * 5) % cols));
        const arrays = { x, g, lse, targets, index: new Int32Array(rows * cols), count: new Int32Array(rows) };
        const logEps = Math.log(0.05);
        const run = () =>
          runKernel(
            dtype,
            'keepLargeRows',
            rows,
            arrays,
            (a) => ({
              x: { address: a.x, rowBytes: cols * Float.BYTES_PER_ELEMENT },
              cols,
              lse: { address: a.lse, rowBytes: Float.BYTES_PER_ELEMENT },
              targets: { address: a.targets, rowBytes: 4 },
              g: { address: a.g, rowBytes: cols * Float.BYTES_PER_ELEMENT },
              index: { address: a.index, rowBytes: cols * 4 },
              count: { address: a.count, rowBytes: 4 },
              logEps,
              softcap,
            }),
            ['x', 'index', 'count'],
          );
        const { simd, scalar } = await onBothBuilds(run);
        expect(simd, `cols ${cols}, softcap ${softcap}`).toEqual(scalar);
        if (softcap > 0) continue; // (the threshold through atanh: the builds agree; the rule is held without a cap)
        const [values, index, count] = simd;
        for (let row = 0; row < rows; row++) {
          const threshold = Float === Float32Array ? Math.fround(lse[row] + logEps) : lse[row] + logEps;
          const expected: number[] = [];
          for (let j = 0; j < cols; j++) {
            const [xj, gj, t] = [x[row * cols + j], g[row * cols + j], targets[row]];
            if (j === t || !(Math.abs(gj) <= Number.POSITIVE_INFINITY) || (t >= 0 && !(xj < threshold)))
              expected.push(j);
          }
          const kept = index.slice(row * cols, row * cols + count[row]);
          expect(kept, `cols ${cols}, row ${row}`).toEqual(expected);
          expect(values.slice(row * cols, row * cols + count[row])).toEqual(expected.map((j) => g[row * cols + j]));
        }
      }
    }
  });

  it('sparseRowProducts, keptByColumn and sparseColumnProducts: both builds alike, and the float64 sums', async () => {
    const r = makeRandom(dtype === 'f32' ? 47 : 53);
    for (const d of [1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 64, 65]) {
      const [rows, cols] = [5, 23];
      const count = Int32Array.from({ length: rows }, (_, i) => [0, 1, 7, 23, 12][i]);
      const index = new Int32Array(rows * cols);
      const values = new Float(rows * cols);
      for (let i = 0; i < rows; i++) {
        const picked = Array.from({ length: cols }, (_, j) => j).filter(() => r.next() < 0.5);
        while (picked.length < count[i]) picked.push(...Array.from({ length: cols }, (_, j) => j));
        const columns = [...new Set(picked)].slice(0, count[i]).sort((a, b) => a - b);
        columns.forEach((c, j) => {
          index[i * cols + j] = c;
          values[i * cols + j] = i === 3 && j === 2 ? 1e37 : r.normal();
        });
      }
      const w = filled(Float, cols * d, () => r.normal());
      const x = filled(Float, rows * d, (_, e) => (e === 3 ? 1e-42 : r.normal()));
      const eb = Float.BYTES_PER_ELEMENT;
      const arrays = {
        values,
        index,
        count,
        w,
        x,
        out: new Float(rows * d),
        start: new Int32Array(cols + 1),
        rowOf: new Int32Array(rows * cols),
        columnValues: new Float(rows * cols),
        gradWeight: filled(Float, cols * d, (_, e) => e % 5),
      };
      const run = (accumulate: number) => {
        const rowArgs = (a: Record<string, number>) => ({
          values: { address: a.values, rowBytes: cols * eb },
          cols,
          index: { address: a.index, rowBytes: cols * 4 },
          count: { address: a.count, rowBytes: 4 },
        });
        const [out] = runKernel(
          dtype,
          'sparseRowProducts',
          rows,
          arrays,
          (a) => ({ ...rowArgs(a), w: a.w, d, out: { address: a.out, rowBytes: d * eb } }),
          ['out'],
        );
        const [start, rowOf, byColumn] = runKernel(
          dtype,
          'keptByColumn',
          rows,
          arrays,
          (a) => ({ ...rowArgs(a), values: a.values, start: a.start, rowOf: a.rowOf, valueOf: a.columnValues }),
          ['start', 'rowOf', 'columnValues'],
        );
        const lists = {
          start: Int32Array.from(start),
          rowOf: Int32Array.from(rowOf),
          columnValues: Float.from(byColumn),
        };
        const [gradWeight] = runKernel(
          dtype,
          'sparseColumnProducts',
          cols,
          { ...arrays, ...lists },
          (a) => ({
            start: a.start,
            rowOf: a.rowOf,
            valueOf: a.columnValues,
            x: a.x,
            d,
            c0: a.gradWeight,
            c: { address: a.gradWeight, rowBytes: d * eb },
            accumulate,
          }),
          ['gradWeight'],
        );
        return { out, start, rowOf, gradWeight };
      };
      for (const accumulate of [0, 1]) {
        const { simd, scalar, fused } = await onBothBuilds(() => run(accumulate));
        // the relaxed build's fused products differ from the scalar build's in their last bits: there only the kept
        // entries' lists must be the same, and both builds' products are held to float64 below
        const alike = (r: typeof simd) => (fused ? { start: r.start, rowOf: r.rowOf } : r);
        expect(alike(simd), `d ${d}, accumulate ${accumulate}`).toEqual(alike(scalar));
        const out = new Float64Array(rows * d);
        const gradWeight = Float64Array.from(arrays.gradWeight, (v) => (accumulate ? v : 0));
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < count[i]; j++) {
            const [c, v] = [index[i * cols + j], values[i * cols + j]];
            for (let k = 0; k < d; k++) {
              out[i * d + k] += v * w[c * d + k];
              gradWeight[c * d + k] += v * x[i * d + k];
            }
          }
        }
        const type = dtype === 'f32' ? 'float32' : 'float64';
        for (const [name, got] of Object.entries({ simd, scalar })) {
          assertUlpClose(got.out, out, 64, type, `${name} gradInput, d ${d}`);
          assertUlpClose(got.gradWeight, gradWeight, 64, type, `${name} gradWeight, d ${d}, accumulate ${accumulate}`);
        }
        // each column's rows ascending, every kept entry once
        expect(simd.start[cols]).toBe(count.reduce((s, n) => s + n, 0));
      }
    }
  });
});
