// Scoring from hidden states (the linear… functions and linearScore): against float64 references of the same
// numbers, against the logits functions on the logits the same tiles make, across tiles of the vocabulary and chunks
// of rows, on threads (bit for bit), and the target's rank against a full sort.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refSoftmaxEntropy, refTokenLogProbs, refTopK } from '../../reference/index.js';
import { makeRandom } from '../../reference/random.js';
import { setTileColumns } from '../../src/families/linear-scoring.js';
import {
  init,
  linearPerplexity,
  linearScore,
  linearSoftmaxEntropy,
  linearTokenLogProbs,
  linearTopK,
  perplexity,
  softmaxEntropy,
  type Tensor,
  tokenLogProbs,
  wasmThreads,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

type Float = Float32ArrayConstructor | Float64ArrayConstructor;
const EPS = { float32: 2 ** -24, float64: 2 ** -53 };

beforeAll(() => init());
afterAll(() => {
  setTileColumns();
  return init();
});

interface Problem {
  x: Tensor<Float32Array | Float64Array>;
  w: Tensor<Float32Array | Float64Array>;
  bias?: Float32Array | Float64Array;
  target: number[];
  rows: number;
  d: number;
  V: number;
}

function problem(Float: Float, seed: number, rows: number, d: number, V: number, withBias = false): Problem {
  const r = makeRandom(seed);
  const reals = (n: number, s: number) => new Float(n).map(() => (2 * r.next() - 1) * s);
  const target = Array.from({ length: rows }, (_, i) => (i % 7 === 3 ? -100 : Math.floor(r.next() * V)));
  return {
    x: { data: reals(rows * d, 1.5), shape: [rows, d] },
    w: { data: reals(V * d, 1), shape: [V, d] },
    bias: withBias ? reals(V, 0.5) : undefined,
    target,
    rows,
    d,
    V,
  };
}

/** The logits in float64 from the same numbers, softcapped: the references' input. */
function logits64(p: Problem, softcap = 0): Float64Array {
  const out = new Float64Array(p.rows * p.V);
  for (let i = 0; i < p.rows; i++)
    for (let v = 0; v < p.V; v++) {
      let s = p.bias ? p.bias[v] : 0;
      for (let k = 0; k < p.d; k++) s += p.x.data[i * p.d + k] * p.w.data[v * p.d + k];
      out[i * p.V + v] = softcap > 0 ? softcap * Math.tanh(s / softcap) : s;
    }
  return out;
}

/** The products' rounding: d · max|x| · max|w| (+ |bias|) ulps-scale, which every log-probability carries. */
const scaleOf = (p: Problem) => p.d * 1.5 + 0.5 + 1;

describe.each([
  ['float32', Float32Array],
  ['float64', Float64Array],
] as const)('scoring from hidden states, %s', (dtype, Float) => {
  const bound = (p: Problem) => (e: number) => 64 * EPS[dtype] * (Math.abs(e) + scaleOf(p));

  it('matches float64 references over tiles of the vocabulary, chunks of rows, bias, softcap and temperature', () => {
    for (const [columns, chunkSize] of [
      [1024, undefined],
      [4, 3],
      [32, 5],
    ] as const) {
      setTileColumns(columns);
      for (const [seed, rows, d, V] of [
        [1, 9, 13, 37],
        [2, 17, 4, 301],
        [3, 5, 33, 1],
      ] as const) {
        for (const softcap of [0, 3]) {
          const p = problem(Float, seed, rows, d, V, seed !== 2);
          const temperature = seed === 1 ? 0.7 : 1;
          const o = { linearBias: p.bias, softcap: softcap || undefined, temperature, chunkSize };
          const ref = logits64(p, softcap);
          const where = `tiles of ${columns}, chunk ${chunkSize}, [${rows}, ${d}]·[${V}, ${d}]ᵀ, softcap ${softcap}`;
          const tokens = linearTokenLogProbs(p.x, p.w, p.target, o).data;
          assertClose(tokens, refTokenLogProbs(ref, V, p.target, temperature), { bound: bound(p), label: where });
          const h = linearSoftmaxEntropy(p.x, p.w, o).data;
          assertClose(h, refSoftmaxEntropy(ref, V, temperature), { bound: bound(p), label: `entropy ${where}` });
          const k = Math.min(4, V);
          const top = linearTopK(p.x, p.w, k, o);
          const refTop = refTopK(ref, V, k, temperature);
          assertClose(top.logProbs.data, refTop.logProbs, { bound: bound(p), label: `topK ${where}` });
        }
      }
    }
    setTileColumns();
  });

  it('agrees with the logits functions on the logits the tiles compute, bit for bit for the ranks and top-k', () => {
    setTileColumns(8);
    const p = problem(Float, 7, 23, 11, 97, true);
    const all = linearScore(p.x, p.w, { target: p.target, k: p.V, linearBias: p.bias, chunkSize: 6 });
    const one = linearScore(p.x, p.w, { target: p.target, k: p.V, linearBias: p.bias, chunkSize: 23 });
    setTileColumns();
    // a row's results do not depend on the rows scored with it (each logit is rounded alike wherever it falls)
    for (const key of ['tokenLogProbs', 'entropy', 'logSumExp', 'targetRank'] as const) {
      expect(Array.from(all[key]?.data ?? []), key).toEqual(Array.from(one[key]?.data ?? []));
    }
    expect(Array.from(all.topK?.indices.data ?? [])).toEqual(Array.from(one.topK?.indices.data ?? []));
    // the rank is the target's place in the full top-k order
    const ranks = all.targetRank?.data ?? new Int32Array(0);
    const order = all.topK?.indices.data ?? new Int32Array(0);
    p.target.forEach((t, i) => {
      const place = t < 0 ? 0 : order.subarray(i * p.V, (i + 1) * p.V).indexOf(t) + 1;
      expect(ranks[i], `row ${i}`).toBe(place);
      expect(all.correct?.data[i]).toBe(place === 1 ? 1 : 0);
    });
    const scored = p.target.filter((t) => t >= 0).length;
    expect(all.accuracy).toBe(Array.from(ranks).filter((r) => r === 1).length / scored);
    // the logits functions on the logits as the build rounds them: the top-k log-probs of k = V hold every logit
    const ref = logits64(p);
    const logits = { data: Float.from(ref), shape: [p.rows, p.V] };
    const viaLogits = tokenLogProbs(logits, p.target).data;
    assertClose(all.tokenLogProbs?.data ?? [], viaLogits, { bound: bound(p), label: 'tokenLogProbs' });
    assertClose(all.entropy?.data ?? [], softmaxEntropy(logits).data, { bound: bound(p), label: 'entropy' });
    expect(all.perplexity).toBeCloseTo(perplexity(logits, p.target), dtype === 'float32' ? 3 : 9);
    const ppl = linearPerplexity(p.x, p.w, p.target, { linearBias: p.bias });
    expect(Math.abs(ppl - (all.perplexity ?? 0)) / ppl).toBeLessThan(64 * EPS[dtype] * scaleOf(p)); // other tiles
    const lse = all.logSumExp?.data ?? [];
    for (let i = 0; i < p.rows; i++) {
      const row = Array.from(ref.subarray(i * p.V, (i + 1) * p.V));
      const m = Math.max(...row);
      const want = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      expect(Math.abs(lse[i] - want)).toBeLessThan(bound(p)(want));
    }
  });

  it('shift scores position t against target t + 1, and perplexity averages over tokens or sequences', () => {
    const p = problem(Float, 11, 12, 5, 19);
    const x = { data: p.x.data, shape: [3, 4, 5] };
    const target = { data: Int32Array.from(p.target), shape: [3, 4] };
    const shifted = linearScore(x, p.w, { target, shift: true, k: 2 });
    expect(shifted.tokenLogProbs?.shape).toEqual([3, 3]);
    expect(shifted.topK?.indices.shape).toEqual([3, 4, 2]);
    expect(shifted.entropy?.shape).toEqual([3, 4]);
    const ref = logits64(p);
    const logits = { data: Float.from(ref), shape: [3, 4, 19] };
    const viaLogits = tokenLogProbs(logits, target, { shift: true }).data;
    assertClose(shifted.tokenLogProbs?.data ?? [], viaLogits, { bound: bound(p), label: 'shifted' });
    for (const average of ['tokens', 'sequences'] as const) {
      const ours = linearPerplexity(x, p.w, target, { shift: true, average });
      const theirs = perplexity(logits, target, { shift: true, average });
      expect(Math.abs(ours - theirs) / theirs, average).toBeLessThan(1e3 * EPS[dtype] * scaleOf(p));
    }
    expect(shifted.sequencePerplexity).toBe(linearPerplexity(x, p.w, target, { shift: true, average: 'sequences' }));
  });

  it('fast-check: any shape, tile and chunk give the float64 reference', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer(),
        (rows, d, V, columns, chunkSize, seed) => {
          setTileColumns(4 * columns);
          try {
            const p = problem(Float, seed, rows, d, V, seed % 2 === 0);
            const scores = linearScore(p.x, p.w, { target: p.target, k: 1, linearBias: p.bias, chunkSize });
            const ref = logits64(p);
            const label = `seed ${seed}`;
            assertClose(scores.tokenLogProbs?.data ?? [], refTokenLogProbs(ref, V, p.target), {
              bound: bound(p),
              label,
            });
            assertClose(scores.entropy?.data ?? [], refSoftmaxEntropy(ref, V), { bound: bound(p), label });
          } finally {
            setTileColumns();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('scoring from hidden states on threads', () => {
  it('2 and 3 threads give exactly the one-thread results', async () => {
    const p = problem(Float32Array, 5, 41, 24, 333, true);
    const run = () => {
      setTileColumns(64);
      try {
        return linearScore(p.x, p.w, { target: p.target, k: 5, linearBias: p.bias, softcap: 4, chunkSize: 16 });
      } finally {
        setTileColumns();
      }
    };
    await init({ simd: true, relaxedSimd: false, threads: 1 });
    const one = run();
    for (const threads of [2, 3]) {
      await init({ simd: true, relaxedSimd: false, threads });
      expect(wasmThreads()).toBe(threads);
      const many = run();
      for (const key of ['tokenLogProbs', 'entropy', 'logSumExp', 'targetRank'] as const) {
        expect(Array.from(many[key]?.data ?? []), `${key}, ${threads} threads`).toEqual(
          Array.from(one[key]?.data ?? []),
        );
      }
      expect(Array.from(many.topK?.indices.data ?? [])).toEqual(Array.from(one.topK?.indices.data ?? []));
      expect(Array.from(many.topK?.logProbs.data ?? [])).toEqual(Array.from(one.topK?.logProbs.data ?? []));
    }
    await init({ threads: 1 });
  });
});

describe('scoring from hidden states: bad input', () => {
  const p = problem(Float32Array, 3, 4, 6, 10);
  it.each([
    [() => linearTokenLogProbs(p.x, { data: new Float32Array(50), shape: [10, 5] }, p.target), RangeError, /d = the/],
    [() => linearTopK(p.x, p.w, 11), RangeError, /k must be in \[1, 10\]/],
    [() => linearTopK(p.x, p.w, 1.5), TypeError, /k must be a positive integer/],
    [() => linearTokenLogProbs(p.x, p.w, [1, 2, 10, 0]), RangeError, /target\[2\] = 10 is out of range/],
    [
      () => linearTokenLogProbs(p.x, p.w, BigInt64Array.of(1n, 2n, 2n ** 40n, 0n)),
      RangeError,
      /= 1099511627776 is out/,
    ],
    [() => linearScore(p.x, p.w, { target: { data: BigInt64Array.of(1n, -5n, 0n, 0n), dims: [4] } }), RangeError, /-5/],
    [() => linearTokenLogProbs(p.x, p.w, p.target, { temperature: 0 }), RangeError, /temperature/],
    [() => linearTokenLogProbs(p.x, p.w, p.target, { softcap: -1 }), RangeError, /softcap/],
    [() => linearScore(p.x, p.w, { outputs: ['topK'] }), TypeError, /needs options\.k/],
    [() => linearScore(p.x, p.w, { outputs: ['perplexity'] }), TypeError, /needs options\.target/],
    [() => linearScore(p.x, p.w, { outputs: ['logits' as never] }), RangeError, /options\.outputs holds "logits"/],
    [() => linearPerplexity(p.x, p.w, p.target, { average: 'rows' as never }), RangeError, /options\.average/],
    [() => linearSoftmaxEntropy(p.x, { data: new Float32Array(0), shape: [0, 6] }), RangeError, /V ≥ 1/],
    [() => linearSoftmaxEntropy(p.x, { data: new Float64Array(60), shape: [10, 6] }), TypeError, /Float32Array/],
  ])('%#: a clear error naming the argument', (f, Type, message) => {
    const before = Float32Array.from(p.x.data);
    expect(f).toThrow(Type);
    expect(f).toThrow(message);
    expect(Array.from(p.x.data)).toEqual(Array.from(before));
  });

  it('says up front when linearWeight is beyond wasm32, with the bytes', () => {
    // (a zero-filled array this large costs no memory until it is written, and nothing is)
    const V = 2 ** 18 + 1;
    const x = { data: new Float32Array(4096), shape: [1, 4096] };
    const w = { data: new Float32Array(V * 4096), shape: [V, 4096] };
    expect(() => linearSoftmaxEntropy(x, w)).toThrow(RangeError);
    expect(() => linearSoftmaxEntropy(x, w)).toThrow(`linearWeight whole: ${V * 4096 * 4} bytes`);
  });
});
