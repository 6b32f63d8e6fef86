// The fused distillation (linearDistillKlDiv, linearJsd, linearTvd) against Debian's PyTorch
// (test/golden/linear_distill.json: F.linear, the divergence's composition and autograd), on both builds and in
// chunks of every size; then the identity "fused equals linear-then-dense", finite differences, destinations,
// threads, memory that never holds the logits, and bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import {
  allocTensor,
  distillKlDivWithGrad,
  init,
  jsdWithGrad,
  linearDistillKlDiv,
  linearDistillKlDivWithGrad,
  linearJsd,
  linearJsdWithGrad,
  linearTvd,
  linearTvdWithGrad,
  topK,
  tvdWithGrad,
  wasmMemoryBytes,
  wasmThreads,
} from '../../src/index.js';
import { assertAsAccurateAsTorch, assertClose, assertUlpClose, finiteScale } from '../helpers/assert-close.js';
import { decode, type Encoded, loadGolden } from '../helpers/golden.js';

type Float = Float32Array | Float64Array;
type Fused = (x: unknown, w: unknown, t: unknown, o?: unknown) => FusedResult;
type Dense = (s: unknown, t: unknown, o: object) => { loss: FusedResult['loss']; grad: { data: Float } };
interface FusedResult {
  loss: number | { data: Float; shape: number[] };
  gradInput: { data: Float; shape: number[] };
  gradWeight: { data: Float; shape: number[] };
  gradBias?: { data: Float; shape: number[] };
}

interface LinearDistillCase {
  name: string;
  dtype: 'float32' | 'float64';
  input: Encoded;
  linearWeight: Encoded;
  linearBias?: Encoded;
  teacher: Record<string, Encoded>;
  labels?: Encoded;
  options: Record<string, unknown> & { divergence: string; beta?: number; reduction: string };
  gradOutput: number | Encoded;
  loss: Encoded;
  gradInput: Encoded;
  gradWeight: Encoded;
  gradBias?: Encoded;
  truth?: Record<string, Encoded>;
}

const GRADS = ['gradInput', 'gradWeight', 'gradBias'] as const;
const lossValues = (loss: FusedResult['loss']) => (typeof loss === 'number' ? [loss] : Array.from(loss.data));
const tensor = <T>(data: T, shape: number[]) => ({ data, shape });

/** The case's fused function and its options (the divergence's own, the labels, the bias). */
function callOf(c: LinearDistillCase): { call: Fused; options: Record<string, unknown> } {
  const { divergence, beta, ...shared } = c.options;
  const options: Record<string, unknown> = { ...shared };
  if (c.labels) options.labels = Int32Array.from(decode(c.labels).data);
  if (c.linearBias) options.linearBias = decode(c.linearBias).data;
  if (divergence === 'tvd') return { call: linearTvdWithGrad as Fused, options };
  if (divergence === 'jsd') return { call: linearJsdWithGrad as Fused, options: { ...options, beta } };
  return { call: linearDistillKlDivWithGrad as Fused, options: { ...options, direction: divergence } };
}

/** The case's teacher as the functions take it: logits, a top k, or a head. */
function teacherOf(c: LinearDistillCase): unknown {
  const t = c.teacher;
  if (t.logits) return decode(t.logits);
  if (t.indices) return { indices: decode(t.indices), logProbs: decode(t.logProbs) };
  return {
    input: decode(t.input),
    linearWeight: decode(t.linearWeight),
    linearBias: t.linearBias && decode(t.linearBias).data,
  };
}

/**
 * Float32 against PyTorch's float32 and the float64 truth. Both round the logits they compute (X · Wᵀ, for both
 * models) on their own, and an element that hangs on a logit's last bits is a coin toss between the two (a gradient
 * element of 6e-4 from a teacher's logits of ±8 moves by 1e-8 with them). So each element is held within 64 ulps of
 * the tensor's scale (a gross error fails), and the whole tensor's mean error to at most twice PyTorch's + 4 ulps.
 */
function asAccurateOnTheWhole(ours: ArrayLike<number>, torch: ArrayLike<number>, truth: number[], label: string) {
  // as distill.test.ts: below the float64 truth's own rounding (terms as large as the loss) no one can tell
  const blur = 1e-13 * Math.max(1, finiteScale(truth));
  const kept = Array.from(ours, (v, i) => (Math.abs(v - truth[i]) <= blur ? truth[i] : v));
  assertAsAccurateAsTorch(kept, torch, truth, 64, label);
  const mean = (f: (i: number) => number) => truth.reduce((sum, _, i) => sum + f(i), 0) / Math.max(1, truth.length);
  const [oursError, torchError] = [
    mean((i) => Math.abs(kept[i] - truth[i])),
    mean((i) => Math.abs(torch[i] - truth[i])),
  ];
  const bound = 2 * torchError + 4 * 2 ** -23 * mean((i) => Math.abs(truth[i]));
  expect(oursError, `${label}: mean error ${oursError} against PyTorch's ${torchError}`).toBeLessThanOrEqual(bound);
}

describe.each(['simd', 'scalar'] as const)('fused distillation against PyTorch, %s build', (build) => {
  beforeAll(() => init({ simd: build === 'simd' }));

  const golden = loadGolden<LinearDistillCase>('linear_distill');
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const [input, linearWeight, teacher] = [decode<Float>(c.input), decode<Float>(c.linearWeight), teacherOf(c)];
    const before = JSON.stringify([input.data, linearWeight.data].map((a) => Array.from(a)));
    const { call, options } = callOf(c);
    const gradOutput = typeof c.gradOutput === 'number' ? c.gradOutput : decode(c.gradOutput);
    for (const chunkSize of [undefined, 1, 4]) {
      const label = `${c.name}, chunkSize ${chunkSize ?? 'auto'}`;
      const r = call(input, linearWeight, teacher, { ...options, gradOutput, chunkSize });
      const results: Record<string, ArrayLike<number>> = { loss: lossValues(r.loss) };
      for (const key of GRADS) results[key] = r[key]?.data ?? [];
      for (const key of ['loss', ...GRADS] as const) {
        if (!c[key]) continue;
        const expected = Array.from(decode(c[key] as Encoded).data as ArrayLike<number>);
        if (c.dtype === 'float64') {
          const bound = (e: number) => 1e-12 * (Math.abs(e) + 1);
          assertClose(results[key], expected, { bound, label: `${label}: ${key}` });
          continue;
        }
        const truth = Array.from(decode((c.truth as Record<string, Encoded>)[key]).data as ArrayLike<number>);
        asAccurateOnTheWhole(
          results[key],
          Array.from(decode(c[key] as Encoded).data as ArrayLike<number>),
          truth,
          `${label}: ${key}`,
        );
      }
    }
    expect(JSON.stringify([input.data, linearWeight.data].map((a) => Array.from(a)))).toBe(before);
  });
});

beforeAll(() => init());
afterAll(() => init());

const random = makeRandom(3030);
const reals = (n: number, scale = 1) => Float64Array.from({ length: n }, () => scale * random.normal());

/** X · Wᵀ + b in float64: [rows × V]. */
function linear(x: Float, w: Float, b: Float | undefined, rows: number, d: number, V: number) {
  const out = new Float64Array(rows * V);
  for (let i = 0; i < rows; i++) {
    for (let v = 0; v < V; v++) {
      let sum = b ? b[v] : 0;
      for (let p = 0; p < d; p++) sum += x[i * d + p] * w[v * d + p];
      out[i * V + v] = sum;
    }
  }
  return out;
}

/** The student's gradients from the logits' gradient G [rows × V]: G · W, Gᵀ · X, Σ rows of G. */
function backward(g: Float, x: Float, w: Float, rows: number, d: number, V: number) {
  const gradInput = new Float64Array(rows * d);
  const gradWeight = new Float64Array(V * d);
  const gradBias = new Float64Array(V);
  for (let i = 0; i < rows; i++) {
    for (let v = 0; v < V; v++) {
      const gv = g[i * V + v];
      gradBias[v] += gv;
      for (let p = 0; p < d; p++) {
        gradInput[i * d + p] += gv * w[v * d + p];
        gradWeight[v * d + p] += gv * x[i * d + p];
      }
    }
  }
  return { gradInput, gradWeight, gradBias };
}

describe('the fused form equals linear-then-dense', () => {
  const pairs = {
    linearDistillKlDiv: [linearDistillKlDivWithGrad, distillKlDivWithGrad, { temperature: 2, direction: 'reverse' }],
    linearJsd: [linearJsdWithGrad, jsdWithGrad, { beta: 0.3, temperature: 0.7 }],
    linearTvd: [linearTvdWithGrad, tvdWithGrad, {}],
  } as const;
  const [lead, d, dT, V] = [[2, 5], 7, 4, 29];
  const rows = 10;
  const [x, w, b] = [reals(rows * d), reals(V * d, 0.6), reals(V)];
  const [tx, tw, tb] = [reals(rows * dT), reals(V * dT, 1.3), reals(V)];
  const teacherLogits = linear(tx, tw, tb, rows, dT, V);
  const studentLogits = linear(x, w, b, rows, d, V);
  const labels = Int32Array.from({ length: rows }, (_, i) => (i % 4 === 1 ? -100 : (7 * i) % V));
  const logits = tensor(teacherLogits, [...lead, V]);
  /** Each kind of teacher, the dense form's teacher that matches it, and its options. */
  const teachers: Record<string, () => [unknown, unknown, object]> = {
    logits: () => [logits, logits, {}],
    head: () => [{ input: tensor(tx, [...lead, dT]), linearWeight: tensor(tw, [V, dT]), linearBias: tb }, logits, {}],
    'top 6, bucket': () => [topK(logits, 6), topK(logits, 6), { tail: 'bucket' }],
    'hard + soft': () => [logits, logits, { labels, weightHard: 0.4, weightSoft: 0.8 }],
  };
  for (const [name, [fused, dense, own]] of Object.entries(pairs)) {
    it.each(Object.keys(teachers))(`${name}, a teacher's %s, every reduction`, (kind) => {
      const [teacher, denseTeacher, more] = teachers[kind]();
      for (const reduction of ['batchmean', 'mean', 'sum', 'none'] as const) {
        if (reduction === 'none' && 'weightHard' in more) continue;
        const options = { ...own, ...more, reduction };
        const f = (fused as Fused)(tensor(x, [...lead, d]), tensor(w, [V, d]), teacher, {
          ...options,
          linearBias: b,
          chunkSize: 3,
        });
        const r = (dense as unknown as Dense)(tensor(studentLogits, [...lead, V]), denseTeacher, options);
        const expected = backward(r.grad.data, x, w, rows, d, V);
        const bound = (e: number) => 1e-13 * (Math.abs(e) + 1);
        assertClose(lossValues(f.loss), lossValues(r.loss), { bound, label: `${reduction}: loss` });
        for (const key of GRADS) {
          assertClose(f[key]?.data ?? [], expected[key], { bound, label: `${reduction}: ${key}` });
        }
      }
    });
  }

  it('the loss alone is the …WithGrad loss, bit for bit', () => {
    const [input, weight] = [tensor(x, [rows, d]), tensor(w, [V, d])];
    const head = { input: tensor(tx, [rows, dT]), linearWeight: tensor(tw, [V, dT]) };
    const flat = tensor(teacherLogits, [rows, V]);
    const options = { linearBias: b, temperature: 1.5 };
    const alone = [
      linearDistillKlDiv(input, weight, head, options),
      linearJsd(input, weight, flat, options),
      linearTvd(input, weight, flat, options),
    ];
    const withGrad = [
      linearDistillKlDivWithGrad(input, weight, head, options).loss,
      linearJsdWithGrad(input, weight, flat, options).loss,
      linearTvdWithGrad(input, weight, flat, options).loss,
    ];
    expect(alone).toEqual(withGrad);
  });
});

describe('the gradients', () => {
  it('of input, weight and bias are the finite-difference derivatives of the loss (float64)', () => {
    const [rows, d, dT, V] = [3, 4, 3, 6];
    const [x, w, b] = [reals(rows * d), reals(V * d), reals(V)];
    const teacher = { input: tensor(reals(rows * dT), [rows, dT]), linearWeight: tensor(reals(V * dT), [V, dT]) };
    const lossAt = (xs: Float64Array, ws: Float64Array, bs: Float64Array) =>
      linearJsd(tensor(xs, [rows, d]), tensor(ws, [V, d]), teacher, { linearBias: bs, beta: 0.4, temperature: 1.3 });
    const grads = linearJsdWithGrad(tensor(x, [rows, d]), tensor(w, [V, d]), teacher, {
      linearBias: b,
      beta: 0.4,
      temperature: 1.3,
    });
    const h = 1e-6;
    const arrays = [x, w, b];
    GRADS.forEach((key, a) => {
      const values = grads[key]?.data ?? new Float64Array(0);
      for (let i = 0; i < arrays[a].length; i++) {
        const at = (delta: number) => {
          const moved = arrays.map((v, j) => (j === a ? v.map((e, k) => (k === i ? e + delta : e)) : v));
          return lossAt(moved[0], moved[1], moved[2]);
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        expect(Math.abs(values[i] - fd), `${key}[${i}]`).toBeLessThan(1e-8);
      }
    });
  });

  it('writes into the destinations, and accumulate adds into gradWeightOut and gradBiasOut', () => {
    const [rows, d, V] = [9, 5, 13];
    const input = tensor(Float32Array.from(reals(rows * d)), [rows, d]);
    const weight = tensor(Float32Array.from(reals(V * d)), [V, d]);
    const teacher = tensor(Float32Array.from(reals(rows * V, 2)), [rows, V]);
    const linearBias = Float32Array.from(reals(V));
    const once = linearTvdWithGrad(input, weight, teacher, { linearBias });
    const [gradInputOut, gradWeightOut, gradBiasOut] = [
      new Float32Array(rows * d),
      new Float32Array(V * d).fill(1),
      new Float32Array(V).fill(2),
    ];
    const r = linearTvdWithGrad(input, weight, teacher, {
      linearBias,
      gradInputOut,
      gradWeightOut,
      gradBiasOut,
      accumulate: true,
    });
    expect(r.gradInput.data).toBe(gradInputOut);
    expect(r.gradWeight.data).toBe(gradWeightOut);
    assertUlpClose(gradInputOut, once.gradInput.data, 0, 'float32', 'gradInputOut');
    assertUlpClose(
      gradWeightOut,
      once.gradWeight.data.map((v) => v + 1),
      4,
      'float32',
      'gradWeightOut',
    );
    assertUlpClose(gradBiasOut, once.gradBias?.data.map((v) => v + 2) ?? [], 4, 'float32', 'gradBiasOut');
  });

  it("'none' with a gradOutput of ones is 'sum', and a top k's values come in the caller's order", () => {
    const [rows, d, V] = [4, 3, 10];
    const input = tensor(reals(rows * d), [rows, d]);
    const weight = tensor(reals(V * d), [V, d]);
    const top = topK(tensor(reals(rows * V, 2), [rows, V]), 3);
    const none = linearDistillKlDivWithGrad(input, weight, top, { reduction: 'none', tail: 'bucket' });
    const sum = linearDistillKlDivWithGrad(input, weight, top, { reduction: 'sum', tail: 'bucket' });
    const loss = none.loss as { data: Float64Array; shape: number[] };
    expect(loss.shape).toEqual([rows, 4]);
    expect(loss.data.reduce((a, v) => a + v, 0)).toBeCloseTo(sum.loss as number, 14);
    assertClose(none.gradWeight.data, sum.gradWeight.data, { bound: () => 1e-15, label: 'gradWeight' });
    // the ids reversed: each outcome's term moves with its id
    const reversed = {
      indices: tensor(
        Int32Array.from(top.indices.data, (_, i) => top.indices.data[i - (i % 3) + 2 - (i % 3)]),
        [rows, 3],
      ),
      logProbs: tensor(
        Float64Array.from(top.logProbs.data, (_, i) => top.logProbs.data[i - (i % 3) + 2 - (i % 3)]),
        [rows, 3],
      ),
    };
    const back = linearDistillKlDiv(input, weight, reversed, { reduction: 'none', tail: 'bucket' });
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < 3; j++) expect(back.data[r * 4 + j]).toBe(loss.data[r * 4 + 2 - j]);
      expect(back.data[r * 4 + 3]).toBe(loss.data[r * 4 + 3]);
    }
  });
});

describe("the teacher's arrays where a hostile caller puts them", () => {
  const [rows, d, V] = [6, 4, 9];
  const input = tensor(Float32Array.from(reals(rows * d)), [rows, d]);
  const weight = tensor(Float32Array.from(reals(V * d)), [V, d]);
  const teacherInput = Float32Array.from(reals(rows * d));
  const teacherWeight = Float32Array.from(reals(V * d));

  it("in WebAssembly memory (allocTensor), across a call that grows it: the plain arrays' results", async () => {
    await init({ simd: true, relaxedSimd: false }); // a fresh instance: this call grows its memory
    const head = { input: tensor(teacherInput, [rows, d]), linearWeight: tensor(teacherWeight, [V, d]) };
    const expected = linearJsdWithGrad(input, weight, head, { chunkSize: 2 });
    await init({ simd: true, relaxedSimd: false, threads: 2 });
    await init({ simd: true, relaxedSimd: false });
    const [x, w] = [allocTensor(Float32Array, [rows, d]), allocTensor(Float32Array, [V, d])];
    x.data.set(teacherInput);
    w.data.set(teacherWeight);
    const got = linearJsdWithGrad(input, weight, { input: x, linearWeight: w }, { chunkSize: 2 });
    expect(got.loss).toBe(expected.loss);
    assertUlpClose(got.gradWeight.data, expected.gradWeight.data, 0, 'float32', 'gradWeight');
    x.free();
    w.free();
    await init();
  });

  it("a destination that is the teacher's own weight is refused, and nothing is written", () => {
    const head = { input: tensor(teacherInput, [rows, d]), linearWeight: tensor(teacherWeight.slice(), [V, d]) };
    const before = head.linearWeight.data.slice();
    const call = () => linearTvdWithGrad(input, weight, head, { gradWeightOut: head.linearWeight.data });
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/gradWeightOut overlaps teacher.linearWeight.data/);
    expect(head.linearWeight.data).toEqual(before);
  });

  it("the student's own arrays as the teacher (the same model both sides): divergence 0, gradient 0", () => {
    const r = linearDistillKlDivWithGrad(input, weight, { input, linearWeight: weight }, { temperature: 2 });
    expect(Math.abs(r.loss as number)).toBeLessThan(1e-6);
    for (const g of r.gradWeight.data) expect(Math.abs(g)).toBeLessThan(1e-6);
  });
});

describe('the fused distillation on threads', () => {
  it('2 and 3 threads give exactly the one-thread loss and gradients', async () => {
    const [rows, d, dT, V] = [41, 17, 9, 2011];
    const input = tensor(Float32Array.from(reals(rows * d)), [rows, d]);
    const weight = tensor(Float32Array.from(reals(V * d, 0.4)), [V, d]);
    const teacher = {
      input: tensor(Float32Array.from(reals(rows * dT)), [rows, dT]),
      linearWeight: tensor(Float32Array.from(reals(V * dT, 0.8)), [V, dT]),
    };
    const options = { linearBias: Float32Array.from(reals(V)), beta: 0.3, temperature: 2, chunkSize: 16 };
    await init({ simd: true, relaxedSimd: false, threads: 1 });
    const one = linearJsdWithGrad(input, weight, teacher, options);
    for (const threads of [2, 3]) {
      await init({ simd: true, relaxedSimd: false, threads });
      expect(wasmThreads()).toBe(threads);
      const many = linearJsdWithGrad(input, weight, teacher, options);
      expect(many.loss).toBe(one.loss);
      for (const key of GRADS) {
        assertUlpClose(many[key]?.data ?? [], one[key]?.data ?? [], 0, 'float32', `${key}, ${threads} threads`);
      }
    }
    await init();
  });
});

describe('the fused distillation never holds the logits', () => {
  it('N = 2048, d = 64, V = 32,000: 262 MB of float32 logits per model, in far less WebAssembly memory', async () => {
    await init({ simd: true }); // a fresh instance: its memory is this call's
    const [N, d, dT, V] = [2048, 64, 32, 32000];
    const r = makeRandom(11);
    const input = tensor(
      Float32Array.from({ length: N * d }, () => r.normal()),
      [N, d],
    );
    const weight = tensor(
      Float32Array.from({ length: V * d }, () => 0.1 * r.normal()),
      [V, d],
    );
    const teacher = {
      input: tensor(
        Float32Array.from({ length: N * dT }, () => r.normal()),
        [N, dT],
      ),
      linearWeight: tensor(
        Float32Array.from({ length: V * dT }, () => 0.2 * r.normal()),
        [V, dT],
      ),
    };
    const { loss } = linearDistillKlDivWithGrad(input, weight, teacher, { temperature: 2 });
    const bytes = wasmMemoryBytes();
    console.log(`fused distillation, N 2048, d 64, V 32000: WebAssembly memory ${(bytes / 2 ** 20).toFixed(0)} MB`);
    expect(bytes).toBeLessThan(230 * 2 ** 20);
    expect(Number.isFinite(loss)).toBe(true);
    await init();
  }, 600_000);
});

describe('bad input', () => {
  const [rows, d, dT, V] = [4, 3, 2, 7];
  const input = tensor(reals(rows * d), [rows, d]);
  const weight = tensor(reals(V * d), [V, d]);
  const logits = tensor(reals(rows * V), [rows, V]);
  const head = () => ({ input: tensor(reals(rows * dT), [rows, dT]), linearWeight: tensor(reals(V * dT), [V, dT]) });
  const mistakes: [string, () => unknown, ErrorConstructor, RegExp][] = [
    [
      'teacher logits of another shape',
      () => linearTvd(input, weight, tensor(reals(28), [7, 4])),
      RangeError,
      /teacher must have the student's shape \[4, 7\]/,
    ],
    [
      'teacher logits of another dtype',
      () => linearTvd(input, weight, tensor(new Float32Array(28), [4, 7]) as never),
      TypeError,
      /teacher.data must be a Float64Array/,
    ],
    [
      "a head's vocabulary that differs",
      () => linearTvd(input, weight, { ...head(), linearWeight: tensor(reals(8 * dT), [8, dT]) }),
      RangeError,
      /the teacher's head must give logits of the student's shape \[4, 7\]/,
    ],
    [
      "a head's rows that differ",
      () => linearTvd(input, weight, { ...head(), input: tensor(reals(3 * dT), [3, dT]) }),
      RangeError,
      /teacher's head must give logits/,
    ],
    [
      "a head's width that differs from its rows'",
      () => linearTvd(input, weight, { ...head(), linearWeight: tensor(reals(V * 5), [V, 5]) }),
      RangeError,
      /teacher.linearWeight must be \[V, 2\]/,
    ],
    [
      'a head of another dtype',
      () =>
        linearTvd(input, weight, {
          input: tensor(new Float32Array(8), [4, 2]),
          linearWeight: tensor(new Float32Array(14), [7, 2]),
        } as never),
      TypeError,
      /teacher.input.data must be a Float64Array/,
    ],
    [
      "a head's bias of the wrong length",
      () => linearTvd(input, weight, { ...head(), linearBias: [1, 2] }),
      RangeError,
      /teacher.linearBias must have length V = 7/,
    ],
    [
      'a head with an unknown key',
      () => linearTvd(input, weight, { ...head(), bias: [1] } as never),
      TypeError,
      /teacher has an unknown key "bias"/,
    ],
    [
      'teacherLogProbs with a head',
      () => linearTvd(input, weight, head(), { teacherLogProbs: true }),
      TypeError,
      /teacherLogProbs applies to a teacher given as a tensor/,
    ],
    [
      'log-probabilities summing past 1',
      () => linearTvd(input, weight, tensor(new Float64Array(28), [4, 7]), { teacherLogProbs: true }),
      RangeError,
      /teacher row 0 is not log-probabilities/,
    ],
    [
      'a top k with a duplicated id',
      () =>
        linearTvd(input, weight, {
          indices: tensor(Int32Array.of(1, 1, 0, 2, 3, 4, 5, 6), [4, 2]),
          logProbs: tensor(new Float64Array(8).fill(-2), [4, 2]),
        }),
      RangeError,
      /teacher.indices row 0 holds the id 1 twice/,
    ],
    [
      'β outside [0, 1]',
      () => linearJsd(input, weight, logits, { beta: -0.1 }),
      RangeError,
      /linearJsd: options.beta must be in \[0, 1\]/,
    ],
    [
      'a temperature of 0',
      () => linearDistillKlDiv(input, weight, logits, { temperature: 0 }),
      RangeError,
      /linearDistillKlDiv: options.temperature/,
    ],
    [
      'a student weight of another width',
      () => linearTvd(input, tensor(reals(14), [7, 2]), logits),
      RangeError,
      /linearWeight must be \[V, 3\]/,
    ],
    [
      'a bias of the wrong length',
      () => linearTvd(input, weight, logits, { linearBias: [1] }),
      RangeError,
      /options.linearBias must have length V = 7/,
    ],
    ['chunkSize 0', () => linearTvd(input, weight, logits, { chunkSize: 0 }), RangeError, /chunkSize must be ≥ 1/],
    [
      'a gradInputOut that overlaps the input',
      () => linearTvdWithGrad(input, weight, logits, { gradInputOut: input.data }),
      RangeError,
      /gradInputOut overlaps input/,
    ],
    [
      'accumulate without gradWeightOut',
      () => linearTvdWithGrad(input, weight, logits, { accumulate: true }),
      TypeError,
      /accumulate adds into options.gradWeightOut/,
    ],
    [
      'weightHard without labels',
      () => linearTvd(input, weight, logits, { weightHard: 1 }),
      TypeError,
      /weightHard .* needs options.labels/,
    ],
    [
      'an unknown option',
      () => linearTvd(input, weight, logits, { out: new Float64Array(12) } as never),
      TypeError,
      /unknown option "out"/,
    ],
  ];
  it.each(mistakes)('%s is a named error, and nothing is written', (_, call, Type, words) => {
    const before = [input.data.slice(), weight.data.slice(), logits.data.slice()];
    expect(call).toThrow(Type);
    expect(call).toThrow(words);
    expect([input.data, weight.data, logits.data]).toEqual(before);
  });

  it('says up front, with the number, when the heads cannot fit in wasm32', () => {
    const [v, dd] = [2 ** 18, 2 ** 10]; // 1 GiB of float32 weights, as much for its gradient, and a teacher's head
    const huge = tensor(new Float32Array(v * dd), [v, dd]);
    const teacher = {
      input: tensor(new Float32Array(dd * 2), [1, 2 * dd]),
      linearWeight: tensor(new Float32Array(v * dd * 2), [v, 2 * dd]),
    };
    const call = () => linearTvdWithGrad(tensor(new Float32Array(dd), [1, dd]), huge, teacher);
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/more than wasm32's 4 GiB/);
  });
});
