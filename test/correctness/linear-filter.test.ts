// linearCrossEntropyWithGrad's filterEps (gradient filtering, as Cut Cross-Entropy): the backward products over the
// gradient's entries whose softmax is at least ε (with each row's target, and any non-finite entry), held to a
// float64 reference that drops exactly those entries from the unfused gradient; ε = 0 is the exact path, bit for
// bit; the builds and the threads agree bit for bit; bad values are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import { crossEntropyWithGrad, init, linearCrossEntropy, linearCrossEntropyWithGrad } from '../../src/index.js';
import { assertUlpClose } from '../helpers/assert-close.js';
import { onBothBuilds } from '../helpers/builds.js';

beforeAll(() => init());
afterAll(() => init({ threads: 1 }));

type Float = Float32ArrayConstructor | Float64ArrayConstructor;
type Options = { weight?: number[]; softcap?: number; lseSquareScale?: number; reduction?: 'mean' | 'sum' };

/** A problem: hidden states [N, d], a head [V, d] and bias, targets with ignored rows, peaked logits. */
function problem(Float: Float, seed: number, [N, d, V]: [number, number, number]) {
  const r = makeRandom(seed);
  const values = (n: number, f: () => number) => Float.from(Array.from({ length: n }, f));
  const x = values(N * d, () => r.normal());
  const w = values(V * d, () => (1.2 * r.normal()) / Math.sqrt(d));
  const bias = values(V, () => 0.5 * r.normal());
  const targets = Int32Array.from({ length: N }, (_, i) => (i % 7 === 3 ? -100 : r.int(V)));
  return { N, d, V, x, w, bias, targets };
}
type Problem = ReturnType<typeof problem>;

/** The float64 reference: the unfused gradient G of the logits (crossEntropyWithGrad on float64 logits), its
 * entries kept where softmax ≥ eps (capped logits), at the target, or not finite; the products over those alone. */
function reference(p: Problem, options: Options, eps: number) {
  const { N, d, V, x, w, bias, targets } = p;
  const logits = new Float64Array(N * V);
  for (let i = 0; i < N; i++) {
    for (let v = 0; v < V; v++) {
      let sum = bias[v];
      for (let k = 0; k < d; k++) sum += x[i * d + k] * w[v * d + k];
      logits[i * V + v] = sum;
    }
  }
  const ce = crossEntropyWithGrad({ data: logits, shape: [N, V] }, targets, options);
  const g = ce.grad.data as Float64Array;
  const cap = options.softcap ?? 0;
  const kept = new Uint8Array(N * V);
  let nearest = Number.POSITIVE_INFINITY; // the closest log-softmax to log ε: the test's margin
  for (let i = 0; i < N; i++) {
    const z = Array.from(logits.subarray(i * V, (i + 1) * V), (v) => (cap > 0 ? cap * Math.tanh(v / cap) : v));
    const max = Math.max(...z);
    const lse = max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
    for (let v = 0; v < V; v++) {
      const logP = z[v] - lse;
      if (targets[i] >= 0) nearest = Math.min(nearest, Math.abs(logP - Math.log(eps)));
      const live = targets[i] >= 0 && (v === targets[i] || logP >= Math.log(eps));
      kept[i * V + v] = live || !Number.isFinite(g[i * V + v]) ? 1 : 0;
    }
  }
  const gradInput = new Float64Array(N * d);
  const gradWeight = new Float64Array(V * d);
  const gradBias = new Float64Array(V);
  for (let i = 0; i < N; i++) {
    for (let v = 0; v < V; v++) {
      const gv = g[i * V + v];
      gradBias[v] += gv;
      if (!kept[i * V + v]) continue;
      for (let k = 0; k < d; k++) {
        gradInput[i * d + k] += gv * w[v * d + k];
        gradWeight[v * d + k] += gv * x[i * d + k];
      }
    }
  }
  const keptShare = kept.reduce((s, k) => s + k, 0) / (N * V);
  return { loss: ce.loss as number, gradInput, gradWeight, gradBias, keptShare, nearest };
}

const fused = (p: Problem, options: object) =>
  linearCrossEntropyWithGrad({ data: p.x, shape: [p.N, p.d] }, { data: p.w, shape: [p.V, p.d] }, p.targets, {
    linearBias: p.bias,
    ...options,
  });

describe('filterEps', () => {
  const cases: [string, Float, Options][] = [
    ['float32, plain', Float32Array, {}],
    ['float32, class weights, softcap and z-loss', Float32Array, { softcap: 6, lseSquareScale: 1e-3 }],
    ['float64, class weights, sum', Float64Array, { reduction: 'sum' }],
  ];
  for (const [label, Float, base] of cases) {
    it(`${label}: the products over the kept entries, at every chunk size`, () => {
      const p = problem(Float, 11, [37, 24, 301]);
      const options: Options = { ...base, ...(label.includes('weights') ? { weight: weights(p.V) } : {}) };
      const eps = 2 ** -7;
      const ref = reference(p, options, eps);
      expect(ref.nearest, 'no softmax value within 0.01 % of ε').toBeGreaterThan(1e-4);
      expect(ref.keptShare).toBeGreaterThan(0.02); // some kept beyond the targets, most dropped
      expect(ref.keptShare).toBeLessThan(0.5);
      const dtype = Float === Float32Array ? 'float32' : 'float64';
      for (const chunkSize of [undefined, 1, 5, 37]) {
        const got = fused(p, { ...options, filterEps: eps, chunkSize });
        const where = `${label}, chunkSize ${chunkSize}`;
        expect(got.loss as number).toBeCloseTo(ref.loss, 5);
        assertUlpClose(got.gradInput.data, ref.gradInput, 64, dtype, `gradInput, ${where}`);
        assertUlpClose(got.gradWeight.data, ref.gradWeight, 64, dtype, `gradWeight, ${where}`);
        assertUlpClose(got.gradBias?.data ?? [], ref.gradBias, 64, dtype, `gradBias (never filtered), ${where}`);
      }
    });
  }

  it('ε = 0 is the exact path, bit for bit; a tiny ε keeps every entry; ε = 1 keeps the targets', () => {
    const p = problem(Float32Array, 3, [29, 16, 203]);
    const exact = fused(p, {});
    const zero = fused(p, { filterEps: 0 });
    for (const name of ['gradInput', 'gradWeight', 'gradBias'] as const)
      expect(Array.from(zero[name]?.data ?? []), name).toEqual(Array.from(exact[name]?.data ?? []));
    const all = reference(p, {}, 1e-300);
    expect(all.keptShare).toBeGreaterThan(0.8); // every live row's entries (the ignored rows keep none)
    const tiny = fused(p, { filterEps: 1e-300 });
    assertUlpClose(tiny.gradInput.data, all.gradInput, 64, 'float32', 'gradInput, every entry kept');
    assertUlpClose(tiny.gradWeight.data, all.gradWeight, 64, 'float32', 'gradWeight, every entry kept');
    const one = reference(p, {}, 1);
    const targetsOnly = fused(p, { filterEps: 1 });
    assertUlpClose(targetsOnly.gradInput.data, one.gradInput, 64, 'float32', 'gradInput, the targets alone');
    assertUlpClose(targetsOnly.gradWeight.data, one.gradWeight, 64, 'float32', 'gradWeight, the targets alone');
  });

  it('per-row gradOutput, accumulate, and nothing passed is modified but the destinations', () => {
    const p = problem(Float32Array, 5, [23, 12, 150]);
    const eps = 2 ** -6;
    const gradOutput = Float32Array.from({ length: p.N }, (_, i) => 0.5 + (i % 3));
    const start = Float32Array.from({ length: p.V * p.d }, (_, i) => Math.sin(i));
    const gradWeightOut = start.slice();
    const before = [p.x.slice(), p.w.slice(), p.bias.slice(), p.targets.slice()];
    const got = fused(p, { reduction: 'none', gradOutput, filterEps: eps, gradWeightOut, accumulate: true });
    // reduction 'none' with gradOutput: Σ_i gradOutput_i · (row i's gradient alone, kept where row i keeps it)
    const alone = (i: number) => {
      const one = problem(Float32Array, 5, [23, 12, 150]);
      one.targets = Int32Array.from(p.targets, (t, j) => (j === i ? t : -100));
      return reference(one, { reduction: 'sum' }, eps).gradWeight;
    };
    const gradWeight = Float64Array.from(start);
    for (let i = 0; i < p.N; i++) {
      const row = alone(i);
      for (let e = 0; e < row.length; e++) gradWeight[e] += gradOutput[i] * row[e];
    }
    assertUlpClose(got.gradWeight.data, gradWeight, 64, 'float32', 'gradWeight accumulated, gradOutput per row');
    expect(got.gradWeight.data).toBe(gradWeightOut);
    expect([p.x, p.w, p.bias, p.targets].map((a) => Array.from(a))).toEqual(before.map((a) => Array.from(a)));
  });

  it('shapes with zeros: d = 0, V = 1, one row, no rows', () => {
    for (const [N, d, V] of [
      [6, 0, 5],
      [6, 3, 1],
      [1, 4, 9],
      [0, 4, 9],
    ] as [number, number, number][]) {
      const p = problem(Float32Array, 13, [N, d, V]);
      p.targets = Int32Array.from({ length: N }, (_, i) => i % V);
      const exact = fused(p, {});
      const filtered = fused(p, { filterEps: 2 ** -4 });
      const ref = reference(p, {}, 2 ** -4);
      expect(filtered.loss, `N ${N}, d ${d}, V ${V}`).toBe(exact.loss);
      assertUlpClose(filtered.gradInput.data, ref.gradInput, 64, 'float32', `gradInput, N ${N}, d ${d}, V ${V}`);
      assertUlpClose(filtered.gradWeight.data, ref.gradWeight, 64, 'float32', `gradWeight, N ${N}, d ${d}, V ${V}`);
      expect(Array.from(filtered.gradBias?.data ?? [])).toEqual(Array.from(exact.gradBias?.data ?? []));
    }
  });

  it('NaN travels as without filtering: the same NaN places', () => {
    const p = problem(Float32Array, 7, [19, 8, 130]);
    p.x[5 * p.d + 2] = Number.NaN; // row 5's logits, loss and gradient are NaN
    const exact = fused(p, {});
    const filtered = fused(p, { filterEps: 2 ** -8 });
    for (const name of ['gradInput', 'gradWeight'] as const) {
      const nan = (a: ArrayLike<number>) => Array.from(a, Number.isNaN);
      expect(nan(filtered[name].data), name).toEqual(nan(exact[name].data));
      expect(nan(filtered[name].data).some(Boolean), name).toBe(true);
    }
  });

  it('the SIMD build is the scalar build within float32 ulps; 1, 2 and 3 threads give the same bits', async () => {
    const p = problem(Float32Array, 9, [700, 40, 517]); // rows × vocabulary above the threads' threshold
    const run = () => {
      const r = fused(p, { filterEps: 2 ** -9, softcap: 10 });
      return [r.gradInput.data, r.gradWeight.data].map((a) => Array.from(a));
    };
    // (the builds' logits differ in their last bits: the scalar matmul sums along d in one run, not in blocks)
    const { simd, scalar } = await onBothBuilds(run);
    assertUlpClose(simd[0], scalar[0], 64, 'float32', 'gradInput, SIMD against scalar');
    assertUlpClose(simd[1], scalar[1], 64, 'float32', 'gradWeight, SIMD against scalar');
    await init({ simd: true, relaxedSimd: false, threads: 1 });
    const one = run();
    for (const threads of [2, 3]) {
      await init({ simd: true, relaxedSimd: false, threads });
      expect(run(), `${threads} threads`).toEqual(one);
    }
    await init({ threads: 1 });
  }, 60_000);

  it('refuses a bad ε, ε beside label smoothing, and ε on the forward alone', () => {
    const p = problem(Float32Array, 1, [4, 3, 10]);
    const call = (options: object) => () => fused(p, options);
    expect(call({ filterEps: -0.1 })).toThrow(/linearCrossEntropyWithGrad: options\.filterEps must be in \[0, 1\]/);
    expect(call({ filterEps: 1.5 })).toThrow(RangeError);
    expect(call({ filterEps: Number.NaN })).toThrow(RangeError);
    expect(call({ filterEps: '0.1' })).toThrow(/options\.filterEps must be a number/);
    expect(call({ filterEps: 0.01, labelSmoothing: 0.1 })).toThrow(
      /filterEps cannot be used with options\.labelSmoothing/,
    );
    expect(call({ filterEps: 0, labelSmoothing: 0.1 })).not.toThrow();
    const forward = () =>
      linearCrossEntropy({ data: p.x, shape: [4, 3] }, { data: p.w, shape: [10, 3] }, p.targets, {
        filterEps: 0.01,
      } as never);
    expect(forward).toThrow(/linearCrossEntropy: unknown option "filterEps"/);
  });
});

/** Class weights 0.5 to 2. */
const weights = (V: number) => Array.from({ length: V }, (_, v) => 0.5 + ((v * 7) % 4) / 2);
