// Exact sharding: the shards of a batch (over rows, data-parallel) or of the vocabulary (vocab-parallel)
// combine to the unsharded result, for every option, with 1 to 8 shards, in one thread and across workers.
import { afterAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import {
  crossEntropy,
  crossEntropyWithGrad,
  type FloatArray,
  init,
  logSumExp,
  meanDivisor,
  type Tensor,
} from '../../src/index.js';
import { assertClose, assertUlpClose, EPS } from '../helpers/assert-close.js';

const [ROWS, VOCAB] = [24, 257];
type Float = Float32ArrayConstructor | Float64ArrayConstructor;

function problem(Float: Float, seed: number, ignoreIndex = -100) {
  const r = makeRandom(seed);
  const data = Float.from(Array.from({ length: ROWS * VOCAB }, () => 4 * r.normal()));
  const target = Int32Array.from({ length: ROWS }, (_, i) => (i % 7 === 3 ? ignoreIndex : r.int(VOCAB)));
  const weight = Float.from(Array.from({ length: VOCAB }, () => r.uniform(0.25, 2)));
  return { logits: { data, shape: [ROWS, VOCAB] }, target, weight };
}

/** Contiguous [start, end) pieces of n into k parts. */
const pieces = (n: number, k: number) =>
  Array.from({ length: k }, (_, i) => [Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k)] as const);

const OPTION_SETS: Record<string, (weight: FloatArray) => Record<string, unknown>> = {
  plain: () => ({}),
  weight: (weight) => ({ weight }),
  'ignoreIndex 5': () => ({ ignoreIndex: 5 }),
  'labelSmoothing 0.1': () => ({ labelSmoothing: 0.1 }),
  'z-loss': () => ({ lseSquareScale: 1e-2 }),
  'all of them': (weight) => ({ weight, labelSmoothing: 0.2, lseSquareScale: 1e-3 }),
};

// What the shards' results may differ by: 2 float32 ulps, 1e-12 relative in float64
const LOSS_ULPS = { float32: 2, float64: 1e-12 / 2 ** -52 } as const;

describe.each([
  ['float32', Float32Array],
  ['float64', Float64Array],
] as const)('data-parallel shards (rows), %s', (dtype, Float) => {
  afterAll(() => init({ threads: 1 }));

  for (const threads of [1, 2]) {
    it(`1–8 shards with a global divisor sum to 'mean', every option, ${threads} thread(s)`, async () => {
      await init({ threads });
      for (const [name, options] of Object.entries(OPTION_SETS)) {
        const o = options(new Float(VOCAB).fill(1));
        const { logits, target, weight } = problem(Float, name.length, (o.ignoreIndex as number) ?? -100);
        if (o.weight) o.weight = weight;
        const whole = crossEntropyWithGrad(logits, target, o);
        const divisor = meanDivisor(target, { weight: o.weight as FloatArray, ignoreIndex: o.ignoreIndex as number });
        const zLossDivisor = meanDivisor(target, { ignoreIndex: o.ignoreIndex as number });
        for (let shards = 1; shards <= 8; shards++) {
          let loss = 0;
          const grad = new Float(ROWS * VOCAB);
          for (const [start, end] of pieces(ROWS, shards)) {
            const part = crossEntropyWithGrad(
              { data: logits.data.subarray(start * VOCAB, end * VOCAB), shape: [end - start, VOCAB] },
              target.subarray(start, end),
              { ...o, reduction: 'sum', divisor, zLossDivisor },
            );
            loss += part.loss;
            grad.set(part.grad.data, start * VOCAB);
          }
          const label = `${name}, ${shards} shards, ${dtype}`;
          assertUlpClose([loss], [whole.loss as number], LOSS_ULPS[dtype], dtype, `${label}: loss`);
          expect(Array.from(grad), `${label}: gradient`).toEqual(Array.from(whole.grad.data));
        }
      }
    });
  }
});

describe.each([
  ['float32', Float32Array],
  ['float64', Float64Array],
] as const)('vocab-parallel shards, %s', (dtype, Float) => {
  afterAll(() => init({ threads: 1 }));

  for (const threads of [1, 2]) {
    it(`1–8 vocabulary shards sum to the whole loss, their gradients its columns, ${threads} thread(s)`, async () => {
      await init({ threads });
      const worst = { loss: 0, grad: 0 };
      for (const [name, options] of Object.entries(OPTION_SETS)) {
        const o = options(new Float(VOCAB).fill(1));
        const { logits, target, weight } = problem(Float, 3 + name.length, (o.ignoreIndex as number) ?? -100);
        if (o.weight) o.weight = weight;
        const whole = crossEntropyWithGrad(logits, target, { ...o, reduction: 'sum' });
        for (let shards = 1; shards <= 8; shards++) {
          const columns = pieces(VOCAB, shards).map(([start, end]) => {
            const data = new Float((end - start) * ROWS);
            for (let r = 0; r < ROWS; r++) {
              data.set(logits.data.subarray(r * VOCAB + start, r * VOCAB + end), r * (end - start));
            }
            return { start, end, tensor: { data, shape: [ROWS, end - start] } as Tensor };
          });
          // each shard's log-sum-exp, then the global one: logSumExp over the shards, in float64
          const local = new Float64Array(shards * ROWS);
          columns.forEach((c, s) => {
            local.set(logSumExp(c.tensor, { dtype: 'float64' }).data, s * ROWS);
          });
          const lse = logSumExp({ data: local, shape: [shards, ROWS] }, { dim: 0 }).data;
          let loss = 0;
          const grad = new Float(ROWS * VOCAB);
          for (const c of columns) {
            const part = crossEntropyWithGrad(c.tensor, target, {
              ...o,
              reduction: 'sum',
              vocabStart: c.start,
              vocabSize: VOCAB,
              lse,
            });
            loss += part.loss;
            for (let r = 0; r < ROWS; r++) {
              grad.set(
                part.grad.data.subarray(r * (c.end - c.start), (r + 1) * (c.end - c.start)),
                r * VOCAB + c.start,
              );
            }
          }
          const label = `${name}, ${shards} shards, ${dtype}`;
          const scale = Math.max(...Array.from(whole.grad.data, Math.abs));
          worst.loss = Math.max(worst.loss, Math.abs(loss - whole.loss) / (EPS[dtype] * Math.abs(whole.loss)));
          for (let i = 0; i < grad.length; i++) {
            const err = Math.abs(grad[i] - whole.grad.data[i]) / (EPS[dtype] * (Math.abs(whole.grad.data[i]) + scale));
            worst.grad = Math.max(worst.grad, err);
          }
          const bound =
            dtype === 'float64' ? (e: number) => 1e-12 * Math.abs(e) : (e: number) => 2 * EPS.float32 * Math.abs(e);
          assertClose([loss], [whole.loss], { bound, label: `${label}: loss` });
          // the lse exchanged in float64: a float32 one would turn its rounding, ulp(lse) ≈ 1e-6 at lse ≈ 8,
          // into a relative error of every softmax term exp(z − lse) (4.4 ulps measured that way)
          assertUlpClose(grad, whole.grad.data, LOSS_ULPS[dtype], dtype, `${label}: gradient`);
        }
      }
      console.log(
        `vocab shards ${dtype}, ${threads} thread(s): worst loss ${worst.loss.toFixed(2)} ulp, ` +
          `gradient ${worst.grad.toFixed(2)} ulp of the scale`,
      );
    });
  }

  it('one shard with its own log-sum-exp is the unsharded call', () => {
    const { logits, target } = problem(Float, 11);
    const lse = logSumExp(logits).data;
    const whole = crossEntropy(logits, target, { reduction: 'sum' });
    const vocabSize = logits.shape[1];
    expect(crossEntropy(logits, target, { reduction: 'sum', vocabStart: 0, vocabSize, lse })).toBeCloseTo(
      whole,
      dtype === 'float64' ? 10 : 3,
    );
  });
});
