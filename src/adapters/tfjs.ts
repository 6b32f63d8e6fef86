// xentropy/tfjs: xentropy's losses as TensorFlow.js ops (tf.Tensor in, tf.Tensor out), their gradient xentropy's
// fused one through tf.customGrad. A separate entry point; @tensorflow/tfjs-core is an optional peer dependency.
import {
  backend,
  customGrad,
  engine,
  expandDims,
  type GradSaveFunc,
  losses,
  mul,
  reshape,
  type Scalar,
  scalar,
  type Tensor,
  type TensorInfo,
  Reduction as TfReduction,
  tensor,
} from '@tensorflow/tfjs-core';
import {
  binaryCrossEntropyWithLogits,
  binaryCrossEntropyWithLogitsWithGrad,
  crossEntropy,
  crossEntropyWithGrad,
} from '../index.js';
import type { FloatArray, Reduction, Tensor as XTensor } from '../types.js';

/** A per-class or broadcast weight: a tf.Tensor, a typed array or a number array. */
export type TfWeight = Tensor | FloatArray | readonly number[];

/**
 * tf.losses' own weighting, beside PyTorch's options: `weights` (one per loss, or broadcast to the losses) and a
 * `tf.Reduction`. Either one makes the call weigh and reduce the per-row (softmax) or per-element (sigmoid) losses
 * exactly as `tf.losses` does (its `computeWeightedLoss`), with its default, SUM_BY_NONZERO_WEIGHTS.
 */
export interface TfLossesWeighting {
  /** tf.losses' `weights`: multiplies each loss, broadcast to the losses' shape. */
  weights?: Tensor;
}

export interface SoftmaxCrossEntropyOptions extends TfLossesWeighting {
  /** A weight per class (length C, the last dim of the logits); PyTorch's `weight`. @defaultValue all ones */
  weight?: TfWeight;
  /** Class-index labels equal to this are ignored (no loss, no gradient, not counted). @defaultValue -100 */
  ignoreIndex?: number;
  /** Mixes the labels with the uniform distribution: (1 − ε)·labels + ε/C. @defaultValue 0 */
  labelSmoothing?: number;
  /**
   * PyTorch's reductions: 'mean' divides by the weights of the rows counted (the rows' count without a weight). Or
   * a tf.Reduction (see {@link TfLossesWeighting}). @defaultValue 'mean'
   */
  reduction?: Reduction | TfReduction;
}

export interface SigmoidCrossEntropyOptions extends TfLossesWeighting {
  /** Multiplies each element's loss; broadcast over the logits as in PyTorch. @defaultValue all ones */
  weight?: TfWeight;
  /** Weight of the positive term, usually one per class (the last dim). @defaultValue all ones */
  posWeight?: TfWeight;
  /** TensorFlow's smoothing for sigmoid labels: labels·(1 − ε) + ε/2. @defaultValue 0 */
  labelSmoothing?: number;
  /** PyTorch's reductions, or a tf.Reduction (see {@link TfLossesWeighting}). @defaultValue 'mean' */
  reduction?: Reduction | TfReduction;
}

type Loss = number | XTensor<Float32Array>;
type Computed = { loss: Loss; grad?: Float32Array };

const SOFTMAX_OPTIONS = new Set(['weight', 'ignoreIndex', 'labelSmoothing', 'reduction', 'weights']);
const SIGMOID_OPTIONS = new Set(['weight', 'posWeight', 'labelSmoothing', 'reduction', 'weights']);
const TF_REDUCTIONS: readonly unknown[] = [
  TfReduction.NONE,
  TfReduction.MEAN,
  TfReduction.SUM,
  TfReduction.SUM_BY_NONZERO_WEIGHTS,
];

/**
 * The loss as tf.losses weighs and reduces it, when `weights` or a tf.Reduction is given: `unreduced` runs the
 * loss with reduction 'none', and tf's own computeWeightedLoss does the rest (its gradient through tf's tape).
 * Otherwise undefined: PyTorch's reduction, in xentropy.
 */
function tfWeighted(
  caller: string,
  o: { weights?: unknown; reduction?: unknown },
  lossShape: readonly number[],
  unreduced: () => Tensor,
): Tensor | undefined {
  const tfReduction = typeof o.reduction === 'number';
  if (o.weights === undefined && !tfReduction) return undefined;
  if (tfReduction && !TF_REDUCTIONS.includes(o.reduction)) {
    throw new RangeError(
      `${caller}: options.reduction must be a tf.Reduction or 'none', 'mean', 'sum', received ${o.reduction}`,
    );
  }
  if (!tfReduction && o.reduction !== undefined) {
    throw new TypeError(
      `${caller}: options.weights weighs as tf.losses does: its reduction is a tf.Reduction, ` +
        `received '${String(o.reduction)}'`,
    );
  }
  const weights = o.weights === undefined ? undefined : checkTensor(caller, 'options.weights', o.weights, ['float32']);
  const offset = lossShape.length - (weights?.rank ?? 0);
  if (weights && (offset < 0 || !weights.shape.every((d, i) => d === 1 || d === lossShape[offset + i]))) {
    throw new RangeError(
      `${caller}: options.weights of shape [${weights.shape}] does not broadcast to the losses' shape [${lossShape}]`,
    );
  }
  const reduction = tfReduction ? (o.reduction as TfReduction) : TfReduction.SUM_BY_NONZERO_WEIGHTS;
  return renamed(caller, () => losses.computeWeightedLoss(unreduced(), weights, reduction));
}

function isTensor(value: unknown): value is Tensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as Tensor).shape) &&
    typeof (value as Tensor).dtype === 'string' &&
    typeof (value as Tensor).dataSync === 'function'
  );
}

function checkTensor(caller: string, name: string, value: unknown, dtypes: readonly string[]): Tensor {
  if (!isTensor(value)) throw new TypeError(`${caller}: ${name} must be a tf.Tensor, received ${describe(value)}`);
  if (value.isDisposed) throw new TypeError(`${caller}: ${name} is a disposed tf.Tensor`);
  if (!dtypes.includes(value.dtype)) {
    throw new TypeError(`${caller}: ${name} must have dtype ${dtypes.join(' or ')}, received ${value.dtype}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ?? 'an object';
}

function readOptions<T extends object>(caller: string, options: unknown, known: Set<string>): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${caller}: options must be an object, received ${describe(options)}`);
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new TypeError(`${caller}: unknown option '${key}' (known: ${[...known].join(', ')})`);
    copy[key] = (options as Record<string, unknown>)[key];
  }
  return copy as T;
}

/** A tf.Tensor weight becomes xentropy's { data, shape } (its data alone when `flat`); arrays pass through. */
function readWeight(caller: string, name: string, weight: TfWeight | undefined, flat = false) {
  if (weight === undefined || !isTensor(weight)) return weight;
  const data = checkTensor(caller, `options.${name}`, weight, ['float32']).dataSync() as Float32Array;
  return flat ? data : { data, shape: weight.shape };
}

/** Errors and warnings of the xentropy function underneath are renamed after the adapter's function. */
function renamed<T>(caller: string, run: () => T): T {
  const warn = console.warn;
  console.warn = (first?: unknown, ...rest: unknown[]) =>
    warn.call(
      console,
      typeof first === 'string' ? first.replace(/^xentropy: (\w+) /, `xentropy: ${caller} ($1) `) : first,
      ...rest,
    );
  try {
    return run();
  } catch (error) {
    if (error instanceof Error) error.message = error.message.replace(/^(\w+): /, `${caller} ($1): `);
    throw error;
  } finally {
    console.warn = warn;
  }
}

function checkSmoothing(caller: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new RangeError(`${caller}: options.labelSmoothing must be a number in [0, 1], received ${String(value)}`);
  }
  return value;
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** The parts of tfjs-backend-wasm's backend that let a kernel read and write its heap in place. */
interface HeapBackend {
  dataIdMap: { has(dataId: object): boolean };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array;
}

function heapBackend(): HeapBackend | undefined {
  const b = backend() as unknown as Partial<HeapBackend>;
  const ok = typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function' && b.dataIdMap;
  return ok ? (b as HeapBackend) : undefined;
}

/**
 * A tensor's values as its dtype says: the cpu backend casts int32 to float32 without copying (the same data id),
 * and its dataSync() then returns the int32 values.
 */
const ofDtype = (t: Tensor, values: unknown): Float32Array | Int32Array => {
  const Type = t.dtype === 'int32' ? Int32Array : Float32Array;
  return values instanceof Type ? values : Type.from(values as ArrayLike<number>);
};

/** Reads a tensor's values: a view of its backend's memory when that is tf's wasm heap, else a dataSync() copy. */
type Reader = (t: Tensor) => Float32Array | Int32Array;
/** The loss, and with `withGrad` the gradient, written into `out` when one is given. */
type Compute = (read: Reader, withGrad: boolean, out?: Float32Array) => Computed;

/**
 * Runs the loss as a tf op: the fused loss and gradient when a gradient tape is recording (inside tf.grad,
 * tf.variableGrads, model.fit), the loss alone otherwise. On the wasm backend the logits are read and the
 * gradient written in tf's own heap (no copy out and back). The gradient is scaled by dy on the tf side (per row
 * for softmax's 'none', per element for sigmoid's).
 */
function asTfOp(logits: Tensor, lossShape: number[], perRow: boolean, compute: Compute): Tensor {
  const recording = engine().isTapeOn();
  const op = customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [x, save] = args as [Tensor, GradSaveFunc];
    const shape = x.shape;
    const heap = heapBackend();
    // allocated before any view is taken: growing tf's heap would detach the views
    const heapGrad = recording && heap ? engine().makeTensorFromTensorInfo(heap.makeOutput(shape, 'float32')) : null;
    const read: Reader = (t) => ofDtype(t, heap?.dataIdMap.has(t.dataId) ? heap.typedArrayFromHeap(t) : t.dataSync());
    const out = heapGrad ? (read(heapGrad) as Float32Array) : undefined;
    const { loss, grad } = compute(read, recording, out);
    const value = typeof loss === 'number' ? scalar(loss, 'float32') : tensor(loss.data, lossShape, 'float32');
    if (recording) save([heapGrad ?? tensor(grad as Float32Array, shape, 'float32')]);
    const gradFunc = (dy: Tensor, saved: Tensor[]) => {
      const g = saved[0] as Tensor;
      // save() keeps a copy of g and disposes it after backprop; a reshape shares its data (a clone would copy)
      if (typeof loss === 'number') return dy.dataSync()[0] === 1 ? reshape(g, g.shape) : mul(g, dy);
      return mul(g, perRow ? expandDims(dy, -1) : dy);
    };
    return { value, gradFunc };
  });
  return op(logits);
}

/**
 * `tf.losses.softmaxCrossEntropy` with PyTorch's `F.cross_entropy` semantics over the last dim of the logits.
 * Integer (int32) labels are class indices, shaped like the logits without the last dim (`weight`, `ignoreIndex`,
 * `labelSmoothing`); float32 labels, or int32 ones shaped like the logits (`tf.oneHot`'s), are probabilities.
 * Use it as `model.compile({ loss })`, inside `tf.variableGrads` or `tf.grad`: the gradient is xentropy's fused one.
 * @returns a scalar tf.Tensor for 'mean' and 'sum'; for 'none' the per-row losses (the logits' shape without C).
 * @throws TypeError for arguments that are not tf.Tensors of the right dtype or unknown options; RangeError for
 * shapes, labels out of range, weight length ≠ C, labelSmoothing outside [0, 1].
 */
export function softmaxCrossEntropy(
  labels: Tensor,
  logits: Tensor,
  options: SoftmaxCrossEntropyOptions & { reduction: 'none' },
): Tensor;
export function softmaxCrossEntropy(
  labels: Tensor,
  logits: Tensor,
  options?: SoftmaxCrossEntropyOptions & { reduction?: 'mean' | 'sum' },
): Scalar;
export function softmaxCrossEntropy(labels: Tensor, logits: Tensor, options?: SoftmaxCrossEntropyOptions): Tensor;
export function softmaxCrossEntropy(labels: Tensor, logits: Tensor, options?: SoftmaxCrossEntropyOptions): Tensor {
  const caller = 'softmaxCrossEntropy';
  const x = checkTensor(caller, 'logits', logits, ['float32']);
  const y = checkTensor(caller, 'labels', labels, ['int32', 'float32']);
  const o = readOptions<SoftmaxCrossEntropyOptions>(caller, options, SOFTMAX_OPTIONS);
  if (x.rank === 0) throw new RangeError(`${caller}: logits must have a class dim (rank ≥ 1), received a scalar`);
  const classes = x.shape[x.rank - 1] as number;
  const rowShape = x.shape.slice(0, -1);
  const rows = rowShape.reduce((a, b) => a * b, 1);
  // int32 labels shaped like the logits are one-hot rows (tf.oneHot makes int32): probabilities, as floats
  const isIndex = y.dtype === 'int32' && !sameShape(y.shape, x.shape);
  const expected = isIndex ? rowShape : x.shape;
  if (!sameShape(y.shape, expected)) {
    const hint = !isIndex && sameShape(y.shape, rowShape) ? ' (class indices need dtype int32: labels.toInt())' : '';
    const kind = isIndex ? 'int32 class indices' : 'probabilities (or int32 one-hot rows)';
    throw new RangeError(
      `${caller}: labels must have shape [${expected}] for ${kind} and logits [${x.shape}], ` +
        `received [${y.shape}]${hint}`,
    );
  }
  const weighted = tfWeighted(caller, o, rowShape, () =>
    softmaxCrossEntropy(labels, logits, { ...o, weights: undefined, reduction: 'none' }),
  );
  if (weighted) return weighted;
  const xOptions = {
    weight: readWeight(caller, 'weight', o.weight, true),
    ignoreIndex: o.ignoreIndex,
    labelSmoothing: checkSmoothing(caller, o.labelSmoothing),
    reduction: o.reduction,
  };
  return asTfOp(x, rowShape, true, (read, withGrad, out) =>
    renamed(caller, () => {
      const input = { data: read(x) as Float32Array, shape: [rows, classes] };
      const labelData = isIndex || y.dtype === 'float32' ? read(y) : Float32Array.from(read(y) as Int32Array);
      const target = { data: labelData, shape: isIndex ? [rows] : [rows, classes] } as never;
      if (!withGrad) return { loss: crossEntropy(input, target, xOptions as never) as Loss };
      const r = crossEntropyWithGrad(input, target, { ...xOptions, out } as never);
      return { loss: r.loss as Loss, grad: r.grad.data as Float32Array };
    }),
  );
}

/**
 * `tf.losses.sigmoidCrossEntropy` with PyTorch's `F.binary_cross_entropy_with_logits` semantics: labels (float32
 * or int32, in [0, 1]) shaped like the logits, `weight` and `posWeight` broadcast as in PyTorch.
 * @returns a scalar tf.Tensor for 'mean' and 'sum'; for 'none' a tf.Tensor of the logits' shape.
 * @throws TypeError for arguments that are not tf.Tensors of the right dtype or unknown options; RangeError for
 * shapes, weights that do not broadcast, labelSmoothing outside [0, 1].
 */
export function sigmoidCrossEntropy(
  labels: Tensor,
  logits: Tensor,
  options: SigmoidCrossEntropyOptions & { reduction: 'none' },
): Tensor;
export function sigmoidCrossEntropy(
  labels: Tensor,
  logits: Tensor,
  options?: SigmoidCrossEntropyOptions & { reduction?: 'mean' | 'sum' },
): Scalar;
export function sigmoidCrossEntropy(labels: Tensor, logits: Tensor, options?: SigmoidCrossEntropyOptions): Tensor;
export function sigmoidCrossEntropy(labels: Tensor, logits: Tensor, options?: SigmoidCrossEntropyOptions): Tensor {
  const caller = 'sigmoidCrossEntropy';
  const x = checkTensor(caller, 'logits', logits, ['float32']);
  const y = checkTensor(caller, 'labels', labels, ['int32', 'float32']);
  const o = readOptions<SigmoidCrossEntropyOptions>(caller, options, SIGMOID_OPTIONS);
  if (!sameShape(y.shape, x.shape)) {
    throw new RangeError(`${caller}: labels must have the logits' shape [${x.shape}], received [${y.shape}]`);
  }
  const weighted = tfWeighted(caller, o, x.shape, () =>
    sigmoidCrossEntropy(labels, logits, { ...o, weights: undefined, reduction: 'none' }),
  );
  if (weighted) return weighted;
  const smoothing = checkSmoothing(caller, o.labelSmoothing);
  const xOptions = {
    weight: readWeight(caller, 'weight', o.weight),
    posWeight: readWeight(caller, 'posWeight', o.posWeight),
    reduction: o.reduction,
  };
  return asTfOp(x, x.shape, false, (read, withGrad, out) =>
    renamed(caller, () => {
      const labelData = read(y);
      let targets = labelData instanceof Float32Array ? labelData : Float32Array.from(labelData);
      if (smoothing > 0) targets = targets.map((t) => t * (1 - smoothing) + 0.5 * smoothing);
      const input = { data: read(x) as Float32Array, shape: x.shape };
      const target = { data: targets, shape: x.shape };
      if (!withGrad) return { loss: binaryCrossEntropyWithLogits(input, target, xOptions as never) as Loss };
      const r = binaryCrossEntropyWithLogitsWithGrad(input, target, { ...xOptions, out } as never);
      return { loss: r.loss as Loss, grad: r.grad.data as Float32Array };
    }),
  );
}
