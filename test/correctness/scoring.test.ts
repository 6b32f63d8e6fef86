// Language-model scoring (tokenLogProbs, perplexity, topK, softmaxEntropy) beyond the golden vectors: both
// builds at every vector-width boundary and on adversarial rows, the float64 reference, identities with
// the rest of the library, threads, the tensors users hold, and bad input.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refSoftmaxEntropy, refTokenLogProbs, refTopK } from '../../reference/index.js';
import { makeRandom } from '../../reference/random.js';
import {
  crossEntropy,
  entropy,
  init,
  logSoftmax,
  perplexity,
  softmax,
  softmaxEntropy,
  tokenLogProbs,
  topK,
} from '../../src/index.js';
import { assertClose, assertUlpClose, type DTypeName, EPS } from '../helpers/assert-close.js';
import { onBothBuilds } from '../helpers/builds.js';

const LENGTHS = [...Array.from({ length: 17 }, (_, i) => i + 1), 31, 32, 33, 63, 64, 65, 127, 1000, 1025];
const DTYPES: [DTypeName, Float32ArrayConstructor | Float64ArrayConstructor][] = [
  ['float32', Float32Array],
  ['float64', Float64Array],
];
type Random = ReturnType<typeof makeRandom>;

// Each logits family says why it is there.
const FAMILIES: Record<string, (r: Random, row: number) => number> = {
  normal: (r) => 3 * r.normal(),
  // masked vocabulary entries; row 0 is all −inf (NaN throughout)
  '-inf masks': (r, row) => (row === 0 || r.next() < 0.4 ? -Infinity : r.normal()),
  // x − max overflows float32
  '±1e38': (r) => (r.next() < 0.5 ? 1e38 : -1e38) * r.uniform(0.5, 3),
  // +inf and NaN poison their row
  'inf and NaN': (r, row) => (row === 1 && r.next() < 0.3 ? Infinity : row === 2 && r.next() < 0.3 ? NaN : r.normal()),
  // many equal logits: ties everywhere
  ties: (r) => r.int(3),
};
const ROWS = 3;

describe.each(DTYPES)('scoring, SIMD build against scalar build and float64, %s', (dtype, Float) => {
  beforeAll(() => init());

  for (const [family, value] of Object.entries(FAMILIES)) {
    it(`${family}: at V = ${LENGTHS.slice(0, 4).join(', ')}, …, ${LENGTHS.at(-1)}`, async () => {
      for (const vocab of LENGTHS) {
        const seed = vocab * 7001 + family.length;
        const r = makeRandom(seed);
        const data = Float.from(Array.from({ length: ROWS * vocab }, (_, i) => value(r, Math.floor(i / vocab))));
        const logits = { data, shape: [ROWS, vocab] };
        const target = Int32Array.from({ length: ROWS }, (_, row) => (row === 2 ? -100 : r.int(vocab)));
        const k = Math.min(5, vocab);
        const label = `${family}, V = ${vocab}, ${dtype}, seed ${seed}`;
        const { simd, scalar } = await onBothBuilds(() => ({
          tokens: tokenLogProbs(logits, target, { temperature: 0.7 }).data,
          entropy: softmaxEntropy(logits, { temperature: 1.3 }).data,
          top: topK(logits, k, { temperature: 0.8 }),
        }));
        assertUlpClose(simd.tokens, scalar.tokens, 8, dtype, `tokenLogProbs: ${label}`);
        assertUlpClose(simd.entropy, scalar.entropy, 8, dtype, `softmaxEntropy: ${label}`);
        assertUlpClose(simd.top.logProbs.data, scalar.top.logProbs.data, 8, dtype, `topK: ${label}`);
        if (family !== 'ties')
          expect(Array.from(simd.top.indices.data), label).toEqual(Array.from(scalar.top.indices.data));
        if (family === 'normal' || family === 'ties') {
          assertUlpClose(simd.tokens, refTokenLogProbs(data, vocab, target, 0.7), 16, dtype, `tokens vs f64: ${label}`);
          assertUlpClose(simd.entropy, refSoftmaxEntropy(data, vocab, 1.3), 16, dtype, `entropy vs f64: ${label}`);
          const ref = refTopK(data, vocab, k, 0.8);
          assertUlpClose(simd.top.logProbs.data, ref.logProbs, 16, dtype, `topK vs f64: ${label}`);
          expect(Array.from(simd.top.indices.data), label).toEqual(Array.from(ref.indices));
        }
      }
    });
  }

  it('topK finds the best wherever it stands (vector blocks, one by one, the first k)', () => {
    for (const vocab of [1, 2, 5, 16, 17, 33, 100]) {
      for (const k of [1, 2, 3].filter((k) => k <= vocab)) {
        const diagonal = (_: unknown, i: number) => (Math.floor(i / vocab) === i % vocab ? 50 : -(i % 7));
        const data = Float.from(Array.from({ length: vocab * vocab }, diagonal));
        const top = topK({ data, shape: [vocab, vocab] }, k);
        for (let row = 0; row < vocab; row++) expect(top.indices.data[row * k]).toBe(row);
        expect(Array.from(top.indices.data)).toEqual(Array.from(refTopK(data, vocab, k).indices));
      }
    }
  });
});

describe('scoring: identities with the rest of the library', () => {
  beforeAll(() => init());
  const r = makeRandom(77);
  const [rows, vocab] = [6, 50];
  const data = Float64Array.from({ length: rows * vocab }, () => 4 * r.normal());
  const logits = { data, shape: [rows, vocab] };
  const target = Int32Array.from({ length: rows }, (_, i) => (i === 3 ? -100 : r.int(vocab)));

  it('tokenLogProbs at T = 1 is logSoftmax at the targets, bit for bit', () => {
    const lp = logSoftmax(logits).data;
    const expected = Array.from(target, (t, row) => (t < 0 ? 0 : lp[row * vocab + t]));
    expect(Array.from(tokenLogProbs(logits, target).data)).toEqual(expected);
  });

  it('topK with a target gives tokenLogProbs from the same passes, bit for bit', () => {
    const top = topK(logits, 3, { target, temperature: 1.7 });
    const expected = Array.from(tokenLogProbs(logits, target, { temperature: 1.7 }).data);
    expect(Array.from(top.targetLogProbs?.data ?? [])).toEqual(expected);
    expect(top.targetLogProbs?.shape).toEqual([rows]);
    expect(() => topK(logits, 3, { target: [1, 2] })).toThrow(/target must have shape \[6\]/);
    // the option's errors name it as the option it is
    const beyond = Array.from(target, (_, i) => (i === 1 ? vocab : 0));
    expect(() => topK(logits, 3, { target: beyond })).toThrow(/^topK: options\.target\[1\] = \d+ is out of range/);
  });

  it("a temperature that overflows PyTorch's logits / T gives the limit: 0 at the largest logit, −inf below", () => {
    const extreme = { data: Float32Array.from([100, 200, 50]), shape: [1, 3] };
    expect(Math.fround(200 / 1e-37)).toBe(Infinity); // PyTorch's float32 log-softmax is NaN here
    const at = (t: number) => tokenLogProbs(extreme, [t], { temperature: 1e-37 }).data[0];
    expect([at(0), at(1), at(2)]).toEqual([-Infinity, 0, -Infinity]);
    expect(softmaxEntropy(extreme, { temperature: 1e-37 }).data[0]).toBe(0);
  });

  it('perplexity is exp(crossEntropy) over the positions not ignored; all ignored is NaN', () => {
    // within rounding: the exp is WebAssembly's, the same in every engine, not the engine's Math.exp
    const close = (a: number, b: number, ulps: number) => expect(Math.abs(a - b) / b).toBeLessThan(ulps * 2 ** -52);
    close(perplexity(logits, target), Math.exp(crossEntropy(logits, target) as number), 4);
    const scaled = { data: data.map((v) => v / 2.5), shape: logits.shape };
    close(perplexity(logits, target, { temperature: 2.5 }), Math.exp(crossEntropy(scaled, target) as number), 64);
    expect(perplexity(logits, new Int32Array(rows).fill(-100))).toBeNaN();
  });

  it('softmaxEntropy is the entropy of the softmax; a −inf logit adds nothing', () => {
    const viaSoftmax = entropy(softmax(logits)).data;
    assertUlpClose(softmaxEntropy(logits).data, viaSoftmax, 64, 'float64', 'softmaxEntropy');
    const masked = { data: Float64Array.from([0, 0, -Infinity, -Infinity]), shape: [4] };
    expect(softmaxEntropy(masked).data[0]).toBeCloseTo(Math.log(2), 15);
  });

  it('shift scores logits[t] against target[t + 1] and drops the last position of each sequence', () => {
    const batch = { data, shape: [2, 3, vocab] };
    const ids = Int32Array.from({ length: 6 }, (_, i) => (i * 13) % vocab);
    const shifted = tokenLogProbs(batch, { data: ids, shape: [2, 3] }, { shift: true });
    expect(shifted.shape).toEqual([2, 2]);
    const plain = tokenLogProbs(batch, {
      data: Int32Array.from([ids[1], ids[2], 0, ids[4], ids[5], 0]),
      shape: [2, 3],
    });
    expect(Array.from(shifted.data)).toEqual([plain.data[0], plain.data[1], plain.data[3], plain.data[4]]);
    const mean = -(shifted.data.reduce((a, b) => a + b, 0) / 4);
    expect(perplexity(batch, { data: ids, shape: [2, 3] }, { shift: true })).toBeCloseTo(Math.exp(mean), 12);
    expect(tokenLogProbs({ data: data.subarray(0, vocab), shape: [1, vocab] }, [3], { shift: true }).shape).toEqual([
      0,
    ]);
  });

  it('takes onnxruntime / transformers.js tensors: { data, dims } and int64 ids', () => {
    const ids = BigInt64Array.from(target, (t) => BigInt(t));
    const expected = Array.from(tokenLogProbs(logits, target).data);
    expect(Array.from(tokenLogProbs({ data, dims: [rows, vocab] }, ids).data)).toEqual(expected);
    expect(Array.from(tokenLogProbs(logits, { data: ids, dims: [rows] }).data)).toEqual(expected);
    expect(crossEntropy({ data, dims: [rows, vocab] } as never, ids)).toBe(crossEntropy(logits, target));
    expect(() => tokenLogProbs(logits, BigInt64Array.from([2n ** 60n, 0n, 0n, 0n, 0n, 0n]))).toThrow(RangeError);
  });

  it('topK over a 128,256-token vocabulary, k up to V, on rows that defeat the threshold (ascending)', () => {
    const big = 128_256;
    const ascending = Float32Array.from({ length: big }, (_, i) => i * 1e-3);
    const top = topK({ data: ascending, shape: [big] }, 20);
    expect(Array.from(top.indices.data)).toEqual(Array.from({ length: 20 }, (_, i) => big - 1 - i));
    const all = topK({ data: ascending, shape: [big] }, big);
    expect(all.indices.data[big - 1]).toBe(0);
    const constant = topK({ data: new Float32Array(big), shape: [big] }, big);
    expect(Array.from(constant.indices.data.subarray(0, 3))).toEqual([0, 1, 2]);
    expect(constant.logProbs.data[0]).toBeCloseTo(-Math.log(big), 4);
  });

  it('a row whose log-softmax is NaN gives NaN at indices 0 … k − 1', () => {
    const top = topK({ data: Float32Array.from([1, NaN, 3, 2]), shape: [4] }, 2);
    expect(Array.from(top.indices.data)).toEqual([0, 1]);
    expect(Array.from(top.logProbs.data)).toEqual([NaN, NaN]);
  });
});

describe('scoring with threads', () => {
  afterAll(() => init({ threads: 1 }));

  it('2 threads give exactly the one-thread results', async () => {
    const r = makeRandom(5);
    const [rows, vocab] = [64, 4099];
    const logits = { data: Float32Array.from({ length: rows * vocab }, () => 3 * r.normal()), shape: [rows, vocab] };
    const target = Int32Array.from({ length: rows }, () => r.int(vocab));
    const run = () => ({
      tokens: Array.from(tokenLogProbs(logits, target, { temperature: 0.9 }).data),
      ppl: perplexity(logits, target),
      entropy: Array.from(softmaxEntropy(logits).data),
      indices: Array.from(topK(logits, 20).indices.data),
      values: Array.from(topK(logits, 20).logProbs.data),
    });
    await init({ threads: 1 });
    const one = run();
    await init({ threads: 2 });
    expect(run()).toEqual(one);
  });
});

describe('scoring: bad input is an error naming the argument, and nothing is written', () => {
  beforeAll(() => init());
  const data = Float32Array.from({ length: 12 }, (_, i) => i % 5);
  const logits = { data, shape: [3, 4] };
  const before = data.slice();

  it.each([
    ['k = 0', () => topK(logits, 0), RangeError, /topK: k must be in \[1, 4\]/],
    ['k > V', () => topK(logits, 5), RangeError, /k must be in \[1, 4\].*received 5/],
    ['k = 1.5', () => topK(logits, 1.5), TypeError, /topK: k must be a positive integer/],
    ['k = "2"', () => topK(logits, '2' as never), TypeError, /k must be a positive integer/],
    ['temperature 0', () => softmaxEntropy(logits, { temperature: 0 }), RangeError, /options.temperature/],
    ['temperature −1', () => topK(logits, 1, { temperature: -1 }), RangeError, /temperature must be a finite/],
    ['temperature NaN', () => tokenLogProbs(logits, [0, 0, 0], { temperature: NaN }), RangeError, /temperature/],
    ['temperature ∞', () => perplexity(logits, [0, 0, 0], { temperature: Infinity }), RangeError, /temperature/],
    ['temperature "1"', () => perplexity(logits, [0, 0, 0], { temperature: '1' as never }), TypeError, /temperature/],
    ['a tiny temperature', () => topK(logits, 1, { temperature: 1e-40 }), RangeError, /too small.*Float32Array/],
    ['target out of range', () => tokenLogProbs(logits, [0, 4, 0]), RangeError, /target\[1\] = 4 is out of range/],
    ['target of the wrong shape', () => tokenLogProbs(logits, [0, 1]), RangeError, /target must have shape \[3\]/],
    ['float target', () => tokenLogProbs(logits, { data: data, shape: [3, 4] } as never), TypeError, /class indices/],
    ['shift without positions', () => perplexity({ data, shape: [12] }, [0], { shift: true }), RangeError, /shift/],
    ['shift not a boolean', () => perplexity(logits, [0, 0, 0], { shift: 1 as never }), TypeError, /options.shift/],
    ['an empty vocabulary', () => softmaxEntropy({ data: new Float32Array(0), shape: [2, 0] }), RangeError, /last dim/],
    ['0-dim logits', () => topK({ data: new Float32Array(1), shape: [] }, 1), RangeError, /last dim/],
    ['an unknown option', () => topK(logits, 1, { temprature: 2 } as never), TypeError, /unknown option "temprature"/],
    ['logits not floats', () => softmaxEntropy({ data: [1, 2], shape: [2] } as never), TypeError, /logits\.data/],
  ] as const)('%s', (_, call, Type, message) => {
    expect(call).toThrow(Type);
    expect(call).toThrow(message);
    expect(Array.from(data)).toEqual(Array.from(before));
  });
});

describe('scoring properties (fast-check)', () => {
  beforeAll(() => init());
  const RUNS = Number(process.env.XENTROPY_PROPERTY_RUNS ?? 100);
  const problem = fc.record({
    rows: fc.integer({ min: 1, max: 4 }),
    vocab: fc.integer({ min: 1, max: 70 }),
    temperature: fc.oneof(fc.constant(1), fc.double({ min: 0.05, max: 20, noNaN: true })),
    // small integers make ties; doubles make distinct logits
    integers: fc.boolean(),
    seed: fc.integer(),
  });

  it('topK is a stable sort of the log-probs; tokenLogProbs and softmaxEntropy match float64', () => {
    fc.assert(
      fc.property(problem, ({ rows, vocab, temperature, integers, seed }) => {
        const r = makeRandom(seed);
        const data = Float64Array.from({ length: rows * vocab }, () => (integers ? r.int(4) : 10 * r.normal()));
        const logits = { data, shape: [rows, vocab] };
        const k = 1 + r.int(vocab);
        const target = Int32Array.from({ length: rows }, () => r.int(vocab));
        // log Σ exp rounds a Σ near 1 to ulps of 1 (PyTorch's log-softmax too): a floor of ulps of 1 for
        // results near 0 (the best token's log-prob, a low entropy)
        const bound = (e: number) => 32 * EPS.float64 * (Math.abs(e) + 1);
        const top = topK(logits, k, { temperature });
        const ref = refTopK(data, vocab, k, temperature);
        expect(Array.from(top.indices.data)).toEqual(Array.from(ref.indices));
        assertClose(top.logProbs.data, ref.logProbs, { bound, label: 'topK' });
        const tokens = tokenLogProbs(logits, target, { temperature }).data;
        assertClose(tokens, refTokenLogProbs(data, vocab, target, temperature), { bound, label: 'tokenLogProbs' });
        const h = softmaxEntropy(logits, { temperature }).data;
        assertClose(h, refSoftmaxEntropy(data, vocab, temperature), { bound, label: 'softmaxEntropy' });
      }),
      { numRuns: RUNS },
    );
  });
});
