// Distillation (distillKlDiv, jsd, tvd): a student's logits [..., V] and a teacher's logits (or log-probabilities) of
// the same shape, compared row by row by the distill kernel, or the teacher's top k per row ({ indices, logProbs })
// by the distillTopK kernel. Every argument and option is read once, in order, then the values (labels, the
// teacher's sums and ids), then the rows run on the pipeline and reduce in runLoss.
import { inHalfAwareCall } from '../core/half.js';
import {
  checkBoolean,
  checkInteger,
  checkNumberIn,
  checkReduction,
  describe,
  floatTensor,
  product,
  readOptions,
  shapeString,
} from '../core/validate.js';
import type { FloatArray } from '../types.js';
import { runAlongDim } from './along-dim.js';
import { isTopK, readTopKTeacher, TEACHER_SUM_TOLERANCE, type TopKTeacher } from './distill-top-k.js';
import { type AnyReduction, type LossResult, readLossGradient, runLoss } from './loss.js';
import { readScale } from './scoring.js';
import { classIndices, readIndices } from './targets.js';

/** The kernel's divergences (assembly/kernels/distill.ts). */
export const FORWARD_KL = 0;
export const REVERSE_KL = 1;
export const JSD = 2;
export const TVD = 3;

/** The options the three functions share, and their …WithGrad's own. */
export const DISTILL_OPTIONS = [
  'reduction',
  'temperature',
  'weightHard',
  'weightSoft',
  'teacherLogProbs',
  'tail',
  'labels',
  'ignoreIndex',
] as const;
export const DISTILL_GRAD_OPTIONS = ['gradOutput', 'out', 'accumulate'] as const;
const REDUCTIONS: readonly AnyReduction[] = ['none', 'mean', 'sum', 'batchmean'];

/** What a binding decides: the divergence, JSD's β, and the loss's factor (τ² for the KL, ½ for TVD). */
export interface DistillSpec {
  divergence: number;
  beta: number;
  /** The loss's factor, or a function of the temperature (the KL's τ²). */
  lossScale: number | ((temperature: number) => number);
}

type Options = Readonly<Partial<Record<string, unknown>>>;

/** distillKlDiv's divergence from options.direction, scaled by τ² (Hinton). */
function klDivSpec(o: Options, caller: string): DistillSpec {
  const { direction = 'forward' } = o;
  if (direction !== 'forward' && direction !== 'reverse') {
    const kind = typeof direction === 'string' ? RangeError : TypeError;
    throw new kind(`${caller}: options.direction must be 'forward' or 'reverse', received ${describe(direction)}`);
  }
  return { divergence: direction === 'forward' ? FORWARD_KL : REVERSE_KL, beta: 0, lossScale: (t) => t * t };
}

/** jsd's divergence from options.beta: β = 0 and 1 are the two KLs themselves (not the mixture's limits, 0). */
function jsdSpec(o: Options, caller: string): DistillSpec {
  const beta = checkNumberIn(caller, 'beta', o.beta, 0.5, 0, 1);
  const divergence = beta === 0 ? FORWARD_KL : beta === 1 ? REVERSE_KL : JSD;
  return { divergence, beta, lossScale: 1 };
}

/** tvd's: ½ Σ |p − q|. */
const tvdSpec = (): DistillSpec => ({ divergence: TVD, beta: 0, lossScale: 0.5 });

/** A divergence as its functions take it: its own options, and its spec read from them. */
export interface Divergence {
  own: readonly string[];
  specOf(o: Options, caller: string): DistillSpec;
}
export const KL_DIVERGENCE: Divergence = { own: ['direction'], specOf: klDivSpec };
export const JENSEN_SHANNON: Divergence = { own: ['beta'], specOf: jsdSpec };
export const TOTAL_VARIATION: Divergence = { own: [], specOf: tvdSpec };

/** The student, checked: a float tensor of at least one dim (the vocabulary, last). */
function readStudent(caller: string, student: unknown) {
  const s = floatTensor(caller, 'student', student);
  if (s.shape.length === 0) {
    throw new RangeError(`${caller}: student must have at least one dim (the vocabulary, last), received []`);
  }
  const vocab = s.shape[s.shape.length - 1];
  const rows = s.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  return { s, vocab, rows };
}

/** A dense teacher, checked: a float tensor of the student's dtype and shape. */
export function readDenseTeacher(caller: string, teacher: unknown, s: { data: FloatArray; shape: number[] }) {
  const t = floatTensor(caller, 'teacher', teacher);
  if (t.data.constructor !== s.data.constructor) {
    throw new TypeError(
      `${caller}: teacher.data must be a ${s.data.constructor.name} like the student's, received ${describe(t.data)}`,
    );
  }
  if (shapeString(t.shape) !== shapeString(s.shape)) {
    throw new RangeError(
      `${caller}: teacher must have the student's shape ${shapeString(s.shape)}, received ${shapeString(t.shape)}`,
    );
  }
  return t;
}

/** tail: how a top-k teacher's other tokens count ('renormalize' or 'bucket'); only for a top-k teacher. */
function readTail(caller: string, value: unknown, topK: boolean): boolean {
  if (value === undefined) return false;
  if (!topK) {
    throw new TypeError(`${caller}: options.tail applies to a teacher given as its top k ({ indices, logProbs })`);
  }
  if (value !== 'renormalize' && value !== 'bucket') {
    const kind = typeof value === 'string' ? RangeError : TypeError;
    throw new kind(`${caller}: options.tail must be 'renormalize' or 'bucket', received ${describe(value)}`);
  }
  return value === 'bucket';
}

/** The labels, one per row, checked against the vocabulary: Int32 class indices with −1 where ignored. */
function readLabels(caller: string, value: unknown, rows: number, vocab: number, ignoreIndex: number) {
  if (value === undefined) return undefined;
  const target = readIndices(caller, value, 'options.labels', 'class labels, one per row');
  if (target.data.length !== rows) {
    throw new RangeError(
      `${caller}: options.labels must have one label per row of the student (${rows}), received ${target.data.length}`,
    );
  }
  return classIndices(caller, target, vocab, ignoreIndex, undefined);
}

/**
 * RangeError unless each counted row of a log-probability teacher sums to at most 1 + TEACHER_SUM_TOLERANCE (its
 * log-sum-exp computed by the logSumExp kernel).
 */
function checkTeacherSums(caller: string, teacher: FloatArray, rows: number, vocab: number, kept?: Int32Array) {
  if (rows === 0 || vocab === 0) return;
  const layout = {
    data: teacher,
    shape: [rows, vocab],
    size: teacher.length,
    dim: 1,
    outer: rows,
    cols: vocab,
    inner: 1,
  };
  const lse = runAlongDim(caller, 'logSumExp', layout, 'row');
  const limit = Math.log1p(TEACHER_SUM_TOLERANCE);
  for (let r = 0; r < rows; r++) {
    if (kept && kept[r] < 0) continue;
    if (lse[r] > limit) {
      throw new RangeError(
        `${caller}: teacher row ${r} is not log-probabilities: its probabilities sum to ${Math.exp(lse[r])}, past 1 ` +
          '(and a log-probability is never above 0). Pass logSoftmax(logits), or the logits without teacherLogProbs',
      );
    }
  }
}

/**
 * weightHard and weightSoft (Liger's distillation base): weightHard · crossEntropy(student, labels) + weightSoft ·
 * the divergence, from one pass; a hard loss needs the labels, a dense teacher and a reduction to a number.
 */
function readWeights(caller: string, o: Options, reduction: AnyReduction, topK: boolean) {
  const weight = (name: 'weightHard' | 'weightSoft', fallback: number) => {
    const value = o[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number')
      throw new TypeError(`${caller}: options.${name} must be a number, received ${describe(value)}`);
    if (!Number.isFinite(value)) throw new RangeError(`${caller}: options.${name} must be finite, received ${value}`);
    return value;
  };
  const hard = weight('weightHard', 0);
  const soft = weight('weightSoft', 1);
  if (hard !== 0) {
    const missing = o.labels === undefined ? 'options.labels (the hard targets)' : undefined;
    const why =
      missing ?? (topK ? 'a dense teacher' : reduction === 'none' ? "a reduction to a number, not 'none'" : undefined);
    if (why) throw new TypeError(`${caller}: options.weightHard (a hard loss beside the divergence) needs ${why}`);
  }
  return { hard, soft };
}

/** The options the dense and fused forms read alike, in order, once the teacher's kind is known. */
export function readDistillOptions(caller: string, o: Options, topK: boolean, like: FloatArray) {
  const reduction = checkReduction(caller, o.reduction, REDUCTIONS, 'batchmean');
  const invTemperature = readScale(caller, o.temperature, like);
  const teacherLogProbs = checkBoolean(caller, 'teacherLogProbs', o.teacherLogProbs, false);
  const bucket = readTail(caller, o.tail, topK);
  const ignoreIndex = checkInteger(caller, 'ignoreIndex', o.ignoreIndex, -100);
  const accumulate = checkBoolean(caller, 'accumulate', o.accumulate, false);
  const weights = readWeights(caller, o, reduction, topK);
  const temperature = o.temperature === undefined ? 1 : (o.temperature as number);
  return { reduction, invTemperature, teacherLogProbs, bucket, ignoreIndex, accumulate, weights, temperature };
}

type DistillOptionsRead = ReturnType<typeof readDistillOptions>;

/**
 * The values of a call on student logits of `shape` [..., V] (or of a head that makes them): the labels, a top-k
 * teacher's ids, and the loss's width and shape (a top-k teacher's outcomes per row: its k ids, and the bucket of
 * the other tokens unless they are none).
 */
export function readDistillValues(
  caller: string,
  o: Options,
  r: DistillOptionsRead,
  teacher: unknown,
  shape: number[],
  like: FloatArray,
) {
  const vocab = shape[shape.length - 1];
  const rows = product(shape.slice(0, -1));
  const labels = readLabels(caller, o.labels, rows, vocab, r.ignoreIndex);
  const top = isTopK(teacher) ? readTopKTeacher(caller, teacher, shape, like, labels?.indices) : undefined;
  const width = top ? top.k + (r.bucket && top.k < vocab ? 1 : 0) : vocab;
  const lossShape = top ? [...shape.slice(0, -1), width] : shape;
  return { labels, top, width, lossShape, rows, vocab };
}

/** Reads a divergence's call: the arguments and options in order, then the values (labels, the teacher's sums). */
function readDistill(caller: string, withGrad: boolean, student: unknown, teacher: unknown, o: Options) {
  const topK = isTopK(teacher);
  const { s } = readStudent(caller, student);
  const t = topK ? undefined : readDenseTeacher(caller, teacher, s);
  const options = readDistillOptions(caller, o, topK, s.data);
  // the values
  const values = readDistillValues(caller, o, options, teacher, s.shape, s.data);
  const { reduction, accumulate } = options;
  const gradient = withGrad
    ? readLossGradient(caller, o.gradOutput, o.out, accumulate, values.lossShape, reduction !== 'none', s.data)
    : undefined;
  checkTeacherValues(caller, options.teacherLogProbs ? t?.data : undefined, values, gradient);
  return { caller, s, t, ...options, ...values, gradient };
}

/**
 * The last of a call's reading: a log-probability teacher's rows checked to sum to at most 1, and a per-outcome
 * gradOutput of a top-k teacher put in its sorted order (as the kernel reads it).
 */
export function checkTeacherValues(
  caller: string,
  logProbs: FloatArray | undefined,
  values: ReturnType<typeof readDistillValues>,
  gradient: { gradOutput: number | FloatArray } | undefined,
) {
  if (logProbs) checkTeacherSums(caller, logProbs, values.rows, values.vocab, values.labels?.indices);
  if (values.top && gradient && typeof gradient.gradOutput !== 'number') {
    gradient.gradOutput = inOrder(gradient.gradOutput, values.top, values.width, 'sorted');
  }
}

/** The kernels' scalars of a call read, and what its reduction divides by. */
export function distillScalars(r: DistillOptionsRead & ReturnType<typeof readDistillValues>, spec: DistillSpec) {
  const { reduction, vocab, rows, labels, width, top } = r;
  const softScale = typeof spec.lossScale === 'number' ? spec.lossScale : spec.lossScale(r.temperature);
  const scalars = {
    divergence: spec.divergence,
    beta: spec.beta,
    invTemperature: r.invTemperature,
    lossScale: r.weights.soft * softScale,
    // the hard loss is a mean over the counted rows whatever the soft one divides by ('mean': their elements too)
    hardWeight: r.weights.hard * (reduction === 'mean' ? vocab : 1),
    perElement: reduction === 'none' ? 1 : 0,
    bucket: r.bucket ? 1 : 0,
    k: top ? top.k : 0,
  };
  const counted = labels ? labels.count : rows;
  const divisor = reduction === 'mean' ? counted * width : reduction === 'batchmean' ? counted : 1;
  return { scalars, divisor };
}

/** The kernel's plan of a call read. */
function planDistill(r: ReturnType<typeof readDistill>, spec: DistillSpec) {
  const { s, t, top, vocab, rows, reduction, labels, width } = r;
  const { scalars, divisor } = distillScalars(r, spec);
  const labelOperand = labels && { label: 'options.labels', data: labels.indices, per: 'row' as const, fresh: true };
  return {
    caller: r.caller,
    kernel: top ? 'distillTopK' : 'distill',
    input: s,
    outer: vocab === 0 ? 0 : rows,
    cols: vocab,
    inner: 1,
    lossShape: r.lossShape,
    reduction,
    lossPer: reduction === 'none' && !top ? 'element' : 'row',
    lossWidth: width,
    gradient: r.gradient,
    operands: top
      ? {
          ids: { label: 'teacher.indices', data: top.ids, per: 'row', width: top.k, fresh: true },
          teacher: { label: 'teacher.logProbs', data: top.logProbs, per: 'row', width: top.k, fresh: true },
          labels: labelOperand,
        }
      : { teacher: { label: 'teacher', data: (t as { data: FloatArray }).data, per: 'element' }, labels: labelOperand },
    scalars,
    scratch: top ? undefined : ['studentExp', 'teacherExp'],
    divisor,
  };
}

/** Runs a divergence: options o read by the binding (it took its own from them). */
export function runDistill<T extends FloatArray>(
  caller: string,
  withGrad: boolean,
  student: unknown,
  teacher: unknown,
  o: Options,
  spec: DistillSpec,
): LossResult<T> {
  const read = readDistill(caller, withGrad, student, teacher, o);
  const result = runLoss<'distill' | 'distillTopK', T>(planDistill(read, spec) as never);
  if (read.top && read.reduction === 'none') {
    const loss = result.loss as { data: FloatArray };
    loss.data = inOrder(loss.data, read.top, read.width, 'caller');
  }
  return result;
}

/** Per-outcome values (width per row) from the caller's order of a row's ids to the sorted one, or back. */
export function inOrder(values: FloatArray, top: TopKTeacher, width: number, to: 'sorted' | 'caller'): FloatArray {
  const out = values.slice();
  const { k, order } = top;
  for (let r = 0; r * width < values.length; r++) {
    for (let j = 0; j < k; j++) {
      const [sorted, caller] = [r * width + j, r * width + order[r * k + j]];
      if (to === 'sorted') out[sorted] = values[caller];
      else out[caller] = values[sorted];
    }
  }
  return out;
}

/**
 * A call of a divergence (`name`, or its …WithGrad): its own options besides the shared ones, read before the
 * tensors. A function, not a factory: a bundle that imports none of the divergences drops all of this.
 */
export function distillCall(
  name: string,
  withGrad: boolean,
  { own, specOf }: Divergence,
  [student, teacher, options]: [unknown, unknown, unknown],
) {
  return inHalfAwareCall(() => {
    const caller = withGrad ? `${name}WithGrad` : name;
    const accepted = [...DISTILL_OPTIONS, ...own, ...(withGrad ? DISTILL_GRAD_OPTIONS : [])];
    const o = readOptions(caller, options, accepted);
    return runDistill(caller, withGrad, student, teacher, o, specOf(o, caller));
  });
}
