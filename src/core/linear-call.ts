// linearCrossEntropy's arguments, read and checked once, and its result: F.linear(input, linearWeight,
// linearBias) then F.cross_entropy(…, target, weight, ignoreIndex, reduction, labelSmoothing), with crossEntropy's
// z-loss and softcap, run chunk by chunk (./linear.ts).
import type { FloatArray } from '../types.js';
import { inDtype, readGradOutput } from './families.js';
import { type AnyReduction, finishLoss } from './finish.js';
import { readLanguageModelOptions } from './language-model.js';
import { linearProgram } from './linear.js';
import { runProgram } from './pipeline/index.js';
import { classIndices, readIndices } from './targets.js';
import {
  checkBoolean,
  checkInteger,
  checkNumberIn,
  checkReduction,
  describe,
  floatTensor,
  floatValues,
  ownView,
  product,
  readOptions,
  shapeString,
} from './validate.js';

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
const GRAD_OPTIONS = [...OPTIONS, 'gradOutput', 'gradInputOut', 'gradWeightOut', 'gradBiasOut', 'accumulate'] as const;

/** Bytes a chunk's logits and their gradient may take together when chunkSize is left out. */
const CHUNK_BYTES = 64 * 2 ** 20;

/** An `…Out` destination: a float array of the input's dtype and the gradient's length, else a named error. */
function destination(caller: string, name: string, value: unknown, like: FloatArray, length: number) {
  if (value === undefined) return undefined;
  const Type = like instanceof Float64Array ? 'Float64Array' : 'Float32Array';
  const view = ownView(caller, `options.${name}`, value, [Type]) as FloatArray | undefined;
  if (!view) throw new TypeError(`${caller}: options.${name} must be a ${Type}, received ${describe(value)}`);
  if (view.length !== length) {
    throw new RangeError(`${caller}: options.${name} must have length ${length}, received ${view.length}`);
  }
  return view;
}

/** The call's arguments and options, read and checked once, in order. */
function readLinear(
  caller: string,
  input: unknown,
  linearWeight: unknown,
  target: unknown,
  options: unknown,
  withGrad: boolean,
) {
  const o = readOptions(caller, options, withGrad ? GRAD_OPTIONS : OPTIONS);
  const x = floatTensor(caller, 'input', input);
  const w = floatTensor(caller, 'linearWeight', linearWeight);
  if (x.shape.length === 0) throw new RangeError(`${caller}: input must be [..., d], received a 0-dim tensor`);
  const width = x.shape[x.shape.length - 1];
  if (w.data.constructor !== x.data.constructor) {
    throw new TypeError(
      `${caller}: linearWeight.data must be a ${x.data.constructor.name} like the input, received ${describe(w.data)}`,
    );
  }
  if (w.shape.length !== 2 || w.shape[1] !== width) {
    throw new RangeError(
      `${caller}: linearWeight must be [V, ${width}] (d = the input's last dim), received ${shapeString(w.shape)}`,
    );
  }
  const vocab = w.shape[0];
  const lossShape = x.shape.slice(0, -1);
  const rows = product(lossShape);
  const reduction = checkReduction(caller, o.reduction) as AnyReduction;
  const lm = readLanguageModelOptions(caller, o, x.data, reduction);
  const smoothing = checkNumberIn(caller, 'labelSmoothing', o.labelSmoothing, 0, 0, 1);
  const ignoreIndex = checkInteger(caller, 'ignoreIndex', o.ignoreIndex, -100);
  const vector = (name: string, value: unknown) => {
    if (value === undefined) return undefined;
    const v = floatValues(caller, `options.${name}`, value, 'a Float32Array, Float64Array or number[]');
    if (v.length !== vocab) {
      throw new RangeError(`${caller}: options.${name} must have length V = ${vocab}, received length ${v.length}`);
    }
    return inDtype(v, x.data);
  };
  const bias = vector('linearBias', o.linearBias);
  const classWeight = vector('weight', o.weight);
  const chunkRows = readChunkRows(caller, o.chunkSize, vocab, rows, x.data.BYTES_PER_ELEMENT);
  const indicesRead = readIndices(caller, target);
  if (shapeString(indicesRead.shape) !== shapeString(lossShape)) {
    throw new RangeError(
      `${caller}: target must have shape ${shapeString(lossShape)} (the input's without d), ` +
        `received ${shapeString(indicesRead.shape)}`,
    );
  }
  const gradOutput = withGrad ? readGradOutput(caller, o.gradOutput, lossShape, reduction !== 'none', x.data) : 1;
  const into = {
    gradInput: withGrad ? destination(caller, 'gradInputOut', o.gradInputOut, x.data, x.size) : undefined,
    gradWeight: withGrad ? destination(caller, 'gradWeightOut', o.gradWeightOut, x.data, w.size) : undefined,
    gradBias: withGrad ? destination(caller, 'gradBiasOut', o.gradBiasOut, x.data, vocab) : undefined,
  };
  const accumulate = withGrad && checkBoolean(caller, 'accumulate', o.accumulate, false);
  if (accumulate && !into.gradWeight) {
    throw new TypeError(`${caller}: options.accumulate adds into options.gradWeightOut, which is missing`);
  }
  const given = { gradInput: o.gradInputOut, gradWeight: o.gradWeightOut, gradBias: o.gradBiasOut };
  // last: the values (class indices in range)
  const targets = classIndices(caller, indicesRead, vocab, ignoreIndex, classWeight);
  return {
    x,
    w,
    width,
    vocab,
    rows,
    lossShape,
    reduction,
    lm,
    smoothing,
    bias,
    classWeight,
    chunkRows,
    gradOutput,
    into,
    given,
    accumulate,
    targets,
  };
}

/** Rows per chunk: options.chunkSize, or as many as keep a chunk's logits and gradient within CHUNK_BYTES. */
function readChunkRows(caller: string, value: unknown, vocab: number, rows: number, eb: number): number {
  const chunkSize = value ?? Math.max(4, Math.floor(CHUNK_BYTES / (2 * Math.max(vocab, 1) * eb) / 4) * 4);
  if (typeof chunkSize !== 'number' || !Number.isInteger(chunkSize)) {
    throw new TypeError(`${caller}: options.chunkSize must be a positive integer, received ${describe(chunkSize)}`);
  }
  if (chunkSize < 1) throw new RangeError(`${caller}: options.chunkSize must be ≥ 1, received ${chunkSize}`);
  return Math.max(1, Math.min(chunkSize, rows));
}

export function linearCrossEntropyOf(
  caller: string,
  input: unknown,
  linearWeight: unknown,
  target: unknown,
  options: unknown,
  withGrad: boolean,
) {
  const r = readLinear(caller, input, linearWeight, target, options, withGrad);
  const { x, reduction, targets } = r;
  const perItem = typeof r.gradOutput !== 'number';
  const mean = reduction === 'mean' && !perItem;
  const go = perItem ? 1 : (r.gradOutput as number);
  const zScale = r.lm.zScale ?? 0;
  const ran = runProgram(
    linearProgram({
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
      gradOutput: perItem ? (r.gradOutput as FloatArray) : undefined,
      withGrad,
      reduce: reduction !== 'none',
      chunkRows: r.chunkRows,
      into: r.into,
      given: r.given,
      accumulate: r.accumulate,
    }),
  );
  const { loss, zLoss } = finishLoss({
    reduction,
    isFloat32: x.data instanceof Float32Array,
    lossShape: r.lossShape,
    loss: ran.outputs.lossOut,
    zLoss: ran.outputs.zLossOut,
    lossSum: ran.sums.lossOut ?? 0,
    zLossSum: ran.sums.zLossOut ?? 0,
    divisor: targets.weightSum,
    zDivisor: targets.count,
    withZ: r.lm.zScale !== undefined,
  });
  const tensor = (name: string, shape: number[]) =>
    ran.outputs[name] ? { [name]: { data: ran.outputs[name], shape } } : {};
  return {
    loss,
    ...(zLoss !== undefined ? { zLoss } : {}),
    ...tensor('gradInput', x.shape),
    ...tensor('gradWeight', r.w.shape),
    ...tensor('gradBias', [r.vocab]),
  };
}
