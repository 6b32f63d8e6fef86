// The public functions, one entry each (one more for another form of arguments): its family, its …WithGrad
// pair, its arguments' names, and valid arguments and options for an input of any shape and dtype, with values
// from a source the suite picks (constants, random, adversarial). Suites that must cover every function iterate
// this list instead of keeping their own; a function exported without an entry fails
// test/hostile/catalogue.test.ts.
import type * as Xentropy from '../../src/index.js';

export { numbersIn } from '../browser/catalogue-runner.js';

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
  | 'ctc' // log-probabilities (T, N, C) or (T, C), labels and lengths
  | 'distill' // a student's and a teacher's logits of one shape [..., V]
  | 'memory'; // allocTensor

/** Where the numbers in an entry's arguments come from. */
export interface Values {
  /** Any reals: logits, log-probabilities, hidden states, a head's weights. */
  reals(n: number): number[];
  /** Numbers in [0, 1]. */
  probabilities(n: number): number[];
  /** Class indices below `bound`, or the ignored −100. */
  classes(n: number, bound: number): number[];
}

/** Arguments before the options, for an input of `shape` (the logits', the hidden states'). */
export type Args = (Float: Float, shape: readonly number[], values?: Values) => unknown[];
/** Options worth a call of their own, fixed or made for the shape. */
export type Variant = Record<string, unknown> | ((Float: Float, shape: readonly number[], values: Values) => object);

export interface Entry {
  name: keyof Library;
  family: Family;
  /** Another form of the function's arguments (an entry of its own), such as probability targets. */
  form?: string;
  /** The arguments' names, as the function's errors give them. */
  argNames: readonly string[];
  /** The loss's fused …WithGrad, itself an entry of the list. */
  withGrad?: keyof Library;
  args: Args;
  variants?: readonly Variant[];
  /** It takes `options.out`, an array of the input's length that receives its result (or gradient). */
  out?: boolean;
  /** Its golden file from PyTorch (test/golden/<golden>.json), whose cases the golden test runs through the
   * …WithGrad, for the losses that need no test code of their own there (elementwise losses, nllLoss). */
  golden?: string;
}

/** Arrays are only made this large: a shape that holds more (huge dims, no zero) gets an empty one. */
const MAX_MADE = 1 << 18;
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const made = (shape: readonly number[]) => (size(shape) <= MAX_MADE ? size(shape) : 0);

/** The same numbers everywhere: valid for every entry whatever the shape. */
export const CONSTANTS: Values = {
  reals: (n) => Array(n).fill(0.25),
  probabilities: (n) => Array(n).fill(0.5),
  classes: (n, bound) => Array(n).fill(bound > 0 ? 0 : -100),
};

/** Random numbers from `random` (a uniform draw in [0, 1)); the reals from `real` when given. */
export function randomValues(random: () => number, real = () => 8 * random() - 4): Values {
  const draw = (n: number, f: () => number) => Array.from({ length: n }, f);
  return {
    reals: (n) => draw(n, real),
    probabilities: (n) => draw(n, random),
    classes: (n, bound) => draw(n, () => (bound === 0 || random() < 0.1 ? -100 : Math.floor(random() * bound))),
  };
}

/** A tensor of `shape` from the values (its data empty when the shape holds too many elements to make). */
const reals = (F: Float, shape: readonly number[], v: Values) => ({
  data: F.from(v.reals(made(shape))),
  shape: [...shape],
});
const probabilities = (F: Float, shape: readonly number[], v: Values) => ({
  data: F.from(v.probabilities(made(shape))),
  shape: [...shape],
});
const classesOf = (shape: readonly number[], bound: number, v: Values) => ({
  data: Int32Array.from(v.classes(made(shape), bound)),
  shape: [...shape],
});
/** The class-index shape of a class loss's input: the input's without dim 1 ((C) has a 0-dim target). */
const withoutClassDim = (shape: readonly number[]) => (shape.length <= 1 ? [] : shape.filter((_, d) => d !== 1));
const classCount = (shape: readonly number[]) => (shape.length === 1 ? shape[0] : (shape[1] ?? 0));
const withoutLastDim = (shape: readonly number[]) => shape.slice(0, -1);
const lastDim = (shape: readonly number[]) => (shape.length === 0 ? 0 : shape[shape.length - 1]);
const VOCAB = 3;

const alongDim = (name: keyof Library, values: 'reals' | 'probabilities' = 'reals'): Entry => ({
  name,
  family: 'along-dim',
  argNames: ['input'],
  args: (F, shape, v = CONSTANTS) => [values === 'reals' ? reals(F, shape, v) : probabilities(F, shape, v)],
  variants: [{ dim: 0 }],
  out: name === 'softmax' || name === 'logSoftmax',
});
const elementwise = (name: keyof Library): Entry => ({
  name,
  family: 'elementwise',
  argNames: ['input'],
  args: (F, shape, v = CONSTANTS) => [reals(F, shape, v)],
});

interface LossSpec {
  family: Family;
  argNames: readonly string[];
  args: Args;
  /** The shape of the loss under reduction 'none'. */
  lossShape: (shape: readonly number[]) => readonly number[];
  /** Options of this loss, with and without the gradient. */
  variants?: readonly Variant[];
  /** Options of its …WithGrad only. */
  gradVariants?: readonly Variant[];
  out?: boolean;
  golden?: string;
  form?: string;
}
const REDUCTIONS: readonly Variant[] = [{ reduction: 'none' }, { reduction: 'sum' }];
const lossPair = (name: keyof Library, spec: LossSpec): Entry[] => {
  const withGrad = `${name}WithGrad` as keyof Library;
  const { family, argNames, args, form } = spec;
  const own = spec.variants ?? [];
  const gradOutputs: Variant[] = [
    (F, shape, v) => ({ reduction: 'none', gradOutput: reals(F, spec.lossShape(shape), v) }),
    { reduction: 'sum', gradOutput: -0.5 },
  ];
  return [
    { name, family, form, argNames, withGrad, args, variants: [...REDUCTIONS, ...own], golden: spec.golden },
    {
      name: withGrad,
      family,
      form,
      argNames,
      args,
      variants: [...gradOutputs, ...own, ...(spec.gradVariants ?? [])],
      out: spec.out ?? true,
    },
  ];
};

/** Log-probabilities, for nllLoss: the reals made ≤ 0 (∓inf and NaN stay). */
const logProbabilities = (F: Float, shape: readonly number[], v: Values) => {
  const t = reals(F, shape, v);
  return { ...t, data: t.data.map((x) => -Math.abs(x)) };
};
const classArgsOf =
  (input: typeof reals): Args =>
  (F, shape, v = CONSTANTS) => [input(F, shape, v), classesOf(withoutClassDim(shape), classCount(shape), v)];
const classWeight: Variant = (F, shape, v) => ({ weight: F.from(v.probabilities(made([classCount(shape)]))) });
const classLoss = (name: keyof Library, spec: Pick<LossSpec, 'args' | 'variants' | 'gradVariants' | 'golden'>) =>
  lossPair(name, {
    ...spec,
    family: 'class-loss',
    argNames: ['input', 'target'],
    lossShape: withoutClassDim,
    variants: [classWeight, ...(spec.variants ?? [])],
  });
const crossEntropyOnProbabilities = lossPair('crossEntropy', {
  family: 'class-loss',
  form: 'probability targets',
  argNames: ['input', 'target'],
  args: (F, shape, v = CONSTANTS) => [reals(F, shape, v), probabilities(F, shape, v)],
  lossShape: withoutClassDim,
  variants: [classWeight, { labelSmoothing: 0.2 }],
});

const elementwiseLoss = (
  name: keyof Library,
  golden: string,
  variants: readonly Variant[] = [],
  input: 'reals' | 'probabilities' = 'reals',
) =>
  lossPair(name, {
    family: 'elementwise-loss',
    argNames: ['input', 'target'],
    args: (F, shape, v = CONSTANTS) => [
      input === 'reals' ? reals(F, shape, v) : probabilities(F, shape, v),
      probabilities(F, shape, v),
    ],
    lossShape: (shape) => shape,
    variants,
    golden,
  });
const elementWeight: Variant = (F, shape, v) => ({ weight: probabilities(F, shape, v) });
const posWeightPerColumn: Variant = (F, shape, v) => ({ posWeight: probabilities(F, [lastDim(shape)], v) });

const scored: Args = (F, shape, v = CONSTANTS) => [
  reals(F, shape, v),
  classesOf(withoutLastDim(shape), lastDim(shape), v),
];
const linearArgs: Args = (F, shape, v = CONSTANTS) => [
  reals(F, shape, v),
  reals(F, [VOCAB, lastDim(shape)], v),
  classesOf(withoutLastDim(shape), VOCAB, v),
];

/** CTC's input for a shape: (T, N, C) from three dims or more (C their product after the second), else (T, C). */
const ctcShape = (shape: readonly number[]) =>
  shape.length >= 3 ? [shape[0], shape[1], size(shape.slice(2))] : [shape[0] ?? 1, shape[1] ?? 1];
/** n copies of `value` (fewer for a huge dim, whose call then fails on its lengths, with a named error). */
const filled = (n: number, value: number) => Array(Math.min(n, MAX_MADE)).fill(value);
/** One label (1) per sequence where there is a class besides the blank and a frame, else none. */
const ctcArgs: Args = (F, shape, v = CONSTANTS) => {
  const dims = ctcShape(shape);
  const [T, C] = [dims[0], dims[dims.length - 1]];
  const L = C >= 2 && T >= 1 ? 1 : 0;
  const lp = logProbabilities(F, dims, v);
  if (dims.length === 2) return [lp, filled(L, 1), T, L];
  const N = dims[1];
  return [lp, { data: Int32Array.from(filled(N * L, 1)), shape: [N, L] }, filled(N, T), filled(N, L)];
};
const ctcSequence: Args = (F, shape, v = CONSTANTS) => {
  const [T, C] = [shape[0] ?? 1, size(shape.slice(1))];
  return [logProbabilities(F, [T, C], v), filled(C >= 2 && T >= 1 ? 1 : 0, 1)];
};
const ctcEntries: Entry[] = [
  ...lossPair('ctcLoss', {
    family: 'ctc',
    argNames: ['logProbs', 'targets', 'inputLengths', 'targetLengths'],
    args: ctcArgs,
    lossShape: (shape) => (ctcShape(shape).length === 3 ? [shape[1]] : []),
    variants: [{ zeroInfinity: true }, { blank: 0 }],
    gradVariants: [(F, shape) => ({ zeroInfinity: true, out: new F(made(ctcShape(shape))) })],
  }),
  {
    name: 'ctcForcedAlign',
    family: 'ctc',
    argNames: ['logProbs', 'targets'],
    args: ctcSequence,
    variants: [{ blank: 0 }],
  },
  {
    name: 'ctcGreedyDecode',
    family: 'ctc',
    argNames: ['logProbs'],
    args: (F, shape, v) => ctcArgs(F, shape, v).slice(0, 1),
    variants: [(_F, shape) => ({ inputLengths: ctcShape(shape).length === 3 ? filled(shape[1], 0) : [0] })],
  },
  {
    name: 'ctcBeamSearch',
    family: 'ctc',
    argNames: ['logProbs'],
    args: (F, shape, v) => ctcSequence(F, shape, v).slice(0, 1),
    variants: [{ beamWidth: 2 }, (_F, shape) => ({ tokenLogPrior: filled(size(shape.slice(1)), -0.5) })],
  },
];

/** Distillation: two tensors of logits; labels (one per row) leave rows out. */
const distillPair = (name: keyof Library, variants: readonly Variant[]) =>
  lossPair(name, {
    family: 'distill',
    argNames: ['student', 'teacher'],
    args: (F, shape, v = CONSTANTS) => [reals(F, shape, v), reals(F, shape, v)],
    lossShape: (shape) => shape,
    variants: [
      ...variants,
      (_F, shape, v) => ({ labels: classesOf(withoutLastDim(shape), lastDim(shape), v).data, reduction: 'mean' }),
    ],
  });
/** A teacher's top 2 (or fewer) per row: the first ids, log-probabilities of −1 and −2 (summing below 1). */
const teacherTopK = (F: Float, shape: readonly number[]) => {
  const rows = size(withoutLastDim(shape));
  const k = Math.min(2, lastDim(shape));
  const made = rows * k <= MAX_MADE ? rows * k : 0;
  return {
    indices: { data: Int32Array.from({ length: made }, (_, i) => i % k), shape: [...withoutLastDim(shape), k] },
    logProbs: {
      data: F.from(Array.from({ length: made }, (_, i) => -1 - (i % k))),
      shape: [...withoutLastDim(shape), k],
    },
  };
};
const distillEntries: Entry[] = [
  ...lossPair('distillKlDiv', {
    family: 'distill',
    form: 'top-k teacher',
    argNames: ['student', 'teacher'],
    args: (F, shape, v = CONSTANTS) => [reals(F, shape, v), teacherTopK(F, shape)],
    lossShape: (shape) => [...withoutLastDim(shape), Math.min(2, lastDim(shape))],
    variants: [{ tail: 'bucket', temperature: 2 }, { direction: 'reverse' }],
  }),
  ...distillPair('distillKlDiv', [{ temperature: 2, direction: 'reverse' }]),
  ...distillPair('jsd', [
    { beta: 0.2, temperature: 0.5 },
    { beta: 1 },
    (_F, shape, v) => ({ labels: classesOf(withoutLastDim(shape), lastDim(shape), v).data, weightHard: 0.5 }),
  ]),
  ...distillPair('tvd', [{ temperature: 3, reduction: 'batchmean' }]),
];

/** Fused distillation: the student's hidden states and head [VOCAB, d], against a teacher of that vocabulary. */
const teacherKinds = {
  head: (F: Float, shape: readonly number[], v: Values) => ({
    input: reals(F, [...withoutLastDim(shape), 2], v),
    linearWeight: reals(F, [VOCAB, 2], v),
  }),
  logits: (F: Float, shape: readonly number[], v: Values) => reals(F, [...withoutLastDim(shape), VOCAB], v),
  'top-k': (F: Float, shape: readonly number[]) => teacherTopK(F, [...withoutLastDim(shape), VOCAB]),
};
const linearDistillPair = (name: keyof Library, teacher: keyof typeof teacherKinds, variants: readonly Variant[]) =>
  lossPair(name, {
    family: 'linear',
    form: teacher === 'head' ? undefined : `${teacher} teacher`,
    argNames: ['input', 'linearWeight', 'teacher'],
    args: (F, shape, v = CONSTANTS) => [
      reals(F, shape, v),
      reals(F, [VOCAB, lastDim(shape)], v),
      teacherKinds[teacher](F, shape, v),
    ],
    lossShape: (shape) => [...withoutLastDim(shape), teacher === 'top-k' ? 2 : VOCAB],
    variants: [...variants, (F, _shape, v) => ({ linearBias: F.from(v.reals(VOCAB)), chunkSize: 1 })],
    out: false,
  });
const linearDistillEntries: Entry[] = [
  ...linearDistillPair('linearDistillKlDiv', 'head', [
    { temperature: 2, direction: 'reverse' },
    (_F, shape, v) => ({ labels: classesOf(withoutLastDim(shape), VOCAB, v).data, weightHard: 0.5 }),
  ]),
  ...linearDistillPair('linearJsd', 'head', [{ beta: 0.2, temperature: 0.5 }]),
  ...linearDistillPair('linearJsd', 'logits', [{ beta: 1 }]),
  ...linearDistillPair('linearTvd', 'top-k', [{ tail: 'bucket', reduction: 'batchmean' }]),
];

export const CATALOGUE: readonly Entry[] = [
  alongDim('softmax'),
  alongDim('logSoftmax'),
  alongDim('logSumExp'),
  alongDim('entropy', 'probabilities'),
  elementwise('sigmoid'),
  elementwise('logSigmoid'),
  ...classLoss('crossEntropy', {
    args: classArgsOf(reals),
    variants: [{ labelSmoothing: 0.1 }, { softcap: 3, lseSquareScale: 1e-2, reduction: 'none' }],
    gradVariants: [{ softcap: 3, lseSquareScale: 1e-2, returnLse: true, reduction: 'none' }],
  }),
  ...crossEntropyOnProbabilities,
  ...classLoss('nllLoss', { args: classArgsOf(logProbabilities), golden: 'nll_loss' }),
  ...elementwiseLoss('binaryCrossEntropy', 'binary_cross_entropy', [elementWeight], 'probabilities'),
  ...elementwiseLoss('binaryCrossEntropyWithLogits', 'binary_cross_entropy_with_logits', [
    elementWeight,
    posWeightPerColumn,
  ]),
  ...elementwiseLoss('sigmoidFocalLoss', 'sigmoid_focal_loss', [{ alpha: -1, gamma: 0.5 }]),
  ...elementwiseLoss('klDiv', 'kl_div', [{ reduction: 'batchmean' }, { logTarget: true }]),
  ...elementwiseLoss('mseLoss', 'mse_loss'),
  ...elementwiseLoss('huberLoss', 'huber_loss', [{ delta: 0.5 }]),
  ...elementwiseLoss('smoothL1Loss', 'smooth_l1_loss', [{ beta: 0 }, { beta: 0.5 }]),
  ...elementwiseLoss('l1Loss', 'l1_loss'),
  {
    name: 'tokenLogProbs',
    family: 'scoring',
    argNames: ['logits', 'target'],
    args: scored,
    variants: [{ shift: true }, { temperature: 0.7 }],
  },
  {
    name: 'perplexity',
    family: 'scoring',
    argNames: ['logits', 'target'],
    args: scored,
    variants: [{ shift: true }],
  },
  {
    name: 'topK',
    family: 'scoring',
    argNames: ['logits', 'k'],
    args: (F, shape, v = CONSTANTS) => [reals(F, shape, v), lastDim(shape) >= 2 ? 2 : 1],
  },
  {
    name: 'softmaxEntropy',
    family: 'scoring',
    argNames: ['logits'],
    args: (F, shape, v) => [reals(F, shape, v ?? CONSTANTS)],
  },
  ...lossPair('linearCrossEntropy', {
    family: 'linear',
    argNames: ['input', 'linearWeight', 'target'],
    args: linearArgs,
    lossShape: withoutLastDim,
    variants: [(F, _shape, v) => ({ linearBias: F.from(v.reals(VOCAB)) })],
    out: false,
  }),
  {
    name: 'linearTokenLogProbs',
    family: 'linear',
    argNames: ['input', 'linearWeight', 'target'],
    args: linearArgs,
    variants: [{ shift: true }, (F, _shape, v) => ({ linearBias: F.from(v.reals(VOCAB)), softcap: 2 })],
  },
  {
    name: 'linearPerplexity',
    family: 'linear',
    argNames: ['input', 'linearWeight', 'target'],
    args: linearArgs,
    variants: [{ average: 'sequences' }],
  },
  {
    name: 'linearSoftmaxEntropy',
    family: 'linear',
    argNames: ['input', 'linearWeight'],
    args: (F, shape, v) => linearArgs(F, shape, v).slice(0, 2),
    variants: [{ temperature: 0.7 }],
  },
  {
    name: 'linearTopK',
    family: 'linear',
    argNames: ['input', 'linearWeight', 'k'],
    args: (F, shape, v) => [...linearArgs(F, shape, v).slice(0, 2), 2],
    variants: [(_F, shape, v) => ({ target: classesOf(withoutLastDim(shape), VOCAB, v) })],
  },
  {
    name: 'linearScore',
    family: 'linear',
    argNames: ['input', 'linearWeight'],
    args: (F, shape, v) => linearArgs(F, shape, v).slice(0, 2),
    variants: [(_F, shape, v) => ({ target: classesOf(withoutLastDim(shape), VOCAB, v), k: 2, shift: true })],
  },
  {
    name: 'meanDivisor',
    family: 'divisor',
    argNames: ['target'],
    args: (_, shape, v = CONSTANTS) => [classesOf(shape, 2, v)],
  },
  ...ctcEntries,
  ...distillEntries,
  ...linearDistillEntries,
  { name: 'allocTensor', family: 'memory', argNames: ['dtype', 'shape'], args: (F, shape) => [F, [...shape]] },
];

/** The async exports: promises of what a catalogue entry returns (linearScore's), covered by their own suite
 * (test/correctness/linear-scoring-async.test.ts), options given null included. */
export const ASYNC_EXPORTS: readonly string[] = ['linearScoreAsync'];

/** The exports that are not functions of tensors: the runtime's face. */
export const RUNTIME_EXPORTS: readonly string[] = ['init', 'release', 'wasmBuild', 'wasmMemoryBytes', 'wasmThreads'];

/** One call of a public function, its arguments made. */
export interface Call {
  label: string;
  name: keyof Library;
  args: unknown[];
  options?: object;
}

/** The entry's calls for an input of `shape`: without options, then one per variant. */
export function callsOf(entry: Entry, Float: Float, shape: readonly number[], values: Values = CONSTANTS): Call[] {
  const dtype = Float === Float32Array ? 'float32' : 'float64';
  const head = `${entry.name}${entry.form ? ` (${entry.form})` : ''} [${dtype}] [${shape.join(', ')}]`;
  const variants = [undefined, ...(entry.variants ?? [])];
  return variants.map((variant, k) => {
    const options = typeof variant === 'function' ? variant(Float, shape, values) : variant;
    return { label: `${head} #${k}`, name: entry.name, args: entry.args(Float, shape, values), options };
  });
}

/** Shapes for a run of every call: rows and classes, and a dim after the classes. */
export const CATALOGUE_SHAPES: readonly (readonly number[])[] = [
  [3, 5],
  [2, 3, 4],
];

/** Every entry's calls (allocTensor aside), in both dtypes, for each shape (of two dims or more, where every
 * variant is valid). */
export function everyCall(shapes: readonly (readonly number[])[], values: Values): Call[] {
  return CATALOGUE.filter((e) => e.family !== 'memory').flatMap((entry) =>
    [Float32Array, Float64Array].flatMap((Float) => shapes.flatMap((shape) => callsOf(entry, Float, shape, values))),
  );
}

/** A call that must throw: which error, and the words its message must hold (the function's, the argument's). */
export interface Mistake {
  what: string;
  args: unknown[];
  options?: unknown;
  error: typeof TypeError | typeof RangeError;
  mentions: string[];
}

const isTensor = (value: unknown): value is { data: ArrayLike<number>; shape: number[] } =>
  typeof value === 'object' && value !== null && 'shape' in value && 'data' in value;

/** Invalid calls of the entry, for an input of [2, 3]: each argument of the wrong kind, each tensor's shape not its
 * data's, and options that are not an object or name an option it does not take. */
export function mistakesOf(entry: Entry, Float: Float): Mistake[] {
  const args = entry.args(Float, [2, 3]);
  const named = (k: number) => [entry.name, entry.argNames[k]];
  const replaced = (k: number, value: unknown) => args.map((arg, j) => (j === k ? value : arg));
  const mistakes: Mistake[] = args.flatMap((arg, k): Mistake[] => [
    { what: `${entry.argNames[k]} a string`, args: replaced(k, 'text'), error: TypeError, mentions: named(k) },
    ...(isTensor(arg)
      ? [
          {
            what: `${entry.argNames[k]}.shape not its data's`,
            args: replaced(k, { data: arg.data, shape: [...arg.shape, 2] }),
            error: RangeError,
            mentions: [entry.name, `${entry.argNames[k]}.shape`],
          },
        ]
      : []),
  ]);
  if (entry.family === 'memory') return mistakes;
  const noOptions = entry.family === 'elementwise';
  return [
    ...mistakes,
    {
      what: 'options a number',
      args,
      options: 5,
      error: TypeError,
      mentions: [entry.name, noOptions ? 'no options' : 'options'],
    },
    {
      what: 'an unknown option',
      args,
      options: { bogus: 1 },
      error: TypeError,
      mentions: [entry.name, noOptions ? 'no options' : 'unknown option "bogus"'],
    },
  ];
}
