// Each row of a batch gives, bit for bit, what that row gives alone. The row kernels take the next row's max while
// the current row's exps compute (one read of memory fewer per row); a row alone has no next row, so any mix-up
// of rows, ignored rows or special values in that hand-over shows here.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  crossEntropy,
  crossEntropyWithGrad,
  init,
  logSoftmax,
  logSumExp,
  softmax,
  type Tensor,
} from '../../src/index.js';

const RUNS = Number(process.env.XENTROPY_PROPERTY_RUNS ?? 100);
const SPECIALS = [Infinity, -Infinity, Number.NaN, -0, 1e38, -1e38, 1e-45];

type Float = Float32ArrayConstructor | Float64ArrayConstructor;

/** The outputs of every row kernel for logits [rows, classes] and class targets (−100: ignored). */
function outputs(logits: Tensor, targets: Int32Array, probabilities: Tensor): ArrayLike<number>[] {
  const options = { reduction: 'none' as const, ignoreIndex: -100 };
  return [
    softmax(logits).data,
    logSoftmax(logits).data,
    logSumExp(logits).data,
    crossEntropy(logits, targets, options).data,
    crossEntropyWithGrad(logits, targets, { ...options, reduction: 'sum' }).grad.data,
    crossEntropyWithGrad(logits, targets, { reduction: 'sum', labelSmoothing: 0.1 }).grad.data,
    crossEntropy(logits, probabilities, { reduction: 'none' }).data,
    crossEntropyWithGrad(logits, probabilities, { reduction: 'sum' }).grad.data,
  ];
}

const batches = fc
  .record({
    rows: fc.integer({ min: 2, max: 6 }),
    classes: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constantFrom(31, 64, 65, 1000, 1031)),
    seed: fc.integer(),
    special: fc.constantFrom(0, 0.02, 0.3),
  })
  .map(({ rows, classes, seed, special }) => {
    let state = seed >>> 0;
    const next = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const values = Array.from({ length: rows * classes }, () =>
      next() < special ? SPECIALS[Math.floor(next() * SPECIALS.length)] : (next() - 0.5) * 30,
    );
    const targets = Int32Array.from({ length: rows }, () => (next() < 0.25 ? -100 : Math.floor(next() * classes)));
    const probabilities = Array.from({ length: rows * classes }, () => next());
    return { rows, classes, values, targets, probabilities };
  });

describe.each([
  ['SIMD', true],
  ['scalar', false],
])('a batch row by row, %s build', (_, simd) => {
  it.each([
    ['float32', Float32Array],
    ['float64', Float64Array],
  ] as [string, Float][])('%s: each row as it is alone, bit for bit', async (_name, Type) => {
    await init({ simd, threads: 1, warnings: false });
    fc.assert(
      fc.property(batches, ({ rows, classes, values, targets, probabilities }) => {
        const shape = [rows, classes];
        const batch = outputs({ data: Type.from(values), shape }, targets, { data: Type.from(probabilities), shape });
        for (let r = 0; r < rows; r++) {
          const row = (xs: number[]) => Type.from(xs.slice(r * classes, (r + 1) * classes));
          const alone = outputs({ data: row(values), shape: [1, classes] }, targets.subarray(r, r + 1), {
            data: row(probabilities),
            shape: [1, classes],
          });
          alone.forEach((expected, k) => {
            const perRow = expected.length === 1 ? 1 : classes;
            const got = Array.from(batch[k]).slice(r * perRow, (r + 1) * perRow);
            const differ = got.findIndex((v, j) => !Object.is(v, expected[j]));
            expect(
              differ,
              `output ${k}, row ${r} of [${rows}, ${classes}]: ${got[differ]} vs ${expected[differ]}`,
            ).toBe(-1);
          });
        }
      }),
      { numRuns: RUNS },
    );
  });
});

// In the relaxed-SIMD build a row within 86 of its max takes its exps without the clamp, its bound read by the pass
// before it or with its own max: rows at that bound, past it and far below it, on each Node that runs that build
// (test/runtimes/rows-relaxed.mjs).
const script = fileURLToPath(new URL('../runtimes/rows-relaxed.mjs', import.meta.url));
const node = (major: number) =>
  fileURLToPath(new URL(`../../runtimes/node_modules/node${major}/bin/node`, import.meta.url));
describe('a batch row by row, relaxed-SIMD build', () => {
  for (const major of [22, 24, 26]) {
    it.runIf(existsSync(node(major)))(`Node ${major}: rows at the clamp's bound, as each row alone`, () => {
      const result = spawnSync(node(major), [script], { encoding: 'utf8', timeout: 120_000 });
      expect(result.status, result.stderr).toBe(0);
      const { build, batches, differences } = JSON.parse(result.stdout);
      expect([build, batches, differences]).toEqual(['relaxed-simd', 75, []]);
    });
  }
});
