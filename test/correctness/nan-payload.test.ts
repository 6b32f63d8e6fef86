// NaNs with payloads: every function of the catalogue gives the same results, NaN where NaN and every other value bit
// for bit, whether its arguments' NaNs are JavaScript's own or carry payloads (a quiet NaN with low bits set, a
// negative one, a signalling one), as data from other code may (a Uint32Array view, a native library). A fast exp once
// turned such a NaN into a number, and the loss came out finite.
import { describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import * as library from '../../src/index.js';
import { onBothBuilds } from '../helpers/builds.js';
import { CATALOGUE, type Call, callsOf, type Float, numbersIn, randomValues } from '../helpers/catalogue.js';

const F32_PAYLOADS = [0x7fc00001, 0xffc001ff, 0x7f800001, 0x7fc00100];
const F64_PAYLOADS = [0x7ff8000000000001n, 0xfff80000000001ffn, 0x7ff0000000000001n, 0x7ff8000000000100n];
// short rows (one per lane), rows through the vector loops, and rows of more than one block of 1024
const SHAPES = [
  [3, 7],
  [2, 100],
  [2, 1100],
] as const;

const exported = new Map<string, unknown>(Object.entries(library));
/** The call's numbers, or its error's message (a probability that is NaN is refused alike). */
function run(c: Call): Float64Array | string {
  try {
    return numbersIn(
      (exported.get(c.name) as (...a: unknown[]) => unknown)(...c.args, ...(c.options ? [c.options] : [])),
    );
  } catch (error) {
    return String(error);
  }
}

/** Plants NaNs in each float tensor argument's values (every 13th from the 5th, in its first half, so that a row
 * stays whole): JavaScript's own, or NaNs whose bits are payload `p` of the list. */
function plantNaNs(c: Call, p?: number): Call {
  for (const arg of c.args) {
    const data = (arg as { data?: unknown } | null)?.data;
    if (!(data instanceof Float32Array || data instanceof Float64Array)) continue;
    const bits =
      data instanceof Float32Array
        ? new Uint32Array(data.buffer, data.byteOffset, data.length)
        : new BigUint64Array(data.buffer, data.byteOffset, data.length);
    for (let i = 5; i < data.length / 2; i += 13) {
      if (p === undefined) data[i] = Number.NaN;
      else if (bits instanceof Uint32Array) bits[i] = F32_PAYLOADS[p];
      else bits[i] = F64_PAYLOADS[p];
    }
  }
  return c;
}

/** The calls of every entry for one dtype and shape, made afresh (the same values each time). */
const callsFor = (Float: Float, shape: readonly number[]) =>
  CATALOGUE.filter((e) => e.family !== 'memory').flatMap((entry) =>
    callsOf(entry, Float, shape, randomValues(makeRandom(shape[1] * 31 + shape[0]).next)),
  );

/** Where two results differ: an index whose values are not both NaN and not the same bits, or the lengths. */
function difference(a: Float64Array | string, b: Float64Array | string): string | undefined {
  if (typeof a === 'string' || typeof b === 'string') return a === b ? undefined : `${a} and ${b}`;
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  const i = a.findIndex((v, j) => !(Object.is(v, b[j]) || (Number.isNaN(v) && Number.isNaN(b[j]))));
  return i < 0 ? undefined : `value ${i}: ${a[i]} with JavaScript's NaNs, ${b[i]} with payloads`;
}

describe('NaNs with payloads give the results of JavaScript NaNs', () => {
  for (const Float of [Float32Array, Float64Array]) {
    it(`${Float.name}: every function and variant, on the SIMD and the scalar builds`, async () => {
      const failures: string[] = [];
      let planted = 0;
      const { simd, scalar } = await onBothBuilds(() =>
        SHAPES.flatMap((shape) => {
          const plain = callsFor(Float, shape).map((c) => run(plantNaNs(c)));
          return F32_PAYLOADS.flatMap((_, p) =>
            callsFor(Float, shape).map((c, i) => ({
              label: `${c.label}, payload ${p}`,
              plain: plain[i],
              payload: run(plantNaNs(c, p)),
            })),
          );
        }),
      );
      for (const [build, list] of Object.entries({ simd, scalar })) {
        for (const { label, plain, payload } of list) {
          planted += typeof plain !== 'string' && plain.some(Number.isNaN) ? 1 : 0;
          const why = difference(plain, payload);
          if (why) failures.push(`${build}: ${label}: ${why}`);
        }
      }
      expect(failures.slice(0, 20)).toEqual([]);
      expect(planted).toBeGreaterThan(100); // the NaNs reached the results: the calls read the planted input
    }, 120_000);
  }
});
