// The SIMD build held to the scalar build (its plain reference loops) and both to float64, at every
// vector-width boundary (rows of 1 to 17, odd lengths, multiples of 4 and 8 ± 1) and on adversarial rows:
// every function of the catalogue (test/helpers/catalogue.ts) with each of its variants.
import { beforeAll, describe, expect, it } from 'vitest';
import { type RefDistillOptions, refCrossEntropy, refDistill, refLogSoftmaxRows } from '../../reference/index.js';
import { makeRandom } from '../../reference/random.js';
import * as library from '../../src/index.js';
import { crossEntropyWithGrad, init, logSoftmax, logSumExp, softmax, type Tensor } from '../../src/index.js';
import { assertClose, assertUlpClose, type DTypeName, EPS, finiteScale } from '../helpers/assert-close.js';
import { onBothBuilds } from '../helpers/builds.js';
import {
  CATALOGUE,
  type Call,
  callsOf,
  type Entry,
  numbersIn,
  randomValues,
  type Values,
} from '../helpers/catalogue.js';

const LENGTHS = [...Array.from({ length: 17 }, (_, i) => i + 1), 31, 32, 33, 63, 64, 65, 127, 1000, 1025];
const DTYPES: [DTypeName, Float32ArrayConstructor | Float64ArrayConstructor][] = [
  ['float32', Float32Array],
  ['float64', Float64Array],
];

type Adversary = (r: ReturnType<typeof makeRandom>, cols: number, row: number) => number;
// Each input family says why it is there.
const FAMILIES: Record<string, Adversary> = {
  // plain logits
  normal: (r) => 3 * r.normal(),
  // exp(x) overflows in float32, exp(x − max) does not
  'in [90, 100]': (r) => r.uniform(90, 100),
  // masked classes; the first row is all −inf (NaN in PyTorch), the others keep their last class
  '-inf masks': (r, cols, row) => (row === 0 || (r.next() < 0.4 && cols > 1) ? -Infinity : r.normal()),
  // x − max overflows to −inf in float32
  '±1e38': (r) => (r.next() < 0.5 ? 1e38 : -1e38) * r.uniform(0.5, 3),
  // +inf and NaN poison their row
  'inf and NaN': (r, _cols, row) =>
    row === 1 && r.next() < 0.3 ? Infinity : row === 2 && r.next() < 0.3 ? NaN : r.normal(),
  // softmax → 1 at one place: cancellation in p − 1
  'one huge logit': (_r, _cols, row) => (row === 0 ? 40 : 1e-3 * row),
};

const LENGTH_LIST = `${LENGTHS.slice(0, 5).join(', ')}, …, ${LENGTHS.at(-1)}`;
const ROWS = 3;

// probabilities with exact 0 and 1 sprinkled in (the −100 clamp and the ε of the BCE gradient)
const probability = (r: ReturnType<typeof makeRandom>) => {
  const u = r.next();
  return u < 0.1 ? 0 : u < 0.2 ? 1 : r.next();
};

const exported = new Map<string, unknown>(Object.entries(library));
const call = (c: Call, options = c.options) =>
  (exported.get(c.name) as (...a: unknown[]) => unknown)(...c.args, ...(options ? [options] : []));
/** A result's outputs by name ('' for a bare number or tensor): numbers, or the values of tensors. */
const outputsOf = (result: unknown): Record<string, number | Float64Array> =>
  typeof result === 'number' || (result as Tensor).shape
    ? { '': typeof result === 'number' ? result : numbersIn(result) }
    : Object.fromEntries(
        Object.entries(result as object).map(([k, v]) => [k, typeof v === 'number' ? v : numbersIn(v)]),
      );
const SMALLEST = { float32: 2 ** -149, float64: 2 ** -1074 };

/**
 * The magnitude the builds' rounding is relative to, for an output beyond its own largest value:
 * - a reduced loss: its terms' Σ|t| over the divisor (the sum's condition), from the same call with reduction 'none';
 * - the fused linear path: the logits' Σ|x||w| (the two builds' matmuls sum in different orders), times the
 *   largest factor the gradients carry; for a perplexity, that Σ times the perplexity;
 * - a log-probability or entropy from logits: 1, the scale of log Σ exp (Σ ≥ 1 after the max shift), whose rounding
 *   it carries however small it is.
 */
function conditionScale(entry: Entry, c: Call, name: string, value: number | Float64Array): number {
  if (entry.family === 'scoring') return 1;
  if (entry.family === 'linear') {
    const [x, w] = c.args as Tensor[];
    const d = x.shape[x.shape.length - 1];
    let logits = 0;
    for (let r = 0; r * d < x.data.length; r++)
      logits = Math.max(logits, finiteScale(x.data.subarray(r * d, (r + 1) * d)) * d);
    const o = (c.options ?? {}) as { gradOutput?: Tensor | number; linearBias?: ArrayLike<number> };
    // a perplexity, exp of a mean loss, carries the loss's absolute rounding (the logits') as a relative one
    if (/perplexity/i.test(name || String(entry.name))) {
      const values = typeof value === 'number' ? [value] : value;
      return finiteScale(values) * (logits * finiteScale(w.data) + finiteScale(o.linearBias ?? []));
    }
    const g =
      typeof o.gradOutput === 'number' ? Math.abs(o.gradOutput) : o.gradOutput ? finiteScale(o.gradOutput.data) : 1;
    return (
      (logits * finiteScale(w.data) + finiteScale(o.linearBias ?? [])) *
      Math.max(1, finiteScale(w.data), finiteScale(x.data)) *
      Math.max(g, 1) *
      x.shape[0]
    );
  }
  if (entry.family === 'distill' && name === 'grad') return distillGradScale(entry, c);
  // a hard loss beside the divergence has no 'none' to weigh its terms by: the logits' O(1) scale
  if (entry.family === 'distill' && (c.options as { weightHard?: number } | undefined)?.weightHard) return 1;
  const reducedLoss = ['class-loss', 'elementwise-loss', 'distill'].includes(entry.family) && typeof value === 'number';
  if (!reducedLoss || !Number.isFinite(value)) return 0;
  const { gradOutput: _, ...options } = (c.options ?? {}) as Record<string, unknown>;
  const terms = outputsOf(call(c, { ...options, reduction: 'none' }))[name] as Float64Array;
  const [sum, sumAbs] = terms.reduce(([s, a], t) => [s + t, a + Math.abs(t)], [0, 0]);
  if (!Number.isFinite(sumAbs)) return 0;
  return sum !== 0 ? Math.abs((value * sumAbs) / sum) : sumAbs;
}

/** A distillation gradient's condition: u_j − q_j Σ u rounds relative to the row's largest |u| and |Σ u|. */
function distillGradScale(entry: Entry, c: Call): number {
  const [student, teacher] = c.args as Tensor[];
  // a top-k teacher: the builds differ only in the bucket's Σ exp, which moves every log q̂ by its rounding, so the
  // gradient's u_o − q̂_o U by that times terms of the logits' O(1) size (the golden cases hold each build to PyTorch)
  if (!('data' in teacher)) return 1;
  const o = (c.options ?? {}) as Record<string, unknown> & { labels?: ArrayLike<number> };
  const name = String(entry.name);
  const divergence = name.startsWith('jsd') ? 'jsd' : name.startsWith('tvd') ? 'tvd' : (o.direction as 'reverse');
  const kept = o.labels && Array.from(o.labels, (l) => l !== -100);
  const options = { ...o, divergence: divergence ?? 'forward', kept } as RefDistillOptions;
  const g = o.gradOutput as number | Tensor | undefined;
  const upstream = g === undefined ? 1 : typeof g === 'number' ? g : g.data;
  return refDistill(student.data, teacher.data, student.shape.at(-1) ?? 1, options, upstream).gradScale;
}

/** SIMD against scalar for each output: 8 ulps of its scale, √(n/64) times more for rows of n > 64 (a sum's
 * rounding grows with its length), and at least 8 of the dtype's smallest subnormals. */
function holdTogether(entry: Entry, c: Call, simd: unknown, scalar: unknown, dtype: DTypeName, where: string) {
  const [a, b] = [outputsOf(simd), outputsOf(scalar)];
  const n = (c.args[0] as Tensor).shape.at(-1) ?? 1;
  const ulps = 8 * Math.max(1, Math.sqrt(n / 64));
  for (const [name, expected] of Object.entries(b)) {
    const values = typeof expected === 'number' ? [expected] : expected;
    const scale = Math.max(finiteScale(values), conditionScale(entry, c, name, expected));
    const tol = ulps * EPS[dtype];
    assertClose(typeof a[name] === 'number' ? [a[name] as number] : (a[name] as Float64Array), values, {
      bound: (e) => tol * (Math.abs(e) + scale) + 8 * SMALLEST[dtype],
      label: `${c.label} ${name || 'result'} ${JSON.stringify(c.options)}: ${where}`,
    });
  }
}

// Every public function of the catalogue, with each of its variants, on inputs of each family and every
// length: the two builds agree within 8 ulps (NaN meets NaN, ±inf the same ±inf).
describe.each(DTYPES)('SIMD build against scalar build, %s', (dtype, Float) => {
  beforeAll(() => init());
  const entries = CATALOGUE.filter((e) => e.family !== 'memory' && e.family !== 'divisor');

  for (const entry of entries) {
    const title = `${entry.name}${entry.form ? ` (${entry.form})` : ''}`;
    it(`${title}: every input family and variant at lengths ${LENGTH_LIST}`, async () => {
      for (const [family, value] of Object.entries(FAMILIES)) {
        for (const cols of LENGTHS) {
          const seed = cols * 7919 + family.length;
          const r = makeRandom(seed);
          const values: Values = {
            ...randomValues(r.next),
            reals: (n) => Array.from({ length: n }, (_, i) => value(r, cols, Math.floor(i / cols))),
            probabilities: (n) => Array.from({ length: n }, () => probability(r)),
          };
          const calls = callsOf(entry, Float, [ROWS, cols], values);
          const { simd, scalar, fused } = await onBothBuilds(() => calls.map((c) => call(c)));
          // a fused product of two values near 1e38 overflows only as it is rounded with its sum, so an infinite
          // partial sum stays infinite where the scalar build's inf − inf is NaN: the relaxed build's matmul there
          // is neither's to match
          if (fused && family === '±1e38' && String(entry.name).startsWith('linear')) continue;
          // (the condition scales come from the scalar build, which is loaded last)
          for (const [k, c] of calls.entries())
            holdTogether(entry, c, simd[k], scalar[k], dtype, `${family}, seed ${seed}`);
        }
      }
    });
  }
});

describe.each(DTYPES)('both builds against float64, %s', (dtype, Float) => {
  beforeAll(() => init());

  it(`log-softmax and cross-entropy with weight and label smoothing at lengths ${LENGTH_LIST}`, async () => {
    for (const cols of LENGTHS) {
      const seed = cols * 7919 + 6;
      const r = makeRandom(seed);
      const data = Float.from(Array.from({ length: ROWS * cols }, () => 3 * r.normal()));
      const input: Tensor = { data, shape: [ROWS, cols] };
      const target = Int32Array.from({ length: ROWS }, () => r.int(cols));
      const weight = Float.from(Array.from({ length: cols }, () => r.uniform(0.5, 2)));
      const options = { reduction: 'none', weight, labelSmoothing: 0.1 } as const;
      const label = `C = ${cols}, ${dtype}, seed ${seed}`;
      const { simd, scalar } = await onBothBuilds(() => ({
        logSoftmax: logSoftmax(input).data,
        ce: crossEntropyWithGrad(input, target, options),
      }));
      const refLog = refLogSoftmaxRows(data, ROWS, cols);
      const ref = refCrossEntropy(data, [ROWS, cols], target, false, options);
      for (const [build, out] of Object.entries({ simd, scalar })) {
        assertUlpClose(out.logSoftmax, refLog, 16, dtype, `${build} logSoftmax vs float64: ${label}`);
        assertUlpClose(
          (out.ce.loss as Tensor).data,
          ref.loss as Float64Array,
          16,
          dtype,
          `${build} CE vs float64: ${label}`,
        );
        assertUlpClose(out.ce.grad.data, ref.grad, 16, dtype, `${build} CE grad vs float64: ${label}`);
      }
    }
  });

  it('the max is found at every position of the row (vector body, one-vector loop and tail)', async () => {
    for (const cols of LENGTHS.filter((n) => n <= 130)) {
      // Row p holds 1000 at position p and 0 elsewhere: a missed max makes exp(1000) overflow.
      const data = Float.from(
        Array.from({ length: cols * cols }, (_, i) => (Math.floor(i / cols) === i % cols ? 1000 : 0)),
      );
      const input = { data, shape: [cols, cols] };
      const { simd, scalar } = await onBothBuilds(() => ({
        logSumExp: Array.from(logSumExp(input).data),
        softmax: softmax(input).data,
        loss: crossEntropyWithGrad(
          input,
          Int32Array.from({ length: cols }, (_, p) => p),
          { reduction: 'sum' },
        ).loss,
      }));
      for (const out of [simd, scalar]) {
        expect(out.logSumExp).toEqual(Array(cols).fill(1000));
        for (let p = 0; p < cols; p++) expect(out.softmax[p * cols + p]).toBe(1);
        expect(out.loss).toBe(0);
      }
    }
  });

  it('C = 1: log-softmax is 0, softmax is 1, the loss and gradient are 0', async () => {
    const input = { data: Float.from([3, -1e38, 7.5]), shape: [3, 1] };
    const { simd, scalar } = await onBothBuilds(() => ({
      softmax: Array.from(softmax(input).data),
      logSoftmax: Array.from(logSoftmax(input).data),
      ce: crossEntropyWithGrad(input, [0, 0, 0], { reduction: 'sum' }),
    }));
    for (const out of [simd, scalar]) {
      expect(out.softmax).toEqual([1, 1, 1]);
      expect(out.logSoftmax).toEqual([0, 0, 0]);
      expect(out.ce.loss).toBe(0);
      expect(Array.from(out.ce.grad.data)).toEqual([0, 0, 0]);
    }
  });
});
