// The three shapes of call the bindings describe, in front of the pipeline: functions along a dim
// (softmax, logSoftmax, logSumExp, entropy; elementwise functions as rows of one), losses over classes
// (crossEntropy, nllLoss) and elementwise losses of an input and a same-shaped target. Each reads and
// checks what is common (gradOutput, out, the reduction), lays the call out and reduces the result.
import type { FloatArray, Tensor } from '../types.js';
import { broadcastWeight, type CheckedWeight } from './broadcast.js';
import { type AnyReduction, finishLoss } from './finish.js';

export type { AnyReduction };

import type { ArgName, KernelName } from './kernels.js';
import type { LanguageModelOptions } from './language-model.js';
import { type Operand, type Output, run } from './pipeline/index.js';
import { warnOnce, warnsAbout } from './runtime.js';
import {
  type CheckedTarget,
  type ClassLayout,
  classIndices,
  classLayout,
  gatherTargets,
  readTarget,
} from './targets.js';
import {
  checkInteger,
  checkOut,
  checkReduction,
  checkShape,
  describe,
  floatTensor,
  floatValues,
  normalizeDim,
  product,
  readOptions,
  shapeString,
  tensorFields,
} from './validate.js';

type FloatConstructor = Float32ArrayConstructor | Float64ArrayConstructor;
const ctorOf = (a: FloatArray): FloatConstructor => (a instanceof Float64Array ? Float64Array : Float32Array);

/** `values` in the dtype of `like`: itself when it already is, else a converted copy. */
export const inDtype = (values: FloatArray, like: FloatArray): FloatArray =>
  values instanceof ctorOf(like) ? values : ctorOf(like).from(values);

/** A float input along `dim`: (outer, size, inner) around it (a 0-dim input is one element along dim 0). */
export function alongDim(caller: string, input: unknown, dim: unknown) {
  const x = floatTensor(caller, 'input', input);
  const d = normalizeDim(caller, dim, x.shape.length);
  const dims = x.shape.length === 0 ? [1] : x.shape;
  // (object spreads are slow in V8: these objects are built on every call)
  const [outer, cols, inner] = [product(dims.slice(0, d)), dims[d], product(dims.slice(d + 1))];
  return { data: x.data, shape: x.shape, size: x.size, dim: d, outer, cols, inner };
}

/** Runs a row kernel along the dim: one value per row, or one per element (into `out` when given). */
export function runAlongDim(
  caller: string,
  kernel: 'softmax' | 'logSoftmax' | 'logSumExp' | 'logSumExpWide' | 'entropy' | 'sigmoid' | 'logSigmoid',
  layout: ReturnType<typeof alongDim>,
  per: 'row' | 'element',
  out?: unknown,
  type?: Output['type'],
): FloatArray {
  const into = per === 'element' ? checkOut(caller, out, layout.data) : undefined;
  const { outputs } = run({
    caller,
    kernel,
    input: layout.data,
    outer: layout.outer,
    cols: layout.cols,
    inner: layout.inner,
    inPlace: true,
    outputs: { out: { per, into, given: out, type } },
  });
  return outputs.out;
}

/** An elementwise function of a float tensor of any shape. */
export function elementwise<T extends FloatArray>(
  caller: string,
  kernel: 'sigmoid' | 'logSigmoid',
  input: unknown,
): Tensor<T> {
  const x = floatTensor<T>(caller, 'input', input);
  const layout = { data: x.data, shape: x.shape, size: x.size, dim: 0, outer: x.size, cols: 1, inner: 1 };
  const data = runAlongDim(caller, kernel, layout, 'element');
  return { data: data as T, shape: x.shape };
}

/**
 * The upstream gradient, read once: a number for a scalar reduction (default 1); for 'none' a Tensor (or flat
 * array) of the loss's shape in the input's dtype, or a number for every element.
 */
export function readGradOutput(
  caller: string,
  value: unknown,
  lossShape: number[],
  scalar: boolean,
  like: FloatArray,
): number | FloatArray {
  if (value === undefined) return 1;
  if (typeof value === 'number') return value;
  if (scalar)
    throw new TypeError(
      `${caller}: options.gradOutput must be a number for a scalar reduction, received ${describe(value)}`,
    );
  const expected = `a number or a Tensor of floats shaped like the loss ${shapeString(lossShape)}`;
  const isTensor = typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
  const fields = isTensor ? tensorFields(caller, 'options.gradOutput', value, expected) : undefined;
  const data = floatValues(caller, 'options.gradOutput', fields ? fields.data : value, expected);
  const shape = fields ? checkShape(caller, 'options.gradOutput', fields.shape) : [data.length];
  if (fields ? shapeString(shape) !== shapeString(lossShape) : data.length !== product(lossShape)) {
    throw new RangeError(
      `${caller}: options.gradOutput must have the loss's shape ${shapeString(lossShape)}, ` +
        `received ${shapeString(shape)}`,
    );
  }
  if (fields && product(shape) !== data.length) {
    throw new RangeError(
      `${caller}: options.gradOutput.shape ${shapeString(shape)} holds ${product(shape)} elements ` +
        `but its data has ${data.length}`,
    );
  }
  return inDtype(data, like);
}

/** What a loss binding asks of the pipeline besides its own operands and scalars. */
interface LossCall<K extends KernelName> {
  caller: string;
  kernel: K;
  input: Tensor<FloatArray> & { data: FloatArray; shape: number[] };
  outer: number;
  cols: number;
  inner: number;
  lossShape: number[];
  reduction: AnyReduction;
  /** Where the loss comes from: one value per row (summed here, in row order), or the kernel's Σ (per element). */
  lossPer: 'row' | 'element';
  withGrad: boolean;
  gradOutput: unknown;
  out: unknown;
  scalars?: Partial<Record<ArgName<K>, number>>;
  /** A z-loss beside the loss (crossEntropy's lseSquareScale): its scale s of s · lse². */
  zScale?: number;
  /** The per-row log-sum-exp as an output (crossEntropy's returnLse). */
  lse?: boolean;
  /** Adds the gradient into `out` instead of writing over it. */
  accumulate?: boolean;
  /**
   * Called once every argument has been read (gradOutput and out last): checks values (class indices,
   * probabilities) and gives the kernel's operands, what 'mean' (or 'batchmean') divides by, and what it
   * divides the z-loss by (the divisor when absent).
   */
  prepare: () => {
    operands: Partial<Record<ArgName<K>, Operand | undefined>>;
    divisor: number;
    zDivisor?: number;
  };
}

export interface LossResult<T extends FloatArray> {
  loss: number | Tensor<T>;
  grad?: Tensor<T>;
  zLoss?: number | Tensor<T>;
  lse?: Tensor<T>;
}

/** Reads gradOutput and out, runs the kernel and reduces: a loss and, with `withGrad`, its gradient. */
export function runLoss<K extends KernelName, T extends FloatArray>(call: LossCall<K>): LossResult<T> {
  const { caller, input, reduction, withGrad, lossShape, lossPer } = call;
  const gradOutput = withGrad
    ? readGradOutput(caller, call.gradOutput, lossShape, reduction !== 'none', input.data)
    : 1;
  const into = withGrad ? checkOut(caller, call.out, input.data) : undefined;
  if (call.accumulate && !into) {
    throw new TypeError(`${caller}: options.accumulate adds the gradient into options.out, which is missing`);
  }
  const { operands, divisor, zDivisor = divisor } = call.prepare();
  const perItem = typeof gradOutput !== 'number';
  const meanLike = !perItem && reduction !== 'none' && reduction !== 'sum';
  const scale = perItem ? 1 : meanLike ? gradOutput / divisor : gradOutput;
  const rowOutput = (): Output => (reduction === 'none' ? { per: 'row' } : { per: 'row', reduce: true });
  const outputs: Partial<Record<string, Output>> = {
    lossOut: reduction === 'none' ? { per: lossPer } : lossPer === 'row' ? { per: 'row', reduce: true } : undefined,
    zLossOut: call.zScale === undefined ? undefined : rowOutput(),
    lseOut: call.lse ? { per: 'row' } : undefined,
    grad: withGrad ? { per: 'element', into, given: call.out, accumulate: call.accumulate } : undefined,
  };
  // the z-loss's gradient 2 s · lse · softmax, in units of the loss's own gradient scale
  const zGrad = withGrad && call.zScale ? 2 * call.zScale * (meanLike ? divisor / zDivisor : 1) : 0;
  const gradOperand: Operand | undefined = perItem
    ? { label: 'options.gradOutput', data: gradOutput, per: lossPer }
    : undefined;
  const ran = run({
    caller: call.caller,
    kernel: call.kernel,
    input: input.data,
    outer: call.outer,
    cols: call.cols,
    inner: call.inner,
    operands: Object.assign({ gradOutput: gradOperand }, operands) as never,
    outputs: outputs as never,
    scalars: Object.assign({ gradScale: withGrad ? scale : 0 }, { zGrad }, call.scalars) as never,
  });
  const result: LossResult<T> = finishLoss<T>({
    reduction,
    isFloat32: input.data instanceof Float32Array,
    lossShape,
    loss: ran.outputs.lossOut as T,
    zLoss: ran.outputs.zLossOut as T,
    lossSum: ran.sum + (ran.sums.lossOut ?? 0),
    zLossSum: ran.sums.zLossOut ?? 0,
    divisor,
    zDivisor,
    withZ: call.zScale !== undefined,
  });
  if (withGrad) result.grad = { data: ran.outputs.grad as T, shape: input.shape };
  if (call.lse) result.lse = { data: ran.outputs.lseOut as T, shape: lossShape };
  return result;
}

/** What a loss over classes adds: its options (read), its kernel for each kind of target, and its scalars. */
export interface ClassLoss<K extends KernelName> {
  caller: string;
  input: unknown;
  target: unknown;
  withGrad: boolean;
  options: Readonly<Partial<Record<'weight' | 'ignoreIndex' | 'reduction' | 'gradOutput' | 'out', unknown>>>;
  kernel: (kind: CheckedTarget['kind']) => K;
  /** The kernel reads one input value a row (`picked`, gathered here) instead of the whole input. */
  gather?: boolean;
  /** What the input must not look like: a warning (once per process) when it does. */
  guard: 'probabilities' | 'not log-probabilities';
  /** The kernel's scalar arguments (checked against the table when the kernel is called). */
  scalars?: Readonly<Record<string, number>>;
  /** Reads crossEntropy's language-model options (class-index targets only), given the input's dtype. */
  lm?: (like: FloatArray, reduction: AnyReduction) => LanguageModelOptions;
}

/**
 * A loss over the class dim of (C), (N, C) or (N, C, d1…dk) input: class-index targets (the input's shape
 * without C; `ignoreIndex`, per-class `weight`, 'mean' divided by Σ weight[t]) or probabilities (the input's
 * shape; 'mean' divided by the rows).
 */
export function classLoss<K extends KernelName, T extends FloatArray>(spec: ClassLoss<K>): LossResult<T> {
  const { caller, options: o } = spec;
  const x = floatTensor(caller, 'input', spec.input);
  const layout = classLayout(caller, x.shape);
  const reduction = checkReduction(caller, o.reduction);
  const lm = spec.lm?.(x.data, reduction);
  const ignoreIndex = checkInteger(caller, 'ignoreIndex', o.ignoreIndex, -100);
  const { weight, shards } = readClassWeight(caller, o.weight, lm, layout, x.data);
  const target = readTarget(caller, spec.target, x.data, x.shape, layout.lossShape);
  checkClassTarget(caller, target, ignoreIndex, lm, layout);
  const kernel = spec.kernel(target.kind);
  const lmScalars = lm && {
    softcap: lm.softcap,
    // a z-loss is counted once: by the shard that starts the vocabulary
    zScale: lm.vocabStart > 0 ? 0 : (lm.zScale ?? 0),
    vocabStart: lm.vocabStart,
    vocabSize: shards?.vocabSize ?? layout.classes,
    safe: lm.safe ? 1 : 0,
  };
  return runLoss({
    caller,
    kernel,
    input: x,
    outer: layout.outer,
    cols: layout.classes,
    inner: layout.inner,
    lossShape: layout.lossShape,
    // a divisor given for 'sum' divides as 'mean' does its own
    reduction: lm?.divisor !== undefined ? 'mean' : reduction,
    lossPer: 'row',
    withGrad: spec.withGrad,
    gradOutput: o.gradOutput,
    out: o.out,
    scalars: Object.assign({}, spec.scalars, lmScalars) as Partial<Record<ArgName<K>, number>>,
    zScale: target.kind === 'index' ? lm?.zScale : undefined,
    lse: lm?.returnLse,
    accumulate: lm?.accumulate,
    prepare: () => {
      lookForMistakes(caller, spec.guard, x.data, layout);
      return classOperands(caller, spec, x.data, layout, target, { ignoreIndex, weight, shards, lm });
    },
  });
}

/** The per-class weight (of the whole vocabulary on a shard), checked, in the input's dtype; and the shard. */
function readClassWeight(
  caller: string,
  value: unknown,
  lm: LanguageModelOptions | undefined,
  layout: ClassLayout,
  like: FloatArray,
) {
  const values =
    value === undefined
      ? undefined
      : floatValues(caller, 'options.weight', value, 'a Float32Array, Float64Array or number[]');
  const shards = vocabularyShard(caller, lm, layout.classes, values?.length);
  const length = shards ? shards.vocabSize : layout.classes;
  if (values && values.length !== length) {
    throw new RangeError(
      `${caller}: options.weight must have one entry per class (${length}), received length ${values.length}`,
    );
  }
  return { weight: values && inDtype(values, like), shards };
}

/** What a kind of target rules out: ignoreIndex ≥ 0 and the language-model options with probabilities. */
function checkClassTarget(
  caller: string,
  target: CheckedTarget,
  ignoreIndex: number,
  lm: LanguageModelOptions | undefined,
  layout: ClassLayout,
) {
  if (target.kind === 'probability' && ignoreIndex >= 0) {
    throw new RangeError(
      `${caller}: options.ignoreIndex must be negative with probability targets (as in PyTorch), ` +
        `received ${ignoreIndex}`,
    );
  }
  if (target.kind === 'probability' && lm && lm.given.length > 0) {
    throw new TypeError(`${caller}: options.${lm.given[0]} needs class-index targets, received probabilities`);
  }
  if (lm?.lse && lm.lse.length !== layout.rows) {
    throw new RangeError(
      `${caller}: options.lse must hold one log-sum-exp per row (${layout.rows}), received length ${lm.lse.length}`,
    );
  }
  if (lm?.lseShape && shapeString(lm.lseShape) !== shapeString(layout.lossShape)) {
    throw new RangeError(
      `${caller}: options.lse must be shaped like the loss per row ${shapeString(layout.lossShape)}, ` +
        `received ${shapeString(lm.lseShape)}`,
    );
  }
}

/** The kernel's operands once the values are checked (class indices in range), and what 'mean' divides by. */
function classOperands<K extends KernelName>(
  caller: string,
  spec: ClassLoss<K>,
  data: FloatArray,
  layout: ClassLayout,
  target: CheckedTarget,
  read: {
    ignoreIndex: number;
    weight?: FloatArray;
    shards?: { vocabSize: number };
    lm?: LanguageModelOptions;
  },
) {
  const { weight, shards, lm } = read;
  let targets: Operand;
  let divisor = layout.rows;
  let zDivisor: number | undefined;
  if (target.kind === 'probability') {
    targets = { label: 'target', data: target.data, per: 'element' };
  } else {
    const bound = shards ? shards.vocabSize : layout.classes;
    const { indices, weightSum, count } = classIndices(caller, target, bound, read.ignoreIndex, weight);
    targets = { label: 'target', data: indices, per: 'row', fresh: true };
    // 'mean' divides the loss by Σ w_t and the z-loss by the rows counted (Liger-Kernel's); a divisor
    // given for 'sum' divides both (the z-loss by zLossDivisor when that is given)
    divisor = lm?.divisor ?? weightSum;
    zDivisor = lm?.divisor !== undefined ? (lm.zLossDivisor ?? lm.divisor) : count;
  }
  const weightOperand: Operand | undefined = weight && { label: 'options.weight', data: weight, per: 'whole' };
  const picked: Operand | undefined =
    spec.gather && target.kind === 'index'
      ? { label: 'input', data: gatherTargets(data, layout, targets.data as Int32Array), per: 'row', fresh: true }
      : undefined;
  const lseIn: Operand | undefined = lm?.lse && { label: 'options.lse', data: lm.lse, per: 'row' };
  return { operands: { targets, weight: weightOperand, picked, lseIn } as never, divisor, zDivisor };
}

/**
 * A call on one shard of the vocabulary (options.lse given): the vocabulary's size, from vocabSize or from a
 * weight for the whole vocabulary; class indices are checked against it (a shard cannot tell a target beyond the
 * vocabulary from one in another shard). Undefined for a call on the whole vocabulary.
 */
function vocabularyShard(
  caller: string,
  lm: LanguageModelOptions | undefined,
  classes: number,
  weightLength: number | undefined,
): { vocabSize: number } | undefined {
  if (!lm?.lse) return undefined;
  const vocabSize = lm.vocabSize ?? weightLength;
  if (vocabSize === undefined) {
    throw new TypeError(
      `${caller}: a vocabulary shard (options.lse given) needs options.vocabSize, the whole vocabulary's size, ` +
        'or a weight for the whole vocabulary; received neither',
    );
  }
  if (vocabSize < lm.vocabStart + classes) {
    throw new RangeError(
      `${caller}: the vocabulary (${vocabSize}) must hold the shard's columns ` +
        `[${lm.vocabStart}, ${lm.vocabStart + classes})`,
    );
  }
  return { vocabSize };
}

/**
 * Warns (once per process, unless init({ warnings: false })) when a class input looks like a classic mistake:
 * rows that are probability distributions handed to crossEntropy (a second softmax), or values that cannot be
 * log-probabilities handed to nllLoss. It reads at most the first 64 rows and 65,536 values for crossEntropy, 1,024
 * for nllLoss (a whole row at least), and stops at the first value that rules the mistake out, so logits cost
 * crossEntropy a few reads. nllLoss's right input, log-probabilities, rules nothing out, so its budget is small: a
 * positive value shows in the first row of probabilities or logits. (With 65,536 it took 0.7 ms of every call at
 * [8192, 1000], 2.7× the loss itself.)
 */
function lookForMistakes(caller: string, guard: ClassLoss<KernelName>['guard'], data: FloatArray, layout: ClassLayout) {
  const { classes, inner } = layout;
  const key = guard; // one warning per mistake, whichever of the function and its …WithGrad makes it
  if (!warnsAbout(key) || classes === 0) return;
  const budget = guard === 'probabilities' ? 65_536 : 1_024;
  const rows = Math.min(layout.rows, 64, Math.max(1, Math.floor(budget / classes)));
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    // element c of row r: rows run along the last dim when inner > 1 ((N, C, d…) inputs)
    const first = Math.floor(r / inner) * classes * inner + (r % inner);
    for (let c = 0; c < classes; c++) {
      const v = data[first + c * inner];
      if (guard === 'not log-probabilities' ? v > 0 : !(v >= 0 && v <= 1)) {
        if (guard === 'probabilities') return;
        warnOnce(
          key,
          `${caller} received a positive value (${v}) where log-probabilities (all ≤ 0) are expected: pass ` +
            'logSoftmax(logits), or the raw logits to crossEntropy. init({ warnings: false }) silences this.',
        );
        return;
      }
      sum += v;
    }
    if (guard === 'probabilities' && Math.abs(sum - 1) > 1e-3) return;
  }
  if (guard === 'probabilities' && rows > 0) {
    warnOnce(
      key,
      `${caller} received rows that look like probabilities (in [0, 1], each summing to 1), not logits. It applies ` +
        'its own log-softmax, so a softmax applied first is applied twice: the loss stays high and the gradients ' +
        'shrink. Pass the raw logits (the values before any softmax). init({ warnings: false }) silences this.',
    );
  }
}

/** A broadcast weight as an operand and its per-element flag. */
export function weightOperand(label: string, weight: CheckedWeight | undefined, like: FloatArray): Operand | undefined {
  return weight && { label, data: inDtype(weight.values, like), per: weight.perElement ? 'element' : 'whole' };
}

/** What an elementwise loss adds to its input and target: kernel, options read, value checks. */
export interface PairLoss<K extends KernelName> {
  caller: string;
  kernel: K;
  input: unknown;
  target: unknown;
  withGrad: boolean;
  options: Readonly<Partial<Record<'reduction' | 'gradOutput' | 'out' | 'weight' | 'posWeight', unknown>>>;
  reductions?: readonly AnyReduction[];
  defaultReduction?: AnyReduction;
  scalars?: Partial<Record<ArgName<K>, number>>;
  /** Checks the input's values (after every argument has been read); throws for a bad one. */
  check?: (data: FloatArray, shape: number[]) => void;
}

/** An elementwise loss of an input and a target of the same shape and dtype, with broadcast weights. */
export function pairLoss<K extends KernelName, T extends FloatArray>(spec: PairLoss<K>): LossResult<T> {
  const { caller, options: o } = spec;
  const x = floatTensor(caller, 'input', spec.input);
  const y = floatTensor(caller, 'target', spec.target);
  if (y.data.constructor !== x.data.constructor) {
    throw new TypeError(
      `${caller}: target.data must be a ${x.data.constructor.name} like the input, received ${describe(y.data)}`,
    );
  }
  if (shapeString(y.shape) !== shapeString(x.shape)) {
    throw new RangeError(
      `${caller}: target must have the input's shape ${shapeString(x.shape)}, received ${shapeString(y.shape)}`,
    );
  }
  const reduction = checkReduction(
    caller,
    o.reduction,
    spec.reductions ?? ['none', 'mean', 'sum'],
    spec.defaultReduction ?? 'mean',
  );
  const weight = o.weight === undefined ? undefined : broadcastWeight(caller, 'weight', o.weight, x.shape);
  const posWeight = o.posWeight === undefined ? undefined : broadcastWeight(caller, 'posWeight', o.posWeight, x.shape);
  const cols = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1];
  const divisor = reduction === 'mean' ? x.size : reduction === 'batchmean' && x.shape.length > 0 ? x.shape[0] : 1;
  return runLoss({
    caller,
    kernel: spec.kernel,
    input: x,
    outer: cols === 0 ? 0 : x.size / cols,
    cols,
    inner: 1,
    lossShape: x.shape,
    reduction,
    lossPer: 'element',
    withGrad: spec.withGrad,
    gradOutput: o.gradOutput,
    out: o.out,
    scalars: Object.assign(
      { weightPerElement: weight?.perElement ? 1 : 0, posWeightPerElement: posWeight?.perElement ? 1 : 0 },
      spec.scalars,
    ) as Partial<Record<ArgName<K>, number>>,
    prepare: () => {
      spec.check?.(x.data, x.shape);
      const operands = {
        y: { label: 'target', data: y.data, per: 'element' },
        weight: weightOperand('options.weight', weight, x.data),
        posWeight: weightOperand('options.posWeight', posWeight, x.data),
      } satisfies Record<string, Operand | undefined>;
      return { operands: operands as never, divisor };
    },
  });
}

/** An elementwise loss's description: its option names and how they choose the kernel and its scalars. */
export interface PairLossSpec<K extends KernelName> {
  name: string;
  /** Option names besides 'reduction' (and 'gradOutput' and 'out' for …WithGrad). */
  options: readonly string[];
  reductions?: readonly AnyReduction[];
  defaultReduction?: AnyReduction;
  kernel: (options: Readonly<Record<string, unknown>>, caller: string) => K;
  scalars?: (options: Readonly<Record<string, unknown>>, caller: string) => Partial<Record<ArgName<K>, number>>;
  check?: PairLoss<K>['check'];
}

/** A loss and its …WithGrad from one description. */
export function pairLossFunctions<K extends KernelName>(spec: PairLossSpec<K>) {
  const call = (caller: string, input: unknown, target: unknown, options: unknown, withGrad: boolean) => {
    const accepted = [...spec.options, 'reduction', ...(withGrad ? ['gradOutput', 'out'] : [])];
    const o = readOptions(caller, options, accepted) as Readonly<Record<string, unknown>>;
    const { reductions, defaultReduction, check } = spec;
    const kernel = spec.kernel(o, caller);
    const scalars = spec.scalars?.(o, caller);
    return pairLoss({
      caller,
      kernel,
      input,
      target,
      withGrad,
      options: o,
      reductions,
      defaultReduction,
      scalars,
      check,
    });
  };
  return {
    loss: (input: unknown, target: unknown, options?: unknown) => call(spec.name, input, target, options, false).loss,
    withGrad: (input: unknown, target: unknown, options?: unknown) =>
      call(`${spec.name}WithGrad`, input, target, options, true),
  };
}
