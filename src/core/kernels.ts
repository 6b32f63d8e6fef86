// THE kernel list: every WebAssembly kernel, declared once. scripts/build.mjs generates assembly/index.ts from it
// (the f32 and f64 exports and the glue that reads each kernel's params block), and the exports' type, the thread
// pool's argument slots and the pipeline's calls come from it too; test/kernel-table.test.ts holds every build to
// it, params offsets included.
//
// The ABI: arrays and counts are positional arguments; every other scalar goes in the kernel's params block,
// written once per call, whose address is the export's last argument. Kinds:
//   positional  'ptr' a byte address in WebAssembly memory (0 for an absent array), 'int' an i32 count or size;
//   params      'float' a number of the kernel's dtype, 'f64' a float64 whatever the dtype, 'i32' an integer.
// `args` lists them in the order the implementation takes them; each param fills one 8-byte slot of the block, in
// that order. An elementwise loss's own params (`loss.params`) follow the driver's, read by the loss's class.

export type PositionalKind = 'ptr' | 'int';
export type ParamKind = 'float' | 'f64' | 'i32';
export type ArgKind = PositionalKind | ParamKind;

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
const elementwise = <P extends Readonly<Record<string, ParamKind>>>(lossClass: string, from: string, params: P) =>
  ({
    args: {
      x: 'ptr',
      y: 'ptr',
      rows: 'int',
      cols: 'int',
      weight: 'ptr',
      weightPerElement: 'i32',
      posWeight: 'ptr',
      posWeightPerElement: 'i32',
      ...gradTail,
    },
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
  tokenLogProbs: {
    args: { x: 'ptr', rows: 'int', cols: 'int', targets: 'ptr', scale: 'float', out: 'ptr' },
    impl: 'tokenLogProbsRows',
    from: 'token-log-probs',
    split: true,
  },
  softmaxEntropy: {
    args: { x: 'ptr', rows: 'int', cols: 'int', scale: 'float', out: 'ptr' },
    impl: 'softmaxEntropyRows',
    from: 'softmax-entropy',
    split: true,
  },
  topK: {
    args: {
      x: 'ptr',
      rows: 'int',
      cols: 'int',
      k: 'i32',
      scale: 'float',
      values: 'ptr',
      indices: 'ptr',
      targets: 'ptr',
      tokenOut: 'ptr',
    },
    impl: 'topKRows',
    from: 'top-k',
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
  columnSums: {
    args: { g: 'ptr', rows: 'int', n: 'int', c: 'ptr', accumulate: 'int' },
    impl: 'columnSums',
    from: 'matmul',
    split: false,
  },
  swapLastTwoDims: {
    args: { x: 'ptr', out: 'ptr', outer: 'int', a: 'int', b: 'int' },
    impl: 'swapLastTwoDims',
    from: 'transpose',
    split: false,
  },
  binaryCrossEntropy: elementwise('BinaryCrossEntropy', 'binary-cross-entropy', {}),
  binaryCrossEntropyWithLogits: elementwise('BinaryCrossEntropyWithLogits', 'binary-cross-entropy-with-logits', {}),
  klDiv: elementwise('KlDiv', 'kl-div', {}),
  klDivLogTarget: elementwise('KlDivLogTarget', 'kl-div', {}),
  mseLoss: elementwise('MeanSquaredError', 'mse', {}),
  sigmoidFocalLoss: elementwise('SigmoidFocal', 'sigmoid-focal', { alpha: 'f64', gamma: 'f64' }),
} as const satisfies Record<string, KernelSpec>;

export type KernelName = keyof typeof KERNELS;
type LossParams<K extends KernelName> = (typeof KERNELS)[K] extends { loss: { params: infer P } } ? keyof P : never;
export type ArgName<K extends KernelName> = (keyof (typeof KERNELS)[K]['args'] | LossParams<K>) & string;
export type Dtype = 'f32' | 'f64';
export type ExportName = `${KernelName}${'F32' | 'F64'}`;

/**
 * The part of a WebAssembly.Memory the facade uses, typed without the WebAssembly namespace so that the
 * published declarations compile in projects without the DOM library.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** The exports that are not kernels: memory and its allocator. */
export interface RuntimeExports {
  memory: WasmMemory;
  /** Base of a scratch region of at least `bytes` bytes, reused by every call (the old one is freed). */
  scratch(bytes: number): number;
  /** A block that stays until `release` (0 when memory cannot grow). */
  allocate(bytes: number): number;
  /** Frees a block from `allocate`, given the bytes it was asked for. */
  release(ptr: number, bytes: number): void;
  simdBuild(): number;
  /** The address of the params block (one kernel's scalars, 8 bytes each). */
  paramsBlock(): number;
}

/** What assembly/index.ts exports, typed from the table. */
export type WasmExports = RuntimeExports & Record<ExportName, (...args: number[]) => number | undefined>;

export const exportName = (kernel: KernelName, dtype: Dtype): ExportName =>
  `${kernel}${dtype === 'f64' ? 'F64' : 'F32'}`;

const PARAM_KINDS: ReadonlySet<ArgKind> = new Set<ArgKind>(['float', 'f64', 'i32']);

interface Layout {
  /** Every argument, in the implementation's order. */
  names: string[];
  /** The positional ones, in order (the export's arguments before the params block's address). */
  positional: [string, PositionalKind][];
  /** The params, in block order: the driver's, then the loss class's own. */
  params: [string, ParamKind][];
}

const layouts = new Map<KernelName, Layout>();
/** A kernel's arguments, split into positional ones and params (cached). */
export function layoutOf(kernel: KernelName): Layout {
  let layout = layouts.get(kernel);
  if (!layout) {
    const spec: KernelSpec = KERNELS[kernel];
    const all = Object.entries(spec.args);
    layout = {
      names: all.map(([name]) => name),
      positional: all.filter(([, kind]) => !PARAM_KINDS.has(kind)) as [string, PositionalKind][],
      params: [
        ...(all.filter(([, kind]) => PARAM_KINDS.has(kind)) as [string, ParamKind][]),
        ...Object.entries(spec.loss?.params ?? {}),
      ],
    };
    layouts.set(kernel, layout);
  }
  return layout;
}

/** A kernel's argument names in the implementation's order, its loss's params after them. */
export function argNames<K extends KernelName>(kernel: K): ArgName<K>[] {
  const { names, params } = layoutOf(kernel);
  return [...names, ...params.map(([name]) => name).filter((n) => !names.includes(n))] as ArgName<K>[];
}

/** The kernels that may run on a worker thread, in a fixed order (their index is their id in the pool). */
export const SPLIT_KERNELS: readonly ExportName[] = (Object.keys(KERNELS) as KernelName[])
  .filter((k) => KERNELS[k].split)
  .flatMap((k) => [exportName(k, 'f32'), exportName(k, 'f64')]);

/** The most arguments any splittable kernel's export takes (its positional ones and the params block's address). */
export const MAX_SPLIT_ARGS = Math.max(
  ...(Object.keys(KERNELS) as KernelName[])
    .filter((k) => KERNELS[k].split)
    .map((k) => layoutOf(k).positional.length + 1),
);

const valid = (kind: ArgKind, value: number | undefined): boolean =>
  kind === 'ptr'
    ? Number.isInteger(value) && (value as number) >= 0 && (value as number) < 2 ** 32
    : kind === 'int' || kind === 'i32'
      ? Number.isInteger(value) && Math.abs(value as number) < 2 ** 31
      : typeof value === 'number';

/**
 * A kernel's export arguments: `argument(name, kind)` gives each argument; the params are written into `block`
 * (the params block, viewed as float64) and its `address` ends the list. A value that is not what its kind allows
 * (a missing one, an address or int outside 32 bits, a non-integer) throws: a mistake in a binding must fail
 * loudly, never reach WebAssembly.
 */
export function exportArgs(
  kernel: KernelName,
  argument: (name: string, kind: ArgKind) => number | undefined,
  block: Float64Array,
  address: number,
): number[] {
  const { positional, params } = layoutOf(kernel);
  const args: number[] = [];
  const take = (name: string, kind: ArgKind) => {
    const value = argument(name, kind);
    if (!valid(kind, value)) throw new Error(`xentropy internal error: ${kernel}.${name} (${kind}) = ${value}`);
    return value as number;
  };
  for (const [name, kind] of positional) args.push(take(name, kind));
  if (params.length > 0 || (KERNELS[kernel] as KernelSpec).loss) {
    const first = address / 8;
    params.forEach(([name, kind], i) => {
      block[first + i] = take(name, kind);
    });
    args.push(address);
  }
  return args;
}

/** Every export name the table declares, with the runtime's own. */
export const EXPORT_NAMES: readonly string[] = [
  'memory',
  'scratch',
  'allocate',
  'release',
  'simdBuild',
  'paramsBlock',
  ...(Object.keys(KERNELS) as KernelName[]).flatMap((k) => [exportName(k, 'f32'), exportName(k, 'f64')]),
];

/** The instance's exports, once each one the table declares is checked to be there. @throws Error otherwise. */
export function checkExports(exports: Record<string, unknown>): WasmExports {
  const missing = EXPORT_NAMES.filter((name) => exports[name] === undefined);
  if (missing.length > 0) throw new Error(`xentropy: the WebAssembly build lacks ${missing.join(', ')}`);
  return exports as WasmExports;
}
