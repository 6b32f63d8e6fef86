// distillKlDiv, jsd and tvd against Debian's PyTorch (test/golden/distill.json, composed from torch ops with
// autograd): float64 within 1e-12, float32 at least as accurate as PyTorch's own float32 against the float64 truth, on
// both builds. Then the identities the divergences must keep, finite differences, and fuzzing against the float64
// reference.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeRandom, type RefDivergence, refDistill } from '../../reference/index.js';
import {
  crossEntropyWithGrad,
  distillKlDiv,
  distillKlDivWithGrad,
  init,
  jsd,
  jsdWithGrad,
  klDiv,
  logSoftmax,
  topK,
  tvd,
  tvdWithGrad,
} from '../../src/index.js';
import { assertAsAccurateAsTorch, assertClose, finiteScale } from '../helpers/assert-close.js';
import { decode, type Encoded, loadGolden } from '../helpers/golden.js';

interface DistillCase {
  name: string;
  dtype: 'float32' | 'float64';
  student: Encoded;
  /** A dense teacher, or its top k. */
  teacher?: Encoded;
  teacherTopK?: { indices: Encoded; logProbs: Encoded };
  labels?: Encoded;
  options: {
    divergence: RefDivergence;
    beta?: number;
    temperature: number;
    reduction: 'none' | 'mean' | 'sum' | 'batchmean';
    ignoreIndex: number;
    teacherLogProbs?: boolean;
    tail?: 'renormalize' | 'bucket';
    weightHard?: number;
    weightSoft?: number;
  };
  gradOutput: number | Encoded;
  loss: Encoded;
  grad: Encoded;
  truth?: { loss: Encoded; grad: Encoded };
}

const golden = loadGolden<DistillCase>('distill');
const values = (e: Encoded) => Array.from(decode(e).data as ArrayLike<number>);
const lossValues = (loss: number | { data: ArrayLike<number> }) =>
  typeof loss === 'number' ? [loss] : Array.from(loss.data);
type Float = Float32Array | Float64Array;

type Divergence = (s: unknown, t: unknown, o: unknown) => number | { data: ArrayLike<number> };
type DivergenceWithGrad = (
  s: unknown,
  t: unknown,
  o: unknown,
) => { loss: number; grad: { data: Float; shape: number[] } };

/** The case's function pair and options. */
function callOf(c: DistillCase): { loss: Divergence; withGrad: DivergenceWithGrad; options: object } {
  const { divergence, beta, ...shared } = c.options;
  const labels = c.labels && { labels: Int32Array.from(decode(c.labels).data) };
  const options = { ...shared, ...labels };
  const pair = (loss: unknown, withGrad: unknown, more: object) => ({
    loss: loss as Divergence,
    withGrad: withGrad as DivergenceWithGrad,
    options: { ...options, ...more },
  });
  if (divergence === 'tvd') return pair(tvd, tvdWithGrad, {});
  if (divergence === 'jsd') return pair(jsd, jsdWithGrad, { beta });
  return pair(distillKlDiv, distillKlDivWithGrad, { direction: divergence });
}

describe.each(['simd', 'scalar'] as const)('distillation against PyTorch, %s build', (build) => {
  beforeAll(() => init({ simd: build === 'simd' }));

  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const student = decode<Float>(c.student);
    const top = c.teacherTopK;
    const teacher = top
      ? { indices: decode(top.indices), logProbs: decode<Float>(top.logProbs) }
      : decode<Float>(c.teacher as Encoded);
    const teacherData = 'data' in teacher ? teacher.data : teacher.logProbs.data;
    const [studentCopy, teacherCopy] = [student.data.slice(), teacherData.slice()];
    const { loss: lossOf, withGrad, options } = callOf(c);
    const gradOutput = typeof c.gradOutput === 'number' ? c.gradOutput : decode(c.gradOutput);
    const loss = lossOf(student, teacher, options);
    const both = withGrad(student, teacher, { ...options, gradOutput });
    expect(lossValues(both.loss)).toEqual(lossValues(loss));
    expect(both.grad.shape).toEqual(c.student.shape);
    expect(student.data).toEqual(studentCopy);
    expect(teacherData).toEqual(teacherCopy);
    const none = c.options.reduction === 'none';
    if (c.dtype === 'float64') {
      const bound = (e: number) => 1e-12 * (Math.abs(e) + 1);
      assertClose(lossValues(loss), values(c.loss), { bound, label: `${c.name}: loss` });
      assertClose(both.grad.data, values(c.grad), { bound, label: `${c.name}: grad` });
    } else {
      const truth = c.truth as NonNullable<DistillCase['truth']>;
      assertAsAccurateAsTorch(lossValues(loss), values(c.loss), values(truth.loss), 4, `${c.name}: loss`, none);
      const gradTruth = values(truth.grad);
      // below the float64 truth's own rounding (autograd's u_j − q_j Σ u, terms as large as the loss) no one can tell
      const blur = 1e-13 * Math.max(1, finiteScale(values(truth.loss)));
      const grad = Array.from(both.grad.data, (g, i) => (Math.abs(g - gradTruth[i]) <= blur ? gradTruth[i] : g));
      assertAsAccurateAsTorch(grad, values(c.grad), gradTruth, 4, `${c.name}: grad`);
    }
  });
});

beforeAll(() => init());

const random = makeRandom(2727);
const reals = (n: number, scale = 3) => Float64Array.from({ length: n }, () => scale * (2 * random.next() - 1));
const tensor = (data: Float, shape: number[]) => ({ data, shape });

describe('identities', () => {
  const [rows, V] = [5, 11];
  const s = tensor(reals(rows * V), [rows, V]);
  const t = tensor(reals(rows * V), [rows, V]);

  it('distillKlDiv at T = 1 is klDiv(logSoftmax(student), logSoftmax(teacher), { logTarget: true })', () => {
    const [lq, lp] = [logSoftmax(s), logSoftmax(t)];
    for (const reduction of ['batchmean', 'sum', 'mean', 'none'] as const) {
      const ours = lossValues(distillKlDiv(s, t, { reduction }));
      const theirs = lossValues(klDiv(lq, lp, { reduction, logTarget: true }));
      assertClose(ours, theirs, { bound: (e) => 1e-14 * (Math.abs(e) + 1), label: reduction });
    }
  });

  it('jsd at β = 0.5 is the symmetric Jensen–Shannon divergence, the same both ways round', () => {
    const ab = jsd(s, t, { reduction: 'none' }).data;
    const ba = jsd(t, s, { reduction: 'none' }).data;
    assertClose(ab, ba, { bound: () => 1e-15, label: 'symmetric' });
    const [lq, lp] = [logSoftmax(s).data, logSoftmax(t).data];
    const half = (a: number, b: number) => Math.log(0.5 * Math.exp(a) + 0.5 * Math.exp(b));
    const expected = Array.from(lq, (q, i) => {
      const lm = half(q, lp[i]);
      return 0.5 * Math.exp(lp[i]) * (lp[i] - lm) + 0.5 * Math.exp(q) * (q - lm);
    });
    assertClose(ab, expected, { bound: () => 1e-15, label: 'JS' });
  });

  it('jsd at β = 0 and 1 is the forward and reverse KL', () => {
    expect(jsd(s, t, { beta: 0 })).toBe(distillKlDiv(s, t));
    expect(jsd(s, t, { beta: 1 })).toBe(distillKlDiv(s, t, { direction: 'reverse' }));
    expect(jsdWithGrad(s, t, { beta: 1, temperature: 2 }).grad.data).toEqual(
      distillKlDivWithGrad(s, t, { direction: 'reverse', temperature: 2 }).grad.data.map((g) => g / 4),
    );
  });

  it('every divergence is 0, with a gradient of 0, where the student equals the teacher', () => {
    for (const [name, value] of [
      ['kl', distillKlDivWithGrad(s, s, { temperature: 3 })],
      ['reverse', distillKlDivWithGrad(s, s, { direction: 'reverse' })],
      ['jsd', jsdWithGrad(s, s, { beta: 0.3 })],
      ['tvd', tvdWithGrad(s, s)],
    ] as const) {
      expect(Math.abs(value.loss as number), name).toBeLessThan(1e-15);
      for (const g of value.grad.data) expect(Math.abs(g), name).toBeLessThan(1e-15);
    }
  });

  it('a teacher given as log-probabilities gives what its logits give, at every temperature', () => {
    const lp = logSoftmax(t);
    for (const temperature of [1, 0.7, 4]) {
      const fromLogits = distillKlDivWithGrad(s, t, { temperature });
      const fromLogProbs = distillKlDivWithGrad(s, lp, { temperature, teacherLogProbs: true });
      assertClose([fromLogProbs.loss as number], [fromLogits.loss as number], { bound: () => 1e-14, label: 'loss' });
      assertClose(fromLogProbs.grad.data, fromLogits.grad.data, { bound: () => 1e-15, label: 'grad' });
    }
  });

  it('an ignored row counts nothing: the loss of the others, their mean over the rows that count', () => {
    const labels = [1, -100, 3, -100, 0];
    const kept = [0, 2, 4];
    const pick = (a: Float) => Float64Array.from(kept.flatMap((r) => Array.from(a.subarray(r * V, (r + 1) * V))));
    const ours = tvdWithGrad(s, t, { labels });
    const alone = tvdWithGrad(tensor(pick(s.data), [3, V]), tensor(pick(t.data), [3, V]));
    expect(ours.loss).toBeCloseTo(alone.loss as number, 15);
    expect(pick(ours.grad.data)).toEqual(alone.grad.data);
    expect(ours.grad.data.subarray(V, 2 * V).every((g) => g === 0)).toBe(true);
  });
});

describe('the gradient', () => {
  const calls = {
    'forward KL': (s: Float64Array, t: Float64Array, o: object) =>
      distillKlDivWithGrad(tensor(s, [3, 6]), tensor(t, [3, 6]), o),
    'reverse KL': (s: Float64Array, t: Float64Array, o: object) =>
      distillKlDivWithGrad(tensor(s, [3, 6]), tensor(t, [3, 6]), { ...o, direction: 'reverse' }),
    'JSD β 0.3': (s: Float64Array, t: Float64Array, o: object) =>
      jsdWithGrad(tensor(s, [3, 6]), tensor(t, [3, 6]), { ...o, beta: 0.3 }),
    TVD: (s: Float64Array, t: Float64Array, o: object) => tvdWithGrad(tensor(s, [3, 6]), tensor(t, [3, 6]), o),
  };
  it.each(Object.entries(calls))('%s: is the finite-difference derivative of the loss (float64)', (_, call) => {
    const [s, t] = [reals(18), reals(18)];
    for (const options of [{ temperature: 1.7 }, { reduction: 'sum', temperature: 0.6 }, { labels: [2, -100, 5] }]) {
      const { grad } = call(s, t, options);
      const h = 1e-6;
      for (let i = 0; i < s.length; i++) {
        const [up, down] = [s.slice(), s.slice()];
        up[i] += h;
        down[i] -= h;
        const fd = ((call(up, t, options).loss as number) - (call(down, t, options).loss as number)) / (2 * h);
        expect(Math.abs(grad.data[i] - fd), `${JSON.stringify(options)} [${i}]`).toBeLessThan(1e-8);
      }
    }
  });
});

describe('fuzzing against the float64 reference', () => {
  const functions = {
    forward: (s: object, t: object, o: object) => distillKlDivWithGrad(s as never, t as never, o),
    reverse: (s: object, t: object, o: object) =>
      distillKlDivWithGrad(s as never, t as never, { ...o, direction: 'reverse' }),
    jsd: (s: object, t: object, o: object & { beta?: number }) => jsdWithGrad(s as never, t as never, o),
    tvd: (s: object, t: object, o: object) => tvdWithGrad(s as never, t as never, o),
  };
  it.each(Object.keys(functions) as RefDivergence[])('%s: random shapes, scales, temperatures, reductions', (d) => {
    for (let k = 0; k < 60; k++) {
      const rows = 1 + Math.floor(random.next() * 4);
      const V = 1 + Math.floor(random.next() * 40);
      const scale = [0.1, 3, 30, 300][k % 4];
      const [s, t] = [reals(rows * V, scale), reals(rows * V, scale)];
      const reduction = (['batchmean', 'mean', 'sum', 'none'] as const)[Math.floor(random.next() * 4)];
      const temperature = [1, 0.25, 5][k % 3];
      const beta = d === 'jsd' ? [0, 0.1, 0.5, 0.9, 1][k % 5] : undefined;
      const options = { reduction, temperature, ...(beta === undefined ? {} : { beta }) };
      const ours = functions[d](tensor(s, [rows, V]), tensor(t, [rows, V]), options);
      const ref = refDistill(s, t, V, { divergence: d, beta, temperature, reduction });
      const label = `${d} seed ${k} [${rows}, ${V}] ${JSON.stringify(options)} scale ${scale}`;
      const lossRef = typeof ref.loss === 'number' ? [ref.loss] : ref.loss;
      const bound = (e: number) => 1e-12 * (Math.abs(e) + scale);
      assertClose(lossValues(ours.loss), lossRef, { bound, label: `${label}: loss` });
      assertClose(ours.grad.data, ref.grad, { bound: (e) => 1e-12 * (Math.abs(e) + 1), label: `${label}: grad` });
    }
  });
});

describe('a teacher given as its top k', () => {
  const [rows, V] = [3, 9];
  const s = tensor(reals(rows * V), [rows, V]);
  const t = tensor(reals(rows * V), [rows, V]);

  it('with k = V (renormalised, or the bucket, empty then) equals the dense form on the logits', () => {
    const lp = logSoftmax(t);
    const order = Int32Array.from({ length: rows * V }, (_, i) => V - 1 - (i % V)); // each row's ids backwards
    const teacher = {
      indices: { data: order, shape: [rows, V] },
      logProbs: { data: Float64Array.from(order, (id, i) => lp.data[Math.floor(i / V) * V + id]), shape: [rows, V] },
    };
    for (const tail of ['renormalize', 'bucket'] as const) {
      const dense = jsdWithGrad(s, t, { beta: 0.3, temperature: 1.5 });
      const top = jsdWithGrad(s, teacher, { beta: 0.3, temperature: 1.5, tail });
      assertClose([top.loss], [dense.loss], { bound: () => 1e-14, label: `${tail} loss` });
      assertClose(top.grad.data, dense.grad.data, { bound: () => 1e-15, label: `${tail} grad` });
    }
  });

  it('takes int64 ids and a topK result as it is', () => {
    const top = topK(t, 4);
    const wide = {
      indices: { data: BigInt64Array.from(top.indices.data, BigInt), shape: [rows, 4] },
      logProbs: top.logProbs,
    };
    expect(distillKlDiv(s, wide, { tail: 'bucket' })).toBe(distillKlDiv(s, top, { tail: 'bucket' }));
  });

  const top = () => ({
    indices: { data: Int32Array.of(1, 4, 0, 2, 3, 8, 7, 6, 5), shape: [rows, 3] },
    logProbs: { data: Float64Array.of(-0.5, -1.5, -2.5, -0.4, -1.6, -3, -1, -2, -3), shape: [rows, 3] },
  });
  const mistakes: [string, (t: ReturnType<typeof top>) => void, object, string][] = [
    ['a duplicated id', (t) => t.indices.data.set([2], 4), {}, 'teacher.indices row 1 holds the id 2 twice'],
    ['an id out of range', (t) => t.indices.data.set([9], 0), {}, 'teacher.indices row 0 holds 9'],
    ['log-probabilities summing past 1', (t) => t.logProbs.data.set([-0.1], 0), {}, 'teacher.logProbs row 0 sums'],
    ['log-probabilities above 0', (t) => t.logProbs.data.set([0.2], 6), {}, 'teacher.logProbs row 2 sums'],
    ['k > V', (t) => Object.assign(t.indices, { data: new Int32Array(30), shape: [rows, 10] }), {}, 'teacher.indices'],
    ['logProbs not shaped like the ids', (t) => Object.assign(t.logProbs, { shape: [9] }), {}, 'teacher.logProbs'],
    ['an unknown tail', () => {}, { tail: 'drop' }, "options.tail must be 'renormalize' or 'bucket'"],
  ];
  it.each(mistakes)('%s is a RangeError naming it, and writes nothing', (_, spoil, options, words) => {
    const teacher = top();
    spoil(teacher);
    const out = new Float64Array(rows * V).fill(7);
    expect(() => distillKlDivWithGrad(s, teacher, { ...options, out })).toThrow(RangeError);
    expect(() => distillKlDivWithGrad(s, teacher, { ...options, out })).toThrow(words);
    expect(out.every((v) => v === 7)).toBe(true);
  });

  it('leaves an ignored row unchecked: its ids may be padding', () => {
    const teacher = top();
    teacher.indices.data.set([0, 0, 0], 3);
    teacher.logProbs.data.set([0, 0, 0], 3);
    expect(Number.isFinite(tvd(s, teacher, { labels: [1, -100, 2] }))).toBe(true);
  });

  it('refuses a tail with a dense teacher (a TypeError)', () => {
    expect(() => tvd(s, t, { tail: 'bucket' })).toThrow(TypeError);
    expect(() => tvd(s, t, { tail: 'bucket' })).toThrow('options.tail applies to a teacher given as its top k');
  });
});

describe('a dense teacher', () => {
  it('of log-probabilities summing past 1 is a RangeError naming the row', () => {
    const s = tensor(reals(6), [2, 3]);
    const t = tensor(Float64Array.of(-0.5, -1.5, -2, 0, -1, -2), [2, 3]);
    expect(() => distillKlDiv(s, t, { teacherLogProbs: true })).toThrow('teacher row 1 is not log-probabilities');
    expect(() => distillKlDiv(s, t, { teacherLogProbs: true, labels: [0, -100] })).not.toThrow();
  });

  it('of another shape or dtype, β outside [0, 1] and a temperature ≤ 0 are named errors', () => {
    const s = tensor(reals(6), [2, 3]);
    expect(() => tvd(s, tensor(reals(6), [3, 2]))).toThrow(/tvd: teacher must have the student's shape/);
    expect(() => tvd(s, tensor(new Float32Array(6), [2, 3]))).toThrow(TypeError);
    expect(() => jsd(s, s, { beta: 1.5 })).toThrow(/jsd: options.beta must be in \[0, 1\]/);
    expect(() => distillKlDiv(s, s, { temperature: 0 })).toThrow(/distillKlDiv: options.temperature/);
    expect(() => distillKlDiv(s, s, { direction: 'sideways' as never })).toThrow(RangeError);
  });
});

describe('hard + soft in one call', () => {
  const s = tensor(reals(12), [3, 4]);
  const t = tensor(reals(12), [3, 4]);

  it('is weightHard · crossEntropy(student, labels) + weightSoft · the divergence, gradient too', () => {
    const labels = [2, -100, 1];
    const both = jsdWithGrad(s, t, { beta: 0.3, temperature: 2, labels, weightHard: 0.7, weightSoft: 0.4 });
    const soft = jsdWithGrad(s, t, { beta: 0.3, temperature: 2, labels });
    const hard = crossEntropyWithGrad(s, Int32Array.from(labels), { ignoreIndex: -100 });
    assertClose([both.loss], [0.7 * hard.loss + 0.4 * soft.loss], { bound: () => 1e-15, label: 'loss' });
    const grad = Array.from(soft.grad.data, (g, i) => 0.7 * hard.grad.data[i] + 0.4 * g);
    assertClose(both.grad.data, grad, { bound: () => 1e-15, label: 'grad' });
  });

  it.each([
    ['without labels', {}, 'needs options.labels'],
    ["with reduction 'none'", { labels: [0, 1, 2], reduction: 'none' }, 'needs a reduction to a number'],
  ])('%s is a TypeError naming weightHard', (_, options, words) => {
    expect(() => tvd(s, t, { weightHard: 1, ...options } as never)).toThrow(TypeError);
    expect(() => tvd(s, t, { weightHard: 1, ...options } as never)).toThrow(words);
  });

  it('needs a dense teacher, and finite weights', () => {
    const teacher = topK(t, 2);
    expect(() => distillKlDiv(s, teacher, { weightHard: 1, labels: [0, 1, 2] })).toThrow('needs a dense teacher');
    expect(() => distillKlDiv(s, t, { weightSoft: Number.NaN })).toThrow(RangeError);
  });
});

// Logits up to ±1e38, on every build of this Node and of Node 22, 24 and 26 (the relaxed-SIMD build, whose fused
// multiply-adds once made the rows' common argmax a TVD of 1e267): test/runtimes/distill-relaxed.mjs.
const script = fileURLToPath(new URL('../runtimes/distill-relaxed.mjs', import.meta.url));
const nodes: [string, string][] = [
  ['this Node', process.execPath],
  ...[22, 24, 26].map((major): [string, string] => [
    `Node ${major}`,
    fileURLToPath(new URL(`../../runtimes/node_modules/node${major}/bin/node`, import.meta.url)),
  ]),
];
describe('the divergences at huge logits, against float64', () => {
  for (const [name, node] of nodes) {
    it.runIf(existsSync(node))(`${name}: every build it runs`, () => {
      const result = spawnSync(node, [script], { encoding: 'utf8', timeout: 120_000 });
      expect(result.status, result.stderr).toBe(0);
      const builds = JSON.parse(result.stdout) as Record<string, { cases: number; failures: string[] }>;
      expect(Object.keys(builds).length).toBeGreaterThanOrEqual(2);
      for (const { cases, failures } of Object.values(builds)) expect([cases, failures]).toEqual([256, []]);
    });
  }
});
