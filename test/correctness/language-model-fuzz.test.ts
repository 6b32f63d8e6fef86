// A property fuzz of the language-model surface against float64 references (fast-check, fixed seed): scoring with
// every option; crossEntropy's language-model options, their divisors, and vocabulary shards against the unsharded
// call; linearCrossEntropy against the unfused product, with resident and plain arguments mixed and calls that
// grow WebAssembly memory. LM_FUZZ_RUNS sets the runs per property (and LM_FUZZ_SEED the seed) for a longer run.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  makeRandom,
  refLanguageModelCrossEntropy,
  refSoftmaxEntropy,
  refTokenLogProbs,
  refTopK,
} from '../../reference/index.js';
import { wasm } from '../../src/core/instance.js';
import * as x from '../../src/index.js';
import { assertClose, EPS } from '../helpers/assert-close.js';

const RUNS = Number(process.env.LM_FUZZ_RUNS ?? 40);
const SEED = Number(process.env.LM_FUZZ_SEED ?? 2026);
const settings = { seed: SEED, numRuns: RUNS };
type Float = Float32ArrayConstructor | Float64ArrayConstructor;
const FLOATS: Record<string, Float> = { float32: Float32Array, float64: Float64Array };

/** Values of a problem, drawn from its own seed (fast-check draws the seed and the sizes). */
function values(seed: number, n: number, lo: number, hi: number): number[] {
  const random = makeRandom(seed);
  return Array.from({ length: n }, () => random.uniform(lo, hi));
}
function tokens(seed: number, n: number, vocab: number, ignoredShare: number): number[] {
  const random = makeRandom(seed + 1);
  return Array.from({ length: n }, () => (random.next() < ignoredShare ? -100 : random.int(vocab)));
}

/** Close within `ulps` of the dtype's epsilon times the expected value's scale (its magnitude, or `scale`). */
function close(actual: ArrayLike<number>, expected: ArrayLike<number>, dtype: string, scale: number, label: string) {
  const eps = EPS[dtype as keyof typeof EPS];
  assertClose(actual, expected, { bound: (e) => 64 * eps * (Math.abs(e) + scale), label });
}
/** A loss as an array: a number, a Tensor, or the reference's per-row values. */
const asArray = (v: unknown): number[] =>
  typeof v === 'number'
    ? [v]
    : ArrayBuffer.isView(v)
      ? Array.from(v as Float64Array)
      : asArray((v as { data: unknown }).data);

beforeAll(() => x.init());

describe('scoring against float64, every option', () => {
  const problem = fc.record({
    seed: fc.nat(),
    dtype: fc.constantFrom('float32', 'float64'),
    batch: fc.integer({ min: 1, max: 3 }),
    positions: fc.integer({ min: 1, max: 6 }),
    vocab: fc.integer({ min: 1, max: 40 }),
    temperature: fc.option(fc.double({ min: 0.25, max: 4, noNaN: true }), { nil: undefined }),
    shift: fc.boolean(),
    ignoredShare: fc.constantFrom(0, 0.3),
  });

  it('tokenLogProbs, perplexity, topK and softmaxEntropy', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const Float = FLOATS[p.dtype];
        const rows = p.batch * p.positions;
        const data = Float.from(values(p.seed, rows * p.vocab, -8, 8));
        const logits = { data, shape: [p.batch, p.positions, p.vocab] };
        const target = Int32Array.from(tokens(p.seed, rows, p.vocab, p.ignoredShare));
        const targets = { data: target, shape: [p.batch, p.positions] };
        const options = { temperature: p.temperature, shift: p.shift };
        const T = p.temperature ?? 1;
        const scale = 16 / T;
        // the shifted problem: row t against target t + 1, the last position of each sequence dropped
        const scored = Array.from(target, (_, r) => {
          if (!p.shift) return target[r];
          return r % p.positions === p.positions - 1 ? -100 : target[r + 1];
        });
        const all = refTokenLogProbs(data, p.vocab, scored, T);
        const kept = p.shift ? all.filter((_, r) => r % p.positions !== p.positions - 1) : all;
        const ours = x.tokenLogProbs(logits, targets, options);
        close(ours.data, kept, p.dtype, scale, 'tokenLogProbs');
        const counted = scored.filter((t, r) => t !== -100 && (!p.shift || r % p.positions !== p.positions - 1));
        const mean = kept.reduce((a, b) => a + b, 0) / counted.length;
        const perplexity = x.perplexity(logits, targets, options);
        if (counted.length === 0) expect(perplexity).toBeNaN();
        else close([Math.log(perplexity)], [-mean], p.dtype, scale, 'perplexity');
        close(
          x.softmaxEntropy(logits, { temperature: p.temperature }).data,
          refSoftmaxEntropy(data, p.vocab, T),
          p.dtype,
          scale,
          'softmaxEntropy',
        );
        const k = Math.min(3, p.vocab);
        const top = x.topK(logits, k, { temperature: p.temperature, target: targets });
        close(top.logProbs.data, refTopK(data, p.vocab, k, T).logProbs, p.dtype, scale, 'topK');
        const own = x.tokenLogProbs(logits, targets, { temperature: p.temperature }).data;
        expect(Array.from(top.targetLogProbs?.data ?? [])).toEqual(Array.from(own));
      }),
      settings,
    );
  });
});

const lmOptions = fc.record({
  reduction: fc.constantFrom('none', 'mean', 'sum'),
  softcap: fc.option(fc.double({ min: 1, max: 30, noNaN: true }), { nil: undefined }),
  lseSquareScale: fc.option(fc.double({ min: 0, max: 0.1, noNaN: true }), { nil: undefined }),
  labelSmoothing: fc.constantFrom(0, 0.1),
  weighted: fc.boolean(),
});

describe("crossEntropy's language-model options against float64", () => {
  const problem = fc.record({
    seed: fc.nat(),
    dtype: fc.constantFrom('float32', 'float64'),
    rows: fc.integer({ min: 1, max: 10 }),
    vocab: fc.integer({ min: 1, max: 40 }),
    ignoredShare: fc.constantFrom(0, 0.3),
    o: lmOptions,
  });

  it('loss, zLoss, lse and the gradient; a divisor from meanDivisor is the mean', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const Float = FLOATS[p.dtype];
        const data = Float.from(values(p.seed, p.rows * p.vocab, -12, 12));
        const target = Int32Array.from(tokens(p.seed, p.rows, p.vocab, p.ignoredShare));
        const weight = p.o.weighted ? Float.from(values(p.seed + 2, p.vocab, 0.5, 2)) : undefined;
        const { weighted: _, ...options } = p.o;
        const o = { ...options, weight, returnLse: true } as const;
        const ours = x.crossEntropyWithGrad({ data, shape: [p.rows, p.vocab] }, target, o);
        const ref = refLanguageModelCrossEntropy(data, p.rows, p.vocab, target, { ...options, weight });
        const scale = 16;
        close(asArray(ours.loss), asArray(ref.loss), p.dtype, scale, 'loss');
        if (p.o.lseSquareScale !== undefined) close(asArray(ours.zLoss), asArray(ref.zLoss), p.dtype, scale, 'zLoss');
        close(ours.lse?.data ?? [], ref.lse, p.dtype, scale, 'lse');
        close(ours.grad.data, ref.grad, p.dtype, 1, 'grad');
        if (p.o.reduction !== 'mean' || target.every((t) => t === -100)) return;
        const divisor = x.meanDivisor(target, { weight });
        const divided = x.crossEntropyWithGrad({ data, shape: [p.rows, p.vocab] }, target, {
          ...(o as object),
          reduction: 'sum',
          divisor,
          zLossDivisor: x.meanDivisor(target),
        });
        close(asArray(divided.loss), asArray(ours.loss), p.dtype, scale, 'divisor');
        expect(Array.from(divided.grad.data)).toEqual(Array.from(ours.grad.data));
      }),
      settings,
    );
  });

  it('vocabulary shards sum to the unsharded call', () => {
    fc.assert(
      fc.property(problem, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), (p, cuts) => {
        fc.pre(p.vocab >= 2);
        const Float = FLOATS[p.dtype];
        const { rows, vocab } = p;
        const data = Float.from(values(p.seed, rows * vocab, -12, 12));
        const target = Int32Array.from(tokens(p.seed, rows, vocab, p.ignoredShare));
        const weight = p.o.weighted ? Float.from(values(p.seed + 2, vocab, 0.5, 2)) : undefined;
        const o = { weight, labelSmoothing: p.o.labelSmoothing, lseSquareScale: p.o.lseSquareScale };
        const whole = x.crossEntropyWithGrad({ data, shape: [rows, vocab] }, target, { ...o, reduction: 'sum' });
        const starts = [...new Set([0, ...cuts.map((c) => 1 + (c % (vocab - 1)))])].sort((a, b) => a - b);
        const shards = starts.map((start, s) => {
          const end = starts[s + 1] ?? vocab;
          const part = new Float(rows * (end - start));
          for (let r = 0; r < rows; r++) part.set(data.subarray(r * vocab + start, r * vocab + end), r * (end - start));
          return { start, tensor: { data: part, shape: [rows, end - start] } };
        });
        const perShard = shards.map((s) => x.logSumExp(s.tensor, { dtype: 'float64' }).data);
        const lse = Float64Array.from({ length: rows }, (_, r) => {
          const m = Math.max(...perShard.map((l) => l[r]));
          return Number.isFinite(m) ? m + Math.log(perShard.reduce((a, l) => a + Math.exp(l[r] - m), 0)) : m;
        });
        let loss = 0;
        const grad = new Float64Array(rows * vocab);
        for (const s of shards) {
          const width = s.tensor.shape[1];
          const r = x.crossEntropyWithGrad(s.tensor, target, {
            ...o,
            reduction: 'sum',
            vocabStart: s.start,
            vocabSize: vocab,
            lse,
          });
          loss += r.loss as number;
          for (let row = 0; row < rows; row++)
            for (let c = 0; c < width; c++) grad[row * vocab + s.start + c] = r.grad.data[row * width + c];
        }
        close([loss], [whole.loss as number], p.dtype, 16 * rows, 'shards: loss');
        close(grad, whole.grad.data, p.dtype, 1, 'shards: grad');
      }),
      settings,
    );
  });
});

describe('linearCrossEntropy against the unfused product', () => {
  const problem = fc.record({
    seed: fc.nat(),
    dtype: fc.constantFrom('float32', 'float64'),
    rows: fc.integer({ min: 1, max: 9 }),
    width: fc.integer({ min: 1, max: 16 }),
    vocab: fc.integer({ min: 1, max: 40 }),
    ignoredShare: fc.constantFrom(0, 0.3),
    o: lmOptions,
    biased: fc.boolean(),
    chunk: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
    resident: fc.subarray(['input', 'linearWeight', 'linearBias', 'gradInputOut', 'gradWeightOut', 'gradBiasOut']),
    grows: fc.boolean(),
  });

  /** Makes the next call's scratch allocation grow WebAssembly memory first (the hostile case), when asked. */
  const kernels = () => wasm('fuzz') as unknown as { scratch(b: number): number; memory: WebAssembly.Memory };

  it('loss and the three gradients, resident and plain arguments mixed, calls that grow memory', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const Float = FLOATS[p.dtype];
        const { rows, width: d, vocab: V } = p;
        const plain: Record<string, Float32Array | Float64Array> = {
          input: Float.from(values(p.seed, rows * d, -1, 1)),
          linearWeight: Float.from(values(p.seed + 3, V * d, -1, 1)),
          linearBias: Float.from(values(p.seed + 4, V, -1, 1)),
          gradInputOut: new Float(rows * d),
          gradWeightOut: new Float(V * d),
          gradBiasOut: new Float(V),
        };
        const held = p.resident.map((name) => {
          const t = x.allocTensor(Float, [plain[name].length]);
          t.data.set(plain[name]);
          return { name, t };
        });
        const arg = (name: string) => held.find((h) => h.name === name)?.t.data ?? plain[name];
        const target = Int32Array.from(tokens(p.seed, rows, V, p.ignoredShare));
        const weight = p.o.weighted ? Float.from(values(p.seed + 2, V, 0.5, 2)) : undefined;
        const { weighted: _, ...options } = p.o;
        const k = kernels();
        const scratch = k.scratch;
        if (p.grows) {
          k.scratch = (bytes: number) => {
            k.memory.grow(1);
            return scratch(bytes);
          };
        }
        let ours: ReturnType<typeof x.linearCrossEntropyWithGrad>;
        try {
          ours = x.linearCrossEntropyWithGrad(
            { data: arg('input'), shape: [rows, d] },
            { data: arg('linearWeight'), shape: [V, d] },
            target,
            {
              ...options,
              weight,
              chunkSize: p.chunk,
              linearBias: p.biased ? arg('linearBias') : undefined,
              gradInputOut: arg('gradInputOut'),
              gradWeightOut: arg('gradWeightOut'),
              gradBiasOut: p.biased ? arg('gradBiasOut') : undefined,
            } as never,
          );
        } finally {
          k.scratch = scratch;
        }
        // the unfused product in float64 from the same values
        const [X, W, b] = [plain.input, plain.linearWeight, plain.linearBias];
        const logits = new Float64Array(rows * V);
        for (let r = 0; r < rows; r++)
          for (let v = 0; v < V; v++) {
            let s = p.biased ? b[v] : 0;
            for (let j = 0; j < d; j++) s += X[r * d + j] * W[v * d + j];
            logits[r * V + v] = s;
          }
        const ref = refLanguageModelCrossEntropy(logits, rows, V, target, { ...options, weight });
        const G = ref.grad;
        const gradInput = new Float64Array(rows * d);
        const gradWeight = new Float64Array(V * d);
        const gradBias = new Float64Array(V);
        for (let r = 0; r < rows; r++)
          for (let v = 0; v < V; v++) {
            gradBias[v] += G[r * V + v];
            for (let j = 0; j < d; j++) {
              gradInput[r * d + j] += G[r * V + v] * W[v * d + j];
              gradWeight[v * d + j] += G[r * V + v] * X[r * d + j];
            }
          }
        const scale = 4 * (d + 4);
        close(asArray(ours.loss), asArray(ref.loss), p.dtype, scale, 'linear: loss');
        close(arg('gradInputOut'), gradInput, p.dtype, scale, 'linear: gradInput');
        close(arg('gradWeightOut'), gradWeight, p.dtype, scale * rows, 'linear: gradWeight');
        if (p.biased) close(arg('gradBiasOut'), gradBias, p.dtype, scale * rows, 'linear: gradBias');
        for (const h of held) h.t.free();
      }),
      settings,
    );
  });
});
