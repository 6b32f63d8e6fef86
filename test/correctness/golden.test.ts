// Every golden case from PyTorch, through both builds, float32 and float64, forward and gradient.
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as library from '../../src/index.js';
import {
  crossEntropyWithGrad,
  entropy,
  type FloatArray,
  init,
  linearCrossEntropyWithGrad,
  linearPerplexity,
  linearScore,
  linearSoftmaxEntropy,
  linearTokenLogProbs,
  linearTopK,
  logSigmoid,
  logSoftmax,
  logSumExp,
  perplexity,
  sigmoid,
  softmax,
  softmaxEntropy,
  type Tensor,
  type TopK,
  tokenLogProbs,
  topK,
} from '../../src/index.js';
import { assertAsAccurateAsTorch, assertUlpClose } from '../helpers/assert-close.js';
import { CATALOGUE } from '../helpers/catalogue.js';
import { decode, type Encoded, loadGolden } from '../helpers/golden.js';

interface DimCase {
  name: string;
  dtype: 'float32' | 'float64';
  input: Encoded;
  options: { dim: number; keepdim?: boolean };
  output: Encoded;
  outputTruth?: Encoded;
}

interface LossCase {
  name: string;
  dtype: 'float32' | 'float64';
  input: Encoded;
  target: Encoded;
  options: {
    reduction: string;
    weight?: Encoded;
    posWeight?: Encoded;
    logTarget?: boolean;
    ignoreIndex?: number;
    alpha?: number;
    gamma?: number;
  };
  gradOutput: number | Encoded;
  loss: Encoded;
  grad: Encoded;
  lossTruth?: Encoded;
  gradTruth?: Encoded;
}

interface CrossEntropyCase {
  name: string;
  dtype: 'float32' | 'float64';
  input: Encoded;
  target: Encoded & { kind: 'index' | 'probability' };
  options: { reduction: 'none' | 'mean' | 'sum'; weight?: Encoded; ignoreIndex?: number; labelSmoothing?: number };
  gradOutput: number | Encoded;
  loss: Encoded;
  grad: Encoded;
  lossTruth?: Encoded;
  gradTruth?: Encoded;
}

interface LanguageModelCase {
  name: string;
  dtype: 'float32' | 'float64';
  input: Encoded;
  target: Encoded;
  options: Record<string, unknown> & { weight?: Encoded };
  gradOutput: number | Encoded;
  loss: Encoded;
  grad: Encoded;
  zLoss: Encoded;
  lse: Encoded;
  lossTruth?: Encoded;
  gradTruth?: Encoded;
  zLossTruth?: Encoded;
  lseTruth?: Encoded;
}

interface LinearCase {
  name: string;
  dtype: 'float32' | 'float64';
  input: Encoded;
  linearWeight: Encoded;
  linearBias?: Encoded;
  target: Encoded;
  options: Record<string, unknown> & { weight?: Encoded };
  gradOutput: number | Encoded;
  loss: Encoded;
  gradInput: Encoded;
  gradWeight: Encoded;
  gradBias?: Encoded;
  lossTruth?: Encoded;
  gradInputTruth?: Encoded;
  gradWeightTruth?: Encoded;
  gradBiasTruth?: Encoded;
}

interface LinearScoringCase {
  name: string;
  dtype: 'float32' | 'float64';
  input: Encoded;
  linearWeight: Encoded;
  linearBias?: Encoded;
  target?: Encoded;
  options: { k: number; temperature?: number; softcap?: number; shift?: boolean };
  /** PyTorch's results by name (topKLogProbs, topKIndices, targetRank, rankSlack, accuracy, …). */
  output: Record<string, Encoded>;
  /** float32 cases: the same in float64 from the float32 inputs. */
  truth?: Record<string, Encoded>;
}

interface ScoringCase {
  fn: 'tokenLogProbs' | 'perplexity' | 'topK' | 'softmaxEntropy';
  name: string;
  dtype: 'float32' | 'float64';
  /** The key of the case's logits in the file's `logits`. */
  logits: string;
  target?: Encoded;
  options: { temperature?: number; ignoreIndex?: number; shift?: boolean; k?: number };
  /** The results in order: one tensor, or topK's log-probs and indices. */
  output: Encoded[];
  outputTruth?: Encoded[];
}

// Ulps of slack: float64 against PyTorch's float64; float32 over twice PyTorch's own float32 error.
const ULPS = { float64: 8, float32: 4 } as const;

function check(
  ours: ArrayLike<number>,
  torch: Encoded,
  truth: Encoded | undefined,
  dtype: 'float32' | 'float64',
  label: string,
) {
  const expected = decode(torch).data;
  // the sweeps hold each loss element on its own (no floor from the tensor's largest value); a gradient is a
  // difference of terms that cancel at its zero, so its floor stays the tensor's scale
  const perElement = label.includes('sweep of logits') && label.endsWith(': loss');
  if (!truth) assertUlpClose(ours, expected, ULPS[dtype], dtype, label);
  else assertAsAccurateAsTorch(ours, expected, decode(truth).data, ULPS[dtype], label, perElement, dtype);
}

/**
 * topK's indices against the exact order (a stable sort of the log-probs in long double): equal, except that
 * a run of our log-probs that came out equal (distinct logits rounded together) is in index order, so a
 * truth index may stand anywhere in the run that holds its position.
 */
function checkTopIndices(ours: Int32Array, values: ArrayLike<number>, truth: Int32Array, label: string) {
  const same = (a: number, b: number) => Object.is(values[a], values[b]) || values[a] === values[b];
  for (let i = 0; i < truth.length; i++) {
    if (ours[i] === truth[i]) continue;
    let [start, end] = [i, i];
    while (start > 0 && same(start - 1, i)) start--;
    while (end + 1 < truth.length && same(end + 1, i)) end++;
    if (!ours.subarray(start, end + 1).includes(truth[i])) {
      throw new Error(`${label}: indices[${i}] = ${ours[i]}, expected ${truth[i]} (log-prob ${values[i]})`);
    }
  }
}

const dimFunctions = {
  softmax: (x: Tensor, o: DimCase['options']) => softmax(x, o),
  log_softmax: (x: Tensor, o: DimCase['options']) => logSoftmax(x, o),
  logsumexp: (x: Tensor, o: DimCase['options']) => logSumExp(x, o),
  entropy: (x: Tensor, o: DimCase['options']) => entropy(x, o),
  sigmoid: (x: Tensor) => sigmoid(x),
  log_sigmoid: (x: Tensor) => logSigmoid(x),
};

type AnyLossWithGrad = (
  input: Tensor,
  target: never,
  options: Record<string, unknown>,
) => { loss: number | Tensor; grad: Tensor };

// The losses whose golden file the catalogue names (test/helpers/catalogue.ts), run through their …WithGrad; a
// class loss's weight is per class (a flat array), an elementwise loss's broadcast (a Tensor).
const exported = new Map<string, unknown>(Object.entries(library));
const lossFunctions: Record<string, { fn: AnyLossWithGrad; classWeight?: boolean }> = Object.fromEntries(
  CATALOGUE.filter((e) => e.golden && e.withGrad).map((e) => [
    e.golden,
    { fn: exported.get(e.withGrad as string) as AnyLossWithGrad, classWeight: e.family === 'class-loss' },
  ]),
);

/** The golden files with test code of their own below. */
const OWN_CODE = [
  'cross_entropy',
  'cross_entropy_lm',
  'ctc_loss',
  'distill',
  'linear_cross_entropy',
  'linear_distill',
  'linear_scoring',
  'scoring',
];

it('every golden file is run: by its catalogue entry, its function along a dim, or code of its own', () => {
  const files = readdirSync(new URL('../golden/', import.meta.url))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''));
  const run = new Set([...Object.keys(lossFunctions), ...Object.keys(dimFunctions), ...OWN_CODE]);
  expect(files.filter((f) => !run.has(f))).toEqual([]);
  expect([...run].filter((f) => !files.includes(f))).toEqual([]);
});

function checkLossCase(c: LossCase | CrossEntropyCase | LanguageModelCase, loss: number | Tensor, grad: Tensor) {
  const lossValues = typeof loss === 'number' ? [loss] : loss.data;
  if (typeof loss !== 'number' && JSON.stringify(loss.shape) !== JSON.stringify(c.loss.shape)) {
    throw new Error(`loss shape ${JSON.stringify(loss.shape)}, expected ${JSON.stringify(c.loss.shape)}`);
  }
  if (typeof loss === 'number' && c.loss.shape.length !== 0) throw new Error('expected a tensor loss');
  check(lossValues, c.loss, c.lossTruth, c.dtype, `${c.name}: loss`);
  check(grad.data, c.grad, c.gradTruth, c.dtype, `${c.name}: grad`);
}

describe.each(['simd', 'scalar'] as const)('golden vectors from PyTorch, %s build', (build) => {
  beforeAll(() => init({ simd: build === 'simd' }));

  for (const [file, fn] of Object.entries(dimFunctions)) {
    describe(file, () => {
      it.each(loadGolden<DimCase>(file).cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
        const input = decode(c.input);
        const result = fn(input, c.options);
        const expectedShape = c.output.shape;
        if (JSON.stringify(result.shape) !== JSON.stringify(expectedShape)) {
          throw new Error(`shape ${JSON.stringify(result.shape)}, expected ${JSON.stringify(expectedShape)}`);
        }
        if (result.data.constructor !== input.data.constructor)
          throw new Error('output dtype differs from input dtype');
        check(result.data, c.output, c.outputTruth, c.dtype, c.name);
      });
    });
  }

  describe('cross_entropy', () => {
    it.each(loadGolden<CrossEntropyCase>('cross_entropy').cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
      const input = decode(c.input);
      const target = decode<FloatArray | Int32Array>(c.target);
      const { weight, ...rest } = c.options;
      const gradOutput = typeof c.gradOutput === 'number' ? c.gradOutput : decode(c.gradOutput);
      const inputCopy = input.data.slice();
      const { loss, grad } = crossEntropyWithGrad(input, target as Tensor<Int32Array>, {
        ...rest,
        ...(weight ? { weight: decode(weight).data } : {}),
        gradOutput,
      });
      checkLossCase(c, loss, grad);
      assertUlpClose(input.data, inputCopy, 0, c.dtype, `${c.name}: input left as it was`);
    });
  });

  for (const [file, { fn, classWeight }] of Object.entries(lossFunctions)) {
    describe(file, () => {
      it.each(loadGolden<LossCase>(file).cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
        const input = decode(c.input);
        const { weight, posWeight, ...rest } = c.options;
        const options: Record<string, unknown> = {
          ...rest,
          gradOutput: typeof c.gradOutput === 'number' ? c.gradOutput : decode(c.gradOutput),
        };
        if (weight) options.weight = classWeight ? decode(weight).data : decode(weight);
        if (posWeight) options.posWeight = decode(posWeight);
        const { loss, grad } = fn(input, decode<FloatArray | Int32Array>(c.target) as never, options);
        checkLossCase(c, loss, grad);
      });
    });
  }

  describe('cross_entropy_lm (z-loss, softcap, safe, divisor, returnLse)', () => {
    it.each(loadGolden<LanguageModelCase>('cross_entropy_lm').cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
      const input = decode(c.input);
      const { weight, ...rest } = c.options;
      const result = crossEntropyWithGrad(input, decode<Int32Array>(c.target), {
        ...rest,
        ...(weight ? { weight: decode(weight).data } : {}),
        gradOutput: typeof c.gradOutput === 'number' ? c.gradOutput : decode(c.gradOutput),
        lseSquareScale: (rest.lseSquareScale as number | undefined) ?? 0,
        returnLse: true,
      });
      checkLossCase(c, result.loss, result.grad);
      const zLoss = result.zLoss as number | Tensor;
      check(typeof zLoss === 'number' ? [zLoss] : zLoss.data, c.zLoss, c.zLossTruth, c.dtype, `${c.name}: zLoss`);
      check(result.lse?.data ?? [], c.lse, c.lseTruth, c.dtype, `${c.name}: lse`);
    });
  });

  describe('linear_cross_entropy (F.linear then F.cross_entropy)', () => {
    it.each(loadGolden<LinearCase>('linear_cross_entropy').cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
      const { weight, ...rest } = c.options;
      for (const chunkSize of [undefined, 1, 5]) {
        const r = linearCrossEntropyWithGrad(decode(c.input), decode(c.linearWeight), decode<Int32Array>(c.target), {
          ...rest,
          ...(weight ? { weight: decode(weight).data } : {}),
          ...(c.linearBias ? { linearBias: decode(c.linearBias).data } : {}),
          gradOutput: typeof c.gradOutput === 'number' ? c.gradOutput : decode(c.gradOutput),
          chunkSize,
        });
        const label = `${c.name}, chunkSize ${chunkSize ?? 'auto'}`;
        const loss = typeof r.loss === 'number' ? [r.loss] : r.loss.data;
        check(loss, c.loss, c.lossTruth, c.dtype, `${label}: loss`);
        check(r.gradInput.data, c.gradInput, c.gradInputTruth, c.dtype, `${label}: gradInput`);
        check(r.gradWeight.data, c.gradWeight, c.gradWeightTruth, c.dtype, `${label}: gradWeight`);
        if (c.gradBias) check(r.gradBias?.data ?? [], c.gradBias, c.gradBiasTruth, c.dtype, `${label}: gradBias`);
      }
    });
  });

  describe('scoring', () => {
    const file = loadGolden<ScoringCase>('scoring') as ReturnType<typeof loadGolden<ScoringCase>> & {
      logits: Record<string, Encoded>;
    };
    it.each(file.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
      const logits = decode(file.logits[c.logits]);
      const before = logits.data.slice();
      const { k = 0, ...options } = c.options;
      const target = c.target ? decode<Int32Array>(c.target) : undefined;
      const [expected, expectedIndices] = c.output;
      const truth = c.outputTruth?.[0];
      let values: ArrayLike<number>;
      if (c.fn === 'topK') {
        const top = topK(logits, k, options);
        if (JSON.stringify(top.logProbs.shape) !== JSON.stringify(expected.shape)) throw new Error('topK shape');
        checkTopIndices(
          top.indices.data,
          top.logProbs.data,
          decode<Int32Array>(c.outputTruth?.[1] ?? expectedIndices).data,
          c.name,
        );
        values = top.logProbs.data;
      } else if (c.fn === 'perplexity') {
        values = [perplexity(logits, target as Tensor<Int32Array>, options)];
      } else {
        const result =
          c.fn === 'tokenLogProbs'
            ? tokenLogProbs(logits, target as Tensor<Int32Array>, options)
            : softmaxEntropy(logits, options);
        if (JSON.stringify(result.shape) !== JSON.stringify(expected.shape)) {
          throw new Error(`shape ${JSON.stringify(result.shape)}, expected ${JSON.stringify(expected.shape)}`);
        }
        values = result.data;
      }
      check(values, expected, truth, c.dtype, c.name);
      assertUlpClose(logits.data, before, 0, c.dtype, `${c.name}: logits left as they were`);
    });
  });

  describe('linear_scoring (F.linear, softcapped, then the scores of its logits)', () => {
    const names = ['tokenLogProbs', 'entropy', 'logSumExp'] as const;
    it.each(loadGolden<LinearScoringCase>('linear_scoring').cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
      const { k, ...options } = c.options;
      const [x, w] = [decode(c.input), decode(c.linearWeight)];
      const target = c.target ? decode<Int32Array>(c.target) : undefined;
      const linearBias = c.linearBias ? decode(c.linearBias).data : undefined;
      const truth = (key: string) => c.truth?.[key] ?? c.output[key];
      for (const chunkSize of [undefined, 1, 3]) {
        const o = { ...options, linearBias, chunkSize };
        const s = linearScore(x, w, { ...o, target, k });
        const label = `${c.name}, chunkSize ${chunkSize ?? 'auto'}`;
        for (const key of names) {
          if (c.output[key]) check(s[key]?.data ?? [], c.output[key], c.truth?.[key], c.dtype, `${label}: ${key}`);
        }
        const top = s.topK as TopK;
        checkTopIndices(top.indices.data, top.logProbs.data, decode<Int32Array>(truth('topKIndices')).data, label);
        check(top.logProbs.data, c.output.topKLogProbs, c.truth?.topKLogProbs, c.dtype, `${label}: topK`);
        // the same numbers from each single-result function, bit for bit (shift is for the target's results)
        const { shift: _, ...untargeted } = o;
        const single = linearTopK(x, w, k, untargeted);
        expect(Array.from(single.logProbs.data), label).toEqual(Array.from(top.logProbs.data));
        expect(Array.from(linearSoftmaxEntropy(x, w, untargeted).data)).toEqual(Array.from(s.entropy?.data ?? []));
        if (!target) continue;
        expect(Array.from(linearTokenLogProbs(x, w, target, o).data)).toEqual(Array.from(s.tokenLogProbs?.data ?? []));
        const ranks = s.targetRank?.data ?? new Int32Array(0);
        const [want, slack] = [decode(truth('targetRank')).data, decode(truth('rankSlack')).data];
        ranks.forEach((rank, i) => {
          if (Math.abs(rank - want[i]) > slack[i]) throw new Error(`${label}: rank[${i}] ${rank}, expected ${want[i]}`);
        });
        const slackTotal = Array.from(slack).reduce((a, b) => a + b, 0);
        const scored = Array.from(ranks).filter((r) => r > 0).length;
        const accuracy = decode(truth('accuracy')).data[0]; // (a float32 in PyTorch's float32)
        expect(Math.abs((s.accuracy ?? 0) - accuracy)).toBeLessThanOrEqual(slackTotal / scored + 1e-7);
        for (const key of ['perplexity', 'sequencePerplexity'] as const) {
          check([s[key] ?? Number.NaN], c.output[key], c.truth?.[key], c.dtype, `${label}: ${key}`);
        }
        const average = 'sequences';
        expect(linearPerplexity(x, w, target, { ...o, average })).toBe(s.sequencePerplexity);
      }
    });
  });
});
