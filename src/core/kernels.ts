// THE kernel list: every WebAssembly kernel, declared once. scripts/build.mjs generates assembly/index.ts from it
// (the f32 and f64 exports and the glue that reads each kernel's params block), and the exports' type, the thread
// pool's argument slots and the pipeline's calls come from it too; test/runtime/kernel-table.test.ts holds every
// build to it, params offsets included.
//
// The ABI: arrays and counts are positional arguments; every other scalar goes in the kernel's params block,
// written once per call, whose address is the export's last argument. Kinds:
//   positional  'ptr' a byte address in WebAssembly memory (0 for an absent array), 'int' an i32 count or size;
//   params      'float' a number of the kernel's dtype, 'f64' a float64 whatever the dtype, 'i32' an integer.
// `args` lists them in the order the implementation takes them; each param fills one 8-byte slot of the block, in
// that order. An elementwise loss's own params (`loss.params`) follow the driver's, read by the loss's class.

export type PositionalKind = 'ptr' | 'int';
export type ParamKind = 'float' | 'f64' | 'i32';
/** 'zero': an argument of the implementation this kernel does not take; the export passes it a constant 0, which
 * the compiler folds away (an elementwise loss with no weight keeps no weight code). */
export type ArgKind = PositionalKind | ParamKind | 'zero';

interface KernelSpec {
  /** The arguments, in the order the implementation takes them. */
  readonly args: Readonly<Record<string, ArgKind>>;
  /** The implementation: a generic function of assembly/kernels/<from>.ts, called as impl<T>(…args). */
  readonly impl: string;
  readonly from: string;
  /** An elementwise loss: the driver (impl) instantiated with this class, which reads its own params. */
  readonly loss?: {
    readonly class: string;
    readonly from: string;
    readonly params: Readonly<Record<string, ParamKind>>;
  };
  /** Whether rows may be shared among threads (each row written by one thread only; returns nothing). */
  readonly split: boolean;
  /** 'sum': the kernel returns Σ loss of the rows it ran (it cannot be split). */
  readonly returns?: 'sum';
  /** The argument that counts the rows a thread's share takes (default 'rows'). */
  readonly rowsArg?: string;
  /** Threads take rows in multiples of this (default 1). */
  readonly granule?: number;
}

const rows = { x: 'ptr', rows: 'int', cols: 'int', out: 'ptr' } as const;
const rowKernel = (impl: string, from: string) => ({ args: rows, impl, from, split: true }) as const;
const gradTail = { lossOut: 'ptr', grad: 'ptr', gradScale: 'f64', gradOutput: 'ptr' } as const;
/** The elementwise losses' driver (assembly/kernels/losses/driver.ts) and its arguments. */
const weights = { weight: 'ptr', weightPerElement: 'i32' } as const;
const posWeights = { posWeight: 'ptr', posWeightPerElement: 'i32' } as const;
const noWeights = { weight: 'zero', weightPerElement: 'zero' } as const;
const noPosWeights = { posWeight: 'zero', posWeightPerElement: 'zero' } as const;
const elementwise = <P extends Readonly<Record<string, ParamKind>>, W extends object, PW extends object>(
  lossClass: string,
  from: string,
  params: P,
  [weight, posWeight]: [W, PW],
) =>
  ({
    args: { x: 'ptr', y: 'ptr', rows: 'int', cols: 'int', ...weight, ...posWeight, ...gradTail },
    impl: 'elementwiseLoss',
    from: 'losses/driver',
    loss: { class: lossClass, from: `losses/${from}`, params },
    split: false,
    returns: 'sum',
  }) as const;

export const KERNELS = {
  logSumExp: rowKernel('logSumExpRows', 'log-sum-exp'),
  logSumExpWide: rowKernel('logSumExpWideRows', 'log-sum-exp'),
  softmax: rowKernel('softmaxRows', 'softmax'),
  logSoftmax: rowKernel('logSoftmaxRows', 'log-softmax'),
  entropy: rowKernel('entropyRows', 'entropy'),
  sigmoid: rowKernel('sigmoidRows', 'sigmoid'),
  logSigmoid: rowKernel('logSigmoidRows', 'sigmoid'),
  crossEntropyIndex: {
    args: {
      x: 'ptr',
      rows: 'int',
      cols: 'int',
      targets: 'ptr',
      weight: 'ptr',
      smoothing: 'float',
      softcap: 'float',
      zScale: 'float',
      zGrad: 'f64',
      lseIn: 'ptr',
      vocabStart: 'i32',
      vocabSize: 'i32',
      safe: 'i32',
      lossOut: 'ptr',
      zLossOut: 'ptr',
      lseOut: 'ptr',
      grad: 'ptr',
      gradScale: 'f64',
      gradOutput: 'ptr',
    },
    impl: 'crossEntropyIndexRows',
    from: 'cross-entropy',
    split: true,
  },
  crossEntropyProb: {
    args: { x: 'ptr', targets: 'ptr', rows: 'int', cols: 'int', weight: 'ptr', smoothing: 'float', ...gradTail },
    impl: 'crossEntropyProbRows',
    from: 'cross-entropy',
    split: true,
  },
  nllLoss: {
    args: { picked: 'ptr', rows: 'int', cols: 'int', targets: 'ptr', weight: 'ptr', ...gradTail },
    impl: 'nllLossRows',
    from: 'nll-loss',
    split: true,
  },
  score: {
    args: {
      x: 'ptr',
      rows: 'int',
      cols: 'int',
      tileStart: 'i32',
      scale: 'float',
      softcap: 'float',
      k: 'i32',
      wants: 'i32',
      targets: 'ptr',
      targetLogits: 'ptr',
      state: 'ptr',
      values: 'ptr',
      indices: 'ptr',
      tokenOut: 'ptr',
      entropyOut: 'ptr',
      lseOut: 'ptr',
      rankOut: 'ptr',
    },
    impl: 'scoreRows',
    from: 'score',
    split: true,
  },
  matmul: {
    args: {
      a: 'ptr',
      rowStride: 'int',
      innerStride: 'int',
      b: 'ptr',
      c: 'ptr',
      m: 'int',
      n: 'int',
      k: 'int',
      accumulate: 'int',
    },
    impl: 'matmulRows',
    from: 'matmul',
    split: true, // over the rows of A and C, in multiples of the tile's 4 rows: each row sums as on one thread
    rowsArg: 'm',
    granule: 4,
  },
  rowDots: {
    args: {
      x: 'ptr',
      rows: 'int',
      k: 'int',
      w: 'ptr',
      bias: 'ptr',
      softcap: 'float',
      targets: 'ptr',
      out: 'ptr',
    },
    impl: 'rowDots',
    from: 'matmul',
    split: true,
  },
  columnSums: {
    args: { g: 'ptr', rows: 'int', n: 'int', c: 'ptr', accumulate: 'int' },
    impl: 'columnSums',
    from: 'matmul',
    split: false,
  },
  // the fused linear backward with filterEps (assembly/kernels/filtered-backward.ts)
  keepLargeRows: {
    args: {
      x: 'ptr',
      rows: 'int',
      cols: 'int',
      lse: 'ptr',
      targets: 'ptr',
      g: 'ptr',
      index: 'ptr',
      count: 'ptr',
      logEps: 'f64',
      softcap: 'float',
    },
    impl: 'keepLargeRows',
    from: 'filtered-backward',
    split: true,
  },
  sparseRowProducts: {
    args: { values: 'ptr', rows: 'int', cols: 'int', index: 'ptr', count: 'ptr', w: 'ptr', d: 'int', out: 'ptr' },
    impl: 'sparseRowProducts',
    from: 'filtered-backward',
    split: true,
  },
  keptByColumn: {
    args: {
      values: 'ptr',
      rows: 'int',
      cols: 'int',
      index: 'ptr',
      count: 'ptr',
      start: 'ptr',
      rowOf: 'ptr',
      valueOf: 'ptr',
    },
    impl: 'keptByColumn',
    from: 'filtered-backward',
    split: false,
  },
  sparseColumnProducts: {
    args: {
      start: 'ptr',
      rowOf: 'ptr',
      valueOf: 'ptr',
      x: 'ptr',
      d: 'int',
      c0: 'ptr',
      c: 'ptr',
      vocabRows: 'int',
      accumulate: 'int',
    },
    impl: 'sparseColumnProducts',
    from: 'filtered-backward',
    split: true, // over the vocabulary's rows: each gradWeight row is one thread's
    rowsArg: 'vocabRows',
  },
  swapLastTwoDims: {
    args: { x: 'ptr', out: 'ptr', outer: 'int', a: 'int', b: 'int' },
    impl: 'swapLastTwoDims',
    from: 'transpose',
    split: false,
  },
  ctcLoss: {
    args: {
      logProbs: 'ptr',
      batch: 'int',
      classes: 'int',
      frameStride: 'int',
      frames: 'int',
      targets: 'ptr',
      maxTarget: 'int',
      inputLengths: 'ptr',
      targetLengths: 'ptr',
      scratch: 'ptr',
      lossOut: 'ptr',
      grad: 'ptr',
      gradScales: 'ptr',
      blank: 'i32',
      zeroInfinity: 'i32',
    },
    impl: 'ctcLossRows',
    from: 'ctc',
    split: true, // over the sequences: each one's loss, gradient and scratch are its own
    rowsArg: 'batch',
  },
  distill: {
    args: {
      x: 'ptr',
      teacher: 'ptr',
      studentExp: 'ptr',
      teacherExp: 'ptr',
      rows: 'int',
      cols: 'int',
      labels: 'ptr',
      divergence: 'i32',
      beta: 'f64',
      invTemperature: 'float',
      lossScale: 'float',
      hardWeight: 'f64',
      perElement: 'i32',
      ...gradTail,
    },
    impl: 'distillRows',
    from: 'distill',
    split: true,
  },
  distillTopK: {
    args: {
      x: 'ptr',
      rows: 'int',
      cols: 'int',
      ids: 'ptr',
      teacher: 'ptr',
      k: 'int',
      labels: 'ptr',
      divergence: 'i32',
      beta: 'f64',
      invTemperature: 'float',
      lossScale: 'float',
      bucket: 'i32',
      perElement: 'i32',
      ...gradTail,
    },
    impl: 'distillTopKRows',
    from: 'distill-top-k',
    split: true,
  },
  binaryCrossEntropy: elementwise('BinaryCrossEntropy', 'binary-cross-entropy', {}, [weights, noPosWeights]),
  binaryCrossEntropyWithLogits: elementwise('BinaryCrossEntropyWithLogits', 'binary-cross-entropy-with-logits', {}, [
    weights,
    posWeights,
  ]),
  klDiv: elementwise('KlDiv', 'kl-div', {}, [noWeights, noPosWeights]),
  klDivLogTarget: elementwise('KlDivLogTarget', 'kl-div', {}, [noWeights, noPosWeights]),
  mseLoss: elementwise('MeanSquaredError', 'mse', {}, [noWeights, noPosWeights]),
  smoothL1Loss: elementwise('SmoothL1', 'smooth-l1', { threshold: 'f64', form: 'i32' }, [noWeights, noPosWeights]),
  sigmoidFocalLoss: elementwise('SigmoidFocal', 'sigmoid-focal', { alpha: 'f64', gamma: 'f64' }, [
    noWeights,
    noPosWeights,
  ]),
} as const satisfies Record<string, KernelSpec>;

export type KernelName = keyof typeof KERNELS;
type LossParams<K extends KernelName> = (typeof KERNELS)[K] extends { loss: { params: infer P } } ? keyof P : never;
export type ArgName<K extends KernelName> = (keyof (typeof KERNELS)[K]['args'] | LossParams<K>) & string;
export type Dtype = 'f32' | 'f64';
export type ExportName = `${KernelName}${'F32' | 'F64'}`;
