// THE kernel table: every WebAssembly export, declared once with its arguments in order and their kinds.
// The exports' type, the thread pool's argument slots and the pipeline's calls all come from it, and
// test/kernel-table.test.ts fails if assembly/index.ts exports a kernel this table lacks, or the reverse.
//
// Argument kinds: 'ptr' a byte address in WebAssembly memory (0 for an absent array), 'int' an i32,
// 'float' a number of the kernel's dtype, 'f64' a float64 whatever the dtype.

export type ArgKind = 'ptr' | 'int' | 'float' | 'f64';

interface KernelSpec {
  /** The arguments in the order the export takes them. */
  readonly args: Readonly<Record<string, ArgKind>>;
  /** Whether rows may be shared among threads (each row written by one thread only; returns nothing). */
  readonly split: boolean;
  /** 'sum': the kernel returns Σ loss of the rows it ran (it cannot be split). */
  readonly returns?: 'sum';
  /** The argument that counts the rows a thread's share takes (default 'rows'). */
  readonly rowsArg?: string;
  /** Threads take rows in multiples of this (default 1). */
  readonly granule?: number;
}

const rowKernel = { args: { x: 'ptr', rows: 'int', cols: 'int', out: 'ptr' }, split: true } as const;
const gradTail = { lossOut: 'ptr', grad: 'ptr', gradScale: 'f64', gradOutput: 'ptr' } as const;
const pairLoss = { x: 'ptr', y: 'ptr', rows: 'int', cols: 'int' } as const;

export const KERNELS = {
  logSumExp: rowKernel,
  logSumExpWide: rowKernel,
  softmax: rowKernel,
  logSoftmax: rowKernel,
  entropy: rowKernel,
  sigmoid: rowKernel,
  logSigmoid: rowKernel,
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
      vocabStart: 'int',
      vocabSize: 'int',
      safe: 'int',
      lossOut: 'ptr',
      zLossOut: 'ptr',
      lseOut: 'ptr',
      grad: 'ptr',
      gradScale: 'f64',
      gradOutput: 'ptr',
    },
    split: true,
  },
  crossEntropyProb: {
    args: { x: 'ptr', targets: 'ptr', rows: 'int', cols: 'int', weight: 'ptr', smoothing: 'float', ...gradTail },
    split: true,
  },
  nllLoss: {
    args: { picked: 'ptr', rows: 'int', cols: 'int', targets: 'ptr', weight: 'ptr', ...gradTail },
    split: true,
  },
  tokenLogProbs: {
    args: { x: 'ptr', rows: 'int', cols: 'int', targets: 'ptr', scale: 'float', out: 'ptr' },
    split: true,
  },
  softmaxEntropy: { args: { x: 'ptr', rows: 'int', cols: 'int', scale: 'float', out: 'ptr' }, split: true },
  topK: {
    args: {
      x: 'ptr',
      rows: 'int',
      cols: 'int',
      k: 'int',
      scale: 'float',
      values: 'ptr',
      indices: 'ptr',
      targets: 'ptr',
      tokenOut: 'ptr',
    },
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
    split: true, // over the rows of A and C, in multiples of the tile's 4 rows: each row sums as on one thread
    rowsArg: 'm',
    granule: 4,
  },
  columnSums: { args: { g: 'ptr', rows: 'int', n: 'int', c: 'ptr', accumulate: 'int' }, split: false },
  swapLastTwoDims: { args: { x: 'ptr', out: 'ptr', outer: 'int', a: 'int', b: 'int' }, split: false },
  binaryCrossEntropy: {
    args: { ...pairLoss, weight: 'ptr', weightPerElement: 'int', ...gradTail },
    split: false,
    returns: 'sum',
  },
  binaryCrossEntropyWithLogits: {
    args: {
      ...pairLoss,
      weight: 'ptr',
      weightPerElement: 'int',
      posWeight: 'ptr',
      posWeightPerElement: 'int',
      ...gradTail,
    },
    split: false,
    returns: 'sum',
  },
  klDiv: { args: { ...pairLoss, ...gradTail }, split: false, returns: 'sum' },
  klDivLogTarget: { args: { ...pairLoss, ...gradTail }, split: false, returns: 'sum' },
  mseLoss: { args: { ...pairLoss, ...gradTail }, split: false, returns: 'sum' },
  sigmoidFocalLoss: { args: { ...pairLoss, alpha: 'f64', gamma: 'f64', ...gradTail }, split: false, returns: 'sum' },
} as const satisfies Record<string, KernelSpec>;

export type KernelName = keyof typeof KERNELS;
export type ArgName<K extends KernelName> = keyof (typeof KERNELS)[K]['args'] & string;
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
}

/** What assembly/index.ts exports, typed from the table. */
export type WasmExports = RuntimeExports & Record<ExportName, (...args: number[]) => number | undefined>;

export const exportName = (kernel: KernelName, dtype: Dtype): ExportName =>
  `${kernel}${dtype === 'f64' ? 'F64' : 'F32'}`;

const names = new Map<KernelName, string[]>();
/** A kernel's argument names in order (own keys only, cached). */
export function argNames<K extends KernelName>(kernel: K): ArgName<K>[] {
  let list = names.get(kernel);
  if (!list) {
    list = Object.keys(KERNELS[kernel].args);
    names.set(kernel, list);
  }
  return list as ArgName<K>[];
}

/** The kernels that may run on a worker thread, in a fixed order (their index is their id in the pool). */
export const SPLIT_KERNELS: readonly ExportName[] = (Object.keys(KERNELS) as KernelName[])
  .filter((k) => KERNELS[k].split)
  .flatMap((k) => [exportName(k, 'f32'), exportName(k, 'f64')]);

/** The most arguments any splittable kernel takes: the size of a worker's argument slot. */
export const MAX_SPLIT_ARGS = Math.max(
  ...(Object.keys(KERNELS) as KernelName[]).filter((k) => KERNELS[k].split).map((k) => argNames(k).length),
);

/**
 * The positional argument list of `kernel`: `argument(name, kind)` gives each argument in the table's order. A
 * value that is not what its kind allows (a missing one, an address or int outside 32 bits, a non-integer)
 * throws: a mistake in a binding must fail loudly, never reach WebAssembly.
 */
export function positional<K extends KernelName>(
  kernel: K,
  argument: (name: string, kind: ArgKind) => number | undefined,
): number[] {
  const kinds = KERNELS[kernel].args as Readonly<Record<string, ArgKind>>;
  const args: number[] = [];
  for (const name of argNames(kernel)) {
    const kind = kinds[name];
    const value = argument(name, kind);
    const ok =
      kind === 'ptr'
        ? Number.isInteger(value) && (value as number) >= 0 && (value as number) < 2 ** 32
        : kind === 'int'
          ? Number.isInteger(value) && Math.abs(value as number) < 2 ** 31
          : typeof value === 'number';
    if (!ok) throw new Error(`xentropy internal error: ${kernel}.${name} (${kind}) = ${value}`);
    args.push(value as number);
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
  ...(Object.keys(KERNELS) as KernelName[]).flatMap((k) => [exportName(k, 'f32'), exportName(k, 'f64')]),
];

/** The instance's exports, once each one the table declares is checked to be there. @throws Error otherwise. */
export function checkExports(exports: Record<string, unknown>): WasmExports {
  const missing = EXPORT_NAMES.filter((name) => exports[name] === undefined);
  if (missing.length > 0) throw new Error(`xentropy: the WebAssembly build lacks ${missing.join(', ')}`);
  return exports as WasmExports;
}
