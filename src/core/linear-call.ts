// linearCrossEntropy's arguments, read and checked once, and its result: F.linear(input, linearWeight,
// linearBias) then F.cross_entropy(…, target, weight, ignoreIndex, reduction, labelSmoothing), with crossEntropy's
// z-loss and softcap, run chunk by chunk (./linear.ts).
import type { FloatArray, Tensor } from '../types.js';
import { type AnyReduction, inDtype, readGradOutput } from './families.js';
import { readLanguageModelOptions } from './language-model.js';
import { linearBytes, MAX_LINEAR_BYTES, runLinear } from './linear.js';
import { wasm } from './runtime.js';
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
  readOptions,
  shapeString,
} from './validate.js';
import { insideLiveTensor } from './wasm-tensor.js';

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

const overlaps = (a: ArrayBufferView, b: ArrayBufferView) =>
  a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;

export function linearCrossEntropyOf(
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
    throw new TypeError(`${caller}: linearWeight.data must be a ${x.data.constructor.name} like the input`);
  }
  if (w.shape.length !== 2 || w.shape[1] !== width) {
    throw new RangeError(
      `${caller}: linearWeight must be [V, ${width}] (d = the input's last dim), received ${shapeString(w.shape)}`,
    );
  }
  const vocab = w.shape[0];
  const rows = width === 0 ? 0 : x.size / width;
  const reduction = checkReduction(caller, o.reduction) as AnyReduction;
  const lm = readLanguageModelOptions(caller, o, x.data, reduction);
  const smoothing = checkNumberIn(caller, 'labelSmoothing', o.labelSmoothing, 0, 0, 1);
  const ignoreIndex = checkInteger(caller, 'ignoreIndex', o.ignoreIndex, -100);
  const vector = (name: string, value: unknown) => {
    if (value === undefined) return undefined;
    const v = floatValues(caller, `options.${name}`, value, 'a Float32Array, Float64Array or number[]');
    if (v.length !== vocab) throw new RangeError(`${caller}: options.${name} must have length V = ${vocab}`);
    return inDtype(v, x.data);
  };
  const bias = vector('linearBias', o.linearBias);
  const classWeight = vector('weight', o.weight);
  const eb = x.data.BYTES_PER_ELEMENT;
  const chunkSize = o.chunkSize ?? Math.max(4, Math.floor(CHUNK_BYTES / (2 * Math.max(vocab, 1) * eb) / 4) * 4);
  if (typeof chunkSize !== 'number' || !Number.isInteger(chunkSize)) {
    throw new TypeError(`${caller}: options.chunkSize must be a positive integer, received ${describe(chunkSize)}`);
  }
  if (chunkSize < 1) throw new RangeError(`${caller}: options.chunkSize must be ≥ 1, received ${chunkSize}`);
  const chunkRows = Math.max(1, Math.min(chunkSize, rows));
  const bytes = linearBytes(rows, width, vocab, chunkRows, eb, withGrad);
  if (bytes > MAX_LINEAR_BYTES) {
    throw new RangeError(
      `${caller}: N = ${rows}, d = ${width}, V = ${vocab} need ${bytes} bytes of WebAssembly memory even in chunks ` +
        `of ${chunkRows} rows (the weights, inputs and gradients whole), more than wasm32's 4 GiB`,
    );
  }
  const lossShape = x.shape.slice(0, -1);
  const indicesRead = readIndices(caller, target);
  if (shapeString(indicesRead.shape) !== shapeString(lossShape)) {
    throw new RangeError(
      `${caller}: target must have shape ${shapeString(lossShape)} (the input's without d), ` +
        `received ${shapeString(indicesRead.shape)}`,
    );
  }
  const scalar = reduction !== 'none';
  const gradOutput = withGrad ? readGradOutput(caller, o.gradOutput, lossShape, scalar, x.data) : 1;
  const outs = {
    gradInput: withGrad ? destination(caller, 'gradInputOut', o.gradInputOut, x.data, x.size) : undefined,
    gradWeight: withGrad ? destination(caller, 'gradWeightOut', o.gradWeightOut, x.data, w.size) : undefined,
    gradBias: withGrad ? destination(caller, 'gradBiasOut', o.gradBiasOut, x.data, vocab) : undefined,
  };
  const accumulate = withGrad && checkBoolean(caller, 'accumulate', o.accumulate, false);
  if (accumulate && !outs.gradWeight) {
    throw new TypeError(`${caller}: options.accumulate adds into options.gradWeightOut, which is missing`);
  }
  for (const [name, out] of Object.entries(outs)) {
    for (const [label, read] of [
      ['input', x.data],
      ['linearWeight', w.data],
      ['linearBias', bias],
      ['weight', classWeight],
    ] as const) {
      if (out && read && overlaps(out, read)) {
        throw new RangeError(`${caller}: options.${name}Out overlaps ${label}; it must share no memory with it`);
      }
    }
  }
  // last: the values (class indices in range)
  const { indices, weightSum, count } = classIndices(caller, indicesRead, vocab, ignoreIndex, classWeight);
  const perItem = typeof gradOutput !== 'number';
  const mean = reduction === 'mean' && !perItem;
  const go = perItem ? 1 : (gradOutput as number);
  const zScale = lm.zScale ?? 0;
  // destinations in WebAssembly memory (allocTensor): viewed afresh after the call, which may grow the memory
  const memory = wasm(caller).memory;
  const before = memory.buffer;
  for (const [name, out] of Object.entries(outs)) {
    if (out && out.buffer === before && !insideLiveTensor(wasm(caller), out.byteOffset, out.byteLength)) {
      throw new TypeError(
        `${caller}: options.${name}Out is a view of WebAssembly memory that no live allocTensor tensor holds`,
      );
    }
  }
  const placesOf = Object.entries(outs).map(([name, v]) => [name, v?.buffer === before ? v.byteOffset : -1, v?.length]);
  const ran = runLinear({
    caller,
    input: x.data,
    rows,
    width,
    linearWeight: w.data,
    vocab,
    bias,
    targets: indices,
    classWeight,
    smoothing,
    softcap: lm.softcap,
    zScale,
    zGrad: withGrad && zScale ? 2 * zScale * (mean ? weightSum / count : 1) : 0,
    gradScale: withGrad ? (mean ? go / weightSum : go) : 0,
    gradOutput: perItem ? (gradOutput as FloatArray) : undefined,
    withGrad,
    withBias: bias !== undefined,
    chunkRows,
    gradWeightInitial: accumulate ? outs.gradWeight : undefined,
  });
  const given: Record<string, unknown> = {
    gradInput: o.gradInputOut,
    gradWeight: o.gradWeightOut,
    gradBias: o.gradBiasOut,
  };
  for (const [name, offset, length] of placesOf as [keyof typeof outs, number, number][]) {
    const out = outs[name];
    if (out && offset >= 0 && out.buffer !== memory.buffer) {
      // grown: the caller's view is detached, so the fresh one is handed back
      outs[name] = new (out instanceof Float64Array ? Float64Array : Float32Array)(memory.buffer, offset, length);
      given[name] = outs[name];
    }
  }
  return result(
    x.data,
    ran,
    reduction,
    lossShape,
    weightSum,
    count,
    lm.zScale !== undefined,
    outs,
    given,
    x.shape,
    w.shape,
  );
}

function result(
  like: FloatArray,
  ran: ReturnType<typeof runLinear>,
  reduction: AnyReduction,
  lossShape: number[],
  weightSum: number,
  count: number,
  withZ: boolean,
  outs: Record<'gradInput' | 'gradWeight' | 'gradBias', FloatArray | undefined>,
  given: Record<string, unknown>,
  inputShape: number[],
  weightShape: number[],
) {
  const f32 = like instanceof Float32Array;
  const round = (v: number) => (f32 ? Math.fround(v) : v);
  const reduce = (values: FloatArray, divisor: number) => {
    let sum = 0;
    for (const v of values) sum += v;
    return round(reduction === 'sum' ? round(sum) : round(sum) / divisor);
  };
  let loss: number | Tensor<FloatArray>;
  let zLoss: number | Tensor<FloatArray> | undefined;
  if (reduction === 'none') {
    const total = ran.loss.map((v, i) => v + ran.zLoss[i]) as FloatArray;
    loss = { data: total, shape: lossShape };
    zLoss = withZ ? { data: ran.zLoss, shape: lossShape } : undefined;
  } else {
    const z = reduce(ran.zLoss, count);
    loss = round(reduce(ran.loss, weightSum) + z);
    zLoss = withZ ? z : undefined;
  }
  // into a destination (the caller's own array is handed back), or the fresh array
  const placed = (values: FloatArray | undefined, name: 'gradInput' | 'gradWeight' | 'gradBias') => {
    const out = outs[name];
    if (values && out) out.set(values);
    return out ? (given[name] as FloatArray) : values;
  };
  const gradInput = placed(ran.gradInput, 'gradInput');
  const gradWeight = placed(ran.gradWeight, 'gradWeight');
  const gradBias = placed(ran.gradBias, 'gradBias');
  return {
    loss,
    ...(zLoss !== undefined ? { zLoss } : {}),
    ...(gradInput ? { gradInput: { data: gradInput, shape: inputShape } } : {}),
    ...(gradWeight ? { gradWeight: { data: gradWeight, shape: weightShape } } : {}),
    ...(gradBias ? { gradBias: { data: gradBias, shape: [weightShape[0]] } } : {}),
  };
}
