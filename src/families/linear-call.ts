// linearCrossEntropy's arguments, read and checked once, and its result: F.linear(input, linearWeight,
// linearBias) then F.cross_entropy(…, target, weight, ignoreIndex, reduction, labelSmoothing), with crossEntropy's
// z-loss and softcap, run chunk by chunk (./linear.ts).

import { type Ran, runProgram } from '../core/pipeline/index.js';
import {
  checkBoolean,
  checkDestination,
  checkInteger,
  checkNumberIn,
  checkReduction,
  describe,
  floatTensor,
  floatValues,
  product,
  readOptions,
  shapeString,
} from '../core/validate.js';
import type { FloatArray } from '../types.js';
import { type AnyReduction, finishLoss } from './finish.js';
import { readLanguageModelOptions } from './language-model.js';
import { type LinearCall, linearProgram } from './linear.js';
import { inDtype, readGradOutput } from './loss.js';
import { classIndices, readIndices } from './targets.js';

const OPTIONS = [
  'linearBias',
  'weight',
  'ignoreIndex',
  'reduction',
  'labelSmoothing',
  'lseSquareScale',
  'softcap',
  'chunkSize',
] as const;
const GRAD_OPTIONS = [
  ...OPTIONS,
  'gradOutput',
  'gradInputOut',
  'gradWeightOut',
  'gradBiasOut',
  'accumulate',
  'filterEps',
] as const;

/** Bytes a chunk's logits and their gradient may take together when chunkSize is left out. */
const CHUNK_BYTES = 64 * 2 ** 20;

/** input [..., d] and linearWeight [V, d] of one dtype: their tensors and the sizes they fix; `of` names whose
 * they are in errors ('teacher.' for a teacher's head). */
export function readOperands(caller: string, input: unknown, linearWeight: unknown, of = '') {
  const x = floatTensor(caller, `${of}input`, input);
  const w = floatTensor(caller, `${of}linearWeight`, linearWeight);
  if (x.shape.length === 0) throw new RangeError(`${caller}: ${of}input must be [..., d], received a 0-dim tensor`);
  const width = x.shape[x.shape.length - 1];
  if (w.data.constructor !== x.data.constructor) {
    throw new TypeError(
      `${caller}: ${of}linearWeight.data must be a ${x.data.constructor.name} like the input, ` +
        `received ${describe(w.data)}`,
    );
  }
  if (w.shape.length !== 2 || w.shape[1] !== width) {
    throw new RangeError(
      `${caller}: ${of}linearWeight must be [V, ${width}] (d = the ${of}input's last dim), ` +
        `received ${shapeString(w.shape)}`,
    );
  }
  const lossShape = x.shape.slice(0, -1);
  return { x, w, width, vocab: w.shape[0], lossShape, rows: product(lossShape) };
}

/** An option of one value per class (linearBias, weight; a dotted name is its own label), in the input's dtype. */
export function vocabVector(caller: string, name: string, value: unknown, vocab: number, like: FloatArray) {
  if (value === undefined) return undefined;
  const label = name.includes('.') ? name : `options.${name}`;
  const v = floatValues(caller, label, value, 'a Float32Array, Float64Array or number[]');
  if (v.length !== vocab) {
    throw new RangeError(`${caller}: ${label} must have length V = ${vocab}, received length ${v.length}`);
  }
  return inDtype(v, like);
}

export type Read = Readonly<Partial<Record<string, unknown>>>;

/** …WithGrad's gradOutput (of the loss's shape), destinations and accumulate. */
export function readGradientOptions(
  caller: string,
  o: Read,
  ops: ReturnType<typeof readOperands>,
  lossShape: number[],
  scalar: boolean,
) {
  const { x, w, vocab } = ops;
  const gradOutput = readGradOutput(caller, o.gradOutput, lossShape, scalar, x.data);
  const into = {
    gradInput: checkDestination(caller, 'gradInputOut', o.gradInputOut, x.data, x.size),
    gradWeight: checkDestination(caller, 'gradWeightOut', o.gradWeightOut, x.data, w.size),
    gradBias: checkDestination(caller, 'gradBiasOut', o.gradBiasOut, x.data, vocab),
  };
  const accumulate = checkBoolean(caller, 'accumulate', o.accumulate, false);
  if (accumulate && !into.gradWeight) {
    throw new TypeError(`${caller}: options.accumulate adds into options.gradWeightOut, which is missing`);
  }
  const given = { gradInput: o.gradInputOut, gradWeight: o.gradWeightOut, gradBias: o.gradBiasOut };
  return { gradOutput, into, given, accumulate };
}

/** The call's arguments and options, read and checked once, in order: operands, options, target, gradient. */
function readLinear(caller: string, withGrad: boolean, [input, linearWeight, target, options]: LinearArgs) {
  const o = readOptions(caller, options, withGrad ? GRAD_OPTIONS : OPTIONS);
  const ops = readOperands(caller, input, linearWeight);
  const { x, vocab, lossShape } = ops;
  const reduction = checkReduction(caller, o.reduction) as AnyReduction;
  const lm = readLanguageModelOptions(caller, o, x.data, reduction);
  const smoothing = checkNumberIn(caller, 'labelSmoothing', o.labelSmoothing, 0, 0, 1);
  const ignoreIndex = checkInteger(caller, 'ignoreIndex', o.ignoreIndex, -100);
  const bias = vocabVector(caller, 'linearBias', o.linearBias, vocab, x.data);
  const classWeight = vocabVector(caller, 'weight', o.weight, vocab, x.data);
  const filterEps = withGrad ? readFilterEps(caller, o.filterEps, smoothing) : 0;
  // a chunk's logits and gradient, and with filterEps two int32 per logit (the kept columns, by row and by column)
  const perLogit = 2 * x.data.BYTES_PER_ELEMENT + (filterEps > 0 ? 8 : 0);
  const byDefault = Math.floor(CHUNK_BYTES / (perLogit * Math.max(vocab, 1)) / 4) * 4;
  const chunkRows = readChunkRows(caller, o.chunkSize, byDefault, ops.rows);
  const indicesRead = readIndices(caller, target);
  if (shapeString(indicesRead.shape) !== shapeString(lossShape)) {
    throw new RangeError(
      `${caller}: target must have shape ${shapeString(lossShape)} (the input's without d), ` +
        `received ${shapeString(indicesRead.shape)}`,
    );
  }
  const gradient = withGrad ? readGradientOptions(caller, o, ops, lossShape, reduction !== 'none') : undefined;
  // last: the values (class indices in range)
  const targets = classIndices(caller, indicesRead, vocab, ignoreIndex, classWeight);
  return { ...ops, reduction, lm, smoothing, bias, classWeight, chunkRows, gradient, targets, filterEps };
}

/**
 * options.filterEps: 0 (exact, the default) or an ε in (0, 1]; the backward then drops the gradient's entries whose
 * softmax is below ε, which label smoothing's gradient (ε / C at every class) has none of.
 * @throws TypeError when not a number; RangeError outside [0, 1], or beside labelSmoothing.
 */
function readFilterEps(caller: string, value: unknown, smoothing: number): number {
  const eps = checkNumberIn(caller, 'filterEps', value, 0, 0, 1);
  if (eps > 0 && smoothing > 0) {
    throw new RangeError(
      `${caller}: options.filterEps cannot be used with options.labelSmoothing (${smoothing}): the smoothed ` +
        'gradient has no small entries to drop',
    );
  }
  return eps;
}

/**
 * Rows per chunk: options.chunkSize, or `byDefault` (at least 4, and 4 fewer when a multiple of 64), at most the
 * rows. The chunk's rows are the row stride of the matmul's B (X_chunkᵀ): at a multiple of 64 float32 its rows share
 * one set of the L1 cache, and the forward at N 8192, d 128, V 4096 took 440 ms in chunks of 2048 rows, 257 in 2044.
 */
export function readChunkRows(caller: string, value: unknown, byDefault: number, rows: number): number {
  const chunkSize = value !== undefined ? value : Math.max(4, byDefault % 64 === 0 ? byDefault - 4 : byDefault);
  if (typeof chunkSize !== 'number' || !Number.isInteger(chunkSize)) {
    throw new TypeError(`${caller}: options.chunkSize must be a positive integer, received ${describe(chunkSize)}`);
  }
  if (chunkSize < 1) throw new RangeError(`${caller}: options.chunkSize must be ≥ 1, received ${chunkSize}`);
  return Math.max(1, Math.min(chunkSize, rows));
}

/** input, linearWeight, target and options, as the public functions take them. */
export type LinearArgs = [input: unknown, linearWeight: unknown, target: unknown, options: unknown];

/** The chunk program's description of a read call: the gradient's scales folded with the reduction. */
function plan(caller: string, r: ReturnType<typeof readLinear>): LinearCall {
  const { x, reduction, targets, gradient } = r;
  const perItem = gradient !== undefined && typeof gradient.gradOutput !== 'number';
  const mean = reduction === 'mean' && !perItem;
  const go = gradient === undefined || perItem ? 1 : (gradient.gradOutput as number);
  const zScale = r.lm.zScale ?? 0;
  const withGrad = gradient !== undefined;
  return {
    caller,
    input: x.data,
    rows: r.rows,
    width: r.width,
    linearWeight: r.w.data,
    vocab: r.vocab,
    bias: r.bias,
    targets: targets.indices,
    classWeight: r.classWeight,
    smoothing: r.smoothing,
    softcap: r.lm.softcap,
    zScale,
    zGrad: withGrad && zScale ? 2 * zScale * (mean ? targets.weightSum / targets.count : 1) : 0,
    gradScale: withGrad ? (mean ? go / targets.weightSum : go) : 0,
    gradOutput: perItem ? (gradient.gradOutput as FloatArray) : undefined,
    withGrad,
    reduce: reduction !== 'none',
    chunkRows: r.chunkRows,
    into: gradient?.into ?? {},
    given: gradient?.given ?? {},
    accumulate: gradient?.accumulate ?? false,
    ...(r.filterEps > 0 ? { filterLogEps: Math.log(r.filterEps) } : {}),
  };
}

/** F.cross_entropy(F.linear(…)) of a call: read, plan, run (the chunk program), finish. */
export function linearCrossEntropyOf(caller: string, withGrad: boolean, ...args: LinearArgs) {
  const r = readLinear(caller, withGrad, args);
  const ran = runProgram(linearProgram(plan(caller, r)));
  const { loss, zLoss } = finishLoss({
    reduction: r.reduction,
    isFloat32: r.x.data instanceof Float32Array,
    lossShape: r.lossShape,
    loss: ran.outputs.lossOut,
    zLoss: ran.outputs.zLossOut,
    lossSum: ran.sums.lossOut ?? 0,
    zLossSum: ran.sums.zLossOut ?? 0,
    divisor: r.targets.weightSum,
    zDivisor: r.targets.count,
    withZ: r.lm.zScale !== undefined,
  });
  return { loss, ...(zLoss !== undefined ? { zLoss } : {}), ...headGradients(ran.outputs, r) };
}

/** The gradients a head's chunk program made, as tensors (none without a gradient, gradBias only with a bias). */
export function headGradients(
  outputs: Ran['outputs'],
  ops: Pick<ReturnType<typeof readOperands>, 'x' | 'w' | 'vocab'>,
) {
  const tensor = (name: string, shape: number[]) => (outputs[name] ? { [name]: { data: outputs[name], shape } } : {});
  return {
    ...tensor('gradInput', ops.x.shape),
    ...tensor('gradWeight', ops.w.shape),
    ...tensor('gradBias', [ops.vocab]),
  };
}
