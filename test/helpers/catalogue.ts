// The public functions, one entry each: its family, its …WithGrad pair, and valid arguments for an input of any
// shape and dtype. Suites that must cover every function iterate this list instead of keeping their own; a
// function exported without an entry fails test/hostile/catalogue.test.ts.
import type * as Xentropy from '../../src/index.js';

export type Library = typeof Xentropy;
export type Float = Float32ArrayConstructor | Float64ArrayConstructor;

export type Family =
  | 'along-dim' // softmax, logSoftmax, logSumExp, entropy: one row per position of the other dims
  | 'elementwise' // sigmoid, logSigmoid
  | 'class-loss' // an input (N, C, d…) and class indices (N, d…)
  | 'elementwise-loss' // an input and a target of the same shape
  | 'scoring' // logits [..., V], token ids [...]
  | 'linear' // hidden states [..., d], a head [V, d], token ids [...]
  | 'divisor' // meanDivisor: class indices only
  | 'memory'; // allocTensor

export interface Entry {
  name: keyof Library;
  family: Family;
  /** The loss's fused …WithGrad, itself an entry of the list. */
  withGrad?: keyof Library;
  /** Arguments before the options, for an input of `shape` (the logits', the hidden states'). */
  args(Float: Float, shape: readonly number[]): unknown[];
  /** Options worth a call of their own (besides none). */
  variants?: readonly Record<string, unknown>[];
  /** Its golden file from PyTorch (test/golden/<golden>.json), whose cases the golden test runs through the
   * …WithGrad, for the losses that need no test code of their own there (elementwise losses, nllLoss). */
  golden?: string;
}

/** Arrays are only made this large: a shape that holds more (huge dims, no zero) gets an empty one. */
const MAX_MADE = 1 << 16;
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const made = (shape: readonly number[]) => (size(shape) <= MAX_MADE ? size(shape) : 0);

/** A tensor of `shape` (its data empty when the shape holds too many elements to make). */
export const tensorOf = (Float: Float, shape: readonly number[], value = 0.25) => ({
  data: new Float(made(shape)).fill(value),
  shape: [...shape],
});
const indicesOf = (shape: readonly number[], value: number) => ({
  data: new Int32Array(made(shape)).fill(value),
  shape: [...shape],
});
/** The class-index shape of a class loss's input: the input's without dim 1 ((C) has a 0-dim target). */
const withoutClassDim = (shape: readonly number[]) => (shape.length <= 1 ? [] : shape.filter((_, d) => d !== 1));
const withoutLastDim = (shape: readonly number[]) => shape.slice(0, -1);
const VOCAB = 3;

const alongDim = (name: keyof Library): Entry => ({
  name,
  family: 'along-dim',
  args: (F, shape) => [tensorOf(F, shape)],
  variants: [{ dim: 0 }],
});
const elementwise = (name: keyof Library): Entry => ({
  name,
  family: 'elementwise',
  args: (F, shape) => [tensorOf(F, shape)],
});
const lossPair = (family: Family, name: keyof Library, args: Entry['args'], golden?: string): Entry[] => {
  const withGrad = `${name}WithGrad` as keyof Library;
  return [
    { name, family, withGrad, args, variants: [{ reduction: 'none' }, { reduction: 'sum' }], golden },
    { name: withGrad, family, args, variants: [{ reduction: 'none' }] },
  ];
};
// ignored targets (−100): valid whatever the class dim holds
const classLoss = (name: keyof Library, golden?: string) =>
  lossPair('class-loss', name, (F, shape) => [tensorOf(F, shape), indicesOf(withoutClassDim(shape), -100)], golden);
const elementwiseLoss = (name: keyof Library, golden: string) =>
  lossPair('elementwise-loss', name, (F, shape) => [tensorOf(F, shape), tensorOf(F, shape, 0.5)], golden);
const scored = (F: Float, shape: readonly number[]) => [tensorOf(F, shape), indicesOf(withoutLastDim(shape), 0)];
const linearArgs = (F: Float, shape: readonly number[]) => {
  const d = shape.length === 0 ? 0 : shape[shape.length - 1];
  return [tensorOf(F, shape), tensorOf(F, [VOCAB, d]), indicesOf(withoutLastDim(shape), 0)];
};

export const CATALOGUE: readonly Entry[] = [
  alongDim('softmax'),
  alongDim('logSoftmax'),
  alongDim('logSumExp'),
  alongDim('entropy'),
  elementwise('sigmoid'),
  elementwise('logSigmoid'),
  ...classLoss('crossEntropy'),
  ...classLoss('nllLoss', 'nll_loss'),
  ...elementwiseLoss('binaryCrossEntropy', 'binary_cross_entropy'),
  ...elementwiseLoss('binaryCrossEntropyWithLogits', 'binary_cross_entropy_with_logits'),
  ...elementwiseLoss('sigmoidFocalLoss', 'sigmoid_focal_loss'),
  ...elementwiseLoss('klDiv', 'kl_div'),
  ...elementwiseLoss('mseLoss', 'mse_loss'),
  ...elementwiseLoss('huberLoss', 'huber_loss'),
  ...elementwiseLoss('smoothL1Loss', 'smooth_l1_loss'),
  ...elementwiseLoss('l1Loss', 'l1_loss'),
  { name: 'tokenLogProbs', family: 'scoring', args: scored, variants: [{ shift: true }] },
  { name: 'perplexity', family: 'scoring', args: scored, variants: [{ shift: true }] },
  { name: 'topK', family: 'scoring', args: (F, shape) => [tensorOf(F, shape), 1] },
  { name: 'softmaxEntropy', family: 'scoring', args: (F, shape) => [tensorOf(F, shape)] },
  ...lossPair('linear', 'linearCrossEntropy', linearArgs),
  { name: 'meanDivisor', family: 'divisor', args: (_, shape) => [indicesOf(shape, 0)] },
  { name: 'allocTensor', family: 'memory', args: (F, shape) => [F, [...shape]] },
];

/** The exports that are not functions of tensors: the runtime's face. */
export const RUNTIME_EXPORTS: readonly string[] = ['init', 'wasmBuild', 'wasmMemoryBytes', 'wasmThreads'];
