// The kernels' ABI as the runtime sees it, from the table scripts/build.mjs generates out of the kernel list
// (src/core/kernels.ts, which is not shipped): each kernel's positional arguments, its params in block order, and
// how its rows may be shared among threads; the exports' names and type.
import { KERNEL_TABLE } from '../generated/kernel-table.js';
import type { ArgKind, ArgName, Dtype, ExportName, KernelName, ParamKind, PositionalKind } from './kernels.js';

export type { ArgName, Dtype, ExportName, KernelName };

/** What the runtime needs of one kernel. */
export interface KernelAbi {
  positional: readonly (readonly [string, PositionalKind])[];
  /** The params, in block order: the driver's, then the loss class's own. */
  params: readonly (readonly [string, ParamKind])[];
  /** Whether rows may be shared among threads (each row written by one thread only; returns nothing). */
  split: boolean;
  /** Whether the export takes a loss class's params block even with no params of its own. */
  loss?: boolean;
  /** The argument that counts the rows a thread's share takes (default 'rows'), and the share's multiple. */
  rowsArg?: string;
  granule?: number;
}

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
  /** e^x, the same bits in every engine (Math.exp's last bit differs between them). */
  exp(x: number): number;
  /** log(e^a + e^b), the same bits in every engine. */
  logAddExp(a: number, b: number): number;
  /** Bytes of the block each instance of a threads build keeps of its own (its params, its short rows' scratch). */
  instanceBlockBytes(): number;
  /** Gives the instance that block, at `address`. */
  setInstanceBlock(address: number): void;
}

/** What assembly/index.ts exports, typed from the table. */
export type WasmExports = RuntimeExports & Record<ExportName, (...args: number[]) => number | undefined>;

export const exportName = (kernel: KernelName, dtype: Dtype): ExportName =>
  `${kernel}${dtype === 'f64' ? 'F64' : 'F32'}`;

type Layout = KernelAbi;

/** A kernel's arguments, split into positional ones and params (from the generated table). */
export const layoutOf = (kernel: KernelName): Layout => KERNEL_TABLE[kernel];

/** The kernels that may run on a worker thread, in a fixed order (their index is their id in the pool). */
export const SPLIT_KERNELS: readonly ExportName[] = (Object.keys(KERNEL_TABLE) as KernelName[])
  .filter((k) => KERNEL_TABLE[k].split)
  .flatMap((k) => [exportName(k, 'f32'), exportName(k, 'f64')]);

/** The most arguments any splittable kernel's export takes (its positional ones and the params block's address). */
export const MAX_SPLIT_ARGS = Math.max(
  ...(Object.keys(KERNEL_TABLE) as KernelName[])
    .filter((k) => KERNEL_TABLE[k].split)
    .map((k) => layoutOf(k).positional.length + 1),
);

const valid = (kind: ArgKind, value: number | undefined): boolean =>
  kind === 'ptr'
    ? Number.isInteger(value) && (value as number) >= 0 && (value as number) < 2 ** 32
    : kind === 'int' || kind === 'i32'
      ? Number.isInteger(value) && Math.abs(value as number) < 2 ** 31
      : typeof value === 'number';

/** One argument's value, checked against its kind. */
function checked(
  kernel: KernelName,
  [name, kind]: readonly [string, ArgKind],
  argument: (name: string, kind: ArgKind) => number | undefined,
): number {
  const value = argument(name, kind);
  if (!valid(kind, value)) throw new Error(`xentropy internal error: ${kernel}.${name} (${kind}) = ${value}`);
  return value as number;
}

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
  const { positional, params, loss } = layoutOf(kernel);
  const args: number[] = [];
  for (let i = 0; i < positional.length; i++) args.push(checked(kernel, positional[i], argument));
  if (params.length > 0 || loss) {
    for (let i = 0, first = address / 8; i < params.length; i++)
      block[first + i] = checked(kernel, params[i], argument);
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
  'exp',
  'logAddExp',
  'instanceBlockBytes',
  'setInstanceBlock',
  ...(Object.keys(KERNEL_TABLE) as KernelName[]).flatMap((k) => [exportName(k, 'f32'), exportName(k, 'f64')]),
];

/** The instance's exports, once each one the table declares is checked to be there. @throws Error otherwise. */
export function checkExports(exports: Record<string, unknown>): WasmExports {
  const missing = EXPORT_NAMES.filter((name) => exports[name] === undefined);
  if (missing.length > 0) throw new Error(`xentropy: the WebAssembly build lacks ${missing.join(', ')}`);
  return exports as WasmExports;
}
