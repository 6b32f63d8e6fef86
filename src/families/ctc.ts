// F.ctc_loss as a chunk program over the sequences: the log-probabilities (and the gradient) whole, each
// sequence's labels, lengths, upstream gradient, scratch (α and p̂ for every frame) and nll per unit. The kernel
// runs in float64 whatever the dtype; the reduction is finished here ('mean': each loss over its target length,
// averaged).

import type { Dtype } from '../core/kernels.js';
import { type Chunk, callKernel, type Program, runProgram, type Slot } from '../core/pipeline/index.js';
import type { FloatArray, Tensor } from '../types.js';
import type { CtcLayout, CtcTargets } from './ctc-read.js';
import { reduced } from './finish.js';

/** A CTC call, read and checked. */
export interface CtcCall extends CtcTargets {
  caller: string;
  layout: CtcLayout;
  /** The caller's logProbs.data: the logits, when layout.data is their logSoftmax (fromLogits). */
  given: FloatArray;
  blank: number;
  reduction: 'none' | 'mean' | 'sum';
  zeroInfinity: boolean;
  /** …WithGrad: the upstream gradient (a number, or one per sequence for 'none') and the destination. */
  gradient?: { gradOutput: number | FloatArray; into?: FloatArray; given?: unknown };
}

/** The sequences per chunk: as many as 64 MiB of scratch holds (each needs α for every frame), at least one. */
const CHUNK_SCRATCH_BYTES = 64 * 2 ** 20;

/** The f64 values a sequence's scratch takes (assembly/kernels/ctc.ts's ctcScratchValues). */
function scratchValues(frames: number, maxTarget: number, classes: number): number {
  const row = 2 * maxTarget + 6;
  return 2 * frames * row + 5 * row + classes + (classes % 2); // (no bitwise rounding: dims may pass 2^32)
}

/** Each sequence's share of the upstream gradient: 'mean' divides by its target length (at least 1) and by N. */
function gradScales(call: CtcCall): Float64Array {
  const { gradOutput } = call.gradient as NonNullable<CtcCall['gradient']>;
  const { batch } = call.layout;
  const scales = new Float64Array(batch);
  for (let n = 0; n < batch; n++) {
    const g = typeof gradOutput === 'number' ? gradOutput : gradOutput[n];
    scales[n] = call.reduction === 'mean' ? g / Math.max(call.targetLengths[n], 1) / batch : g;
  }
  return scales;
}

/** The program's step: the kernel on the chunk's sequences (their log-probabilities and gradient strided in the
 * whole arrays, everything else per unit). */
function ctcStep(call: CtcCall, dtype: Dtype, bytes: number, withGrad: boolean) {
  const { caller, layout } = call;
  const { frames, batch, classes } = layout;
  const frameBytes = classes * bytes;
  return (chunk: Chunk) => {
    const whole = (name: string) => ({
      address: chunk.at(name).address + chunk.start * frameBytes,
      rowBytes: frameBytes,
    });
    const perUnit = (name: string) => {
      const { address, unitBytes } = chunk.at(name);
      return { address, rowBytes: unitBytes };
    };
    callKernel(caller, 'ctcLoss', dtype, chunk.units, frames * (2 * call.maxTarget + 1), {
      logProbs: whole('logProbs'),
      classes,
      frameStride: batch * classes,
      frames,
      targets: perUnit('targets'),
      maxTarget: call.maxTarget,
      inputLengths: perUnit('inputLengths'),
      targetLengths: perUnit('targetLengths'),
      scratch: perUnit('scratch'),
      lossOut: perUnit('lossOut'),
      grad: withGrad ? whole('grad') : undefined,
      gradScales: withGrad ? perUnit('gradScales') : undefined,
      blank: call.blank,
      zeroInfinity: call.zeroInfinity ? 1 : 0,
    });
    return undefined;
  };
}

function ctcProgram(call: CtcCall): Program {
  const { caller, layout, gradient } = call;
  const { data, frames, batch, classes } = layout;
  const Float = data instanceof Float64Array ? Float64Array : Float32Array;
  const dtype: Dtype = Float === Float64Array ? 'f64' : 'f32';
  const count = frames * batch * classes;
  const unit = (name: string, Type: Slot['Type'], n: number, source?: Slot['source']): Slot =>
    ({ name, label: name, Type, per: 'unit', count: n, source, fresh: source !== undefined }) as Slot;
  const perSequence = scratchValues(frames, call.maxTarget, classes);
  const slots: Slot[] = [
    {
      name: 'logProbs',
      label: 'logProbs.data',
      Type: Float,
      per: 'whole',
      count,
      source: data,
      fresh: data !== call.given,
    },
    unit('targets', Int32Array, call.maxTarget, call.labels),
    unit('inputLengths', Int32Array, 1, call.inputLengths),
    unit('targetLengths', Int32Array, 1, call.targetLengths),
    unit('scratch', Float64Array, perSequence),
    { ...unit('lossOut', Float64Array, 1), output: {} },
  ];
  if (gradient) {
    slots.push(unit('gradScales', Float64Array, 1, gradScales(call)));
    const output = { into: gradient.into, given: gradient.given };
    slots.push({ name: 'grad', label: 'options.out', Type: Float, per: 'whole', count, output, mayAlias: call.given });
  }
  const step = ctcStep(call, dtype, Float.BYTES_PER_ELEMENT, gradient !== undefined);
  const unitsPerChunk = Math.max(1, Math.min(batch, Math.floor(CHUNK_SCRATCH_BYTES / (perSequence * 8))));
  return { caller, dtype, units: batch, slots, unitsPerChunk, threads: true, step };
}

/** The loss as the caller gets it: a number, or one per sequence for 'none' (0-dim for a (T, C) input). */
function finishCtc(call: CtcCall, nll: Float64Array): number | Tensor<FloatArray> {
  const { layout, reduction } = call;
  const isFloat32 = !(layout.data instanceof Float64Array);
  const losses = nll.map((v) => (v === Infinity && call.zeroInfinity ? 0 : v));
  if (reduction === 'none') {
    const data = isFloat32 ? Float32Array.from(losses) : losses;
    return { data, shape: layout.batched ? [layout.batch] : [] };
  }
  let sum = 0;
  for (let n = 0; n < losses.length; n++) {
    sum += reduction === 'mean' ? losses[n] / Math.max(call.targetLengths[n], 1) : losses[n];
  }
  return reduced(sum, layout.batch, reduction, isFloat32);
}

/** Runs a CTC call: the loss, and with a gradient the gradient (the log-probabilities' shape and dtype). */
export function runCtc(call: CtcCall): { loss: number | Tensor<FloatArray>; grad?: Tensor<FloatArray> } {
  const logits = call.layout.data === call.given ? [] : [{ label: 'logProbs.data', data: call.given }];
  const { outputs } = runProgram(ctcProgram(call), logits);
  const loss = finishCtc(call, (outputs.lossOut as unknown as Float64Array | undefined) ?? new Float64Array(0));
  if (!call.gradient) return { loss };
  return { loss, grad: { data: outputs.grad, shape: call.layout.shape } };
}
