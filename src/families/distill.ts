// Distillation (distillKlDiv, jsd, tvd): a student's logits and a teacher's (or its log-probabilities) of one shape
// [..., V], compared row by row by the distill kernel. Every argument and option is read once, in order, then the
// values (labels, a log-probability teacher's sums), then the rows run on the pipeline and reduce in runLoss.
import { halfAware } from '../core/half.js';
import {
  checkBoolean,
  checkInteger,
  checkReduction,
  describe,
  floatTensor,
  readOptions,
  shapeString,
} from '../core/validate.js';
import type { FloatArray } from '../types.js';
import { runAlongDim } from './along-dim.js';
import { type AnyReduction, type LossResult, readLossGradient, runLoss } from './loss.js';
import { readScale } from './scoring.js';
import { classIndices, readIndices } from './targets.js';

/** The kernel's divergences (assembly/kernels/distill.ts). */
export const FORWARD_KL = 0;
export const REVERSE_KL = 1;
export const JSD = 2;
export const TVD = 3;

/** The options the three functions share, and their …WithGrad's own. */
export const DISTILL_OPTIONS = ['reduction', 'temperature', 'teacherLogProbs', 'labels', 'ignoreIndex'] as const;
export const DISTILL_GRAD_OPTIONS = ['gradOutput', 'out', 'accumulate'] as const;
const REDUCTIONS: readonly AnyReduction[] = ['none', 'mean', 'sum', 'batchmean'];

/** How far past 1 a row of teacher probabilities may sum (rounding of float32 log-probabilities is far below). */
export const TEACHER_SUM_TOLERANCE = 1e-4;

/** What a binding decides: the divergence, JSD's β, and the loss's factor (τ² for the KL, ½ for TVD). */
export interface DistillSpec {
  divergence: number;
  beta: number;
  /** The loss's factor, or a function of the temperature (the KL's τ²). */
  lossScale: number | ((temperature: number) => number);
}

type Options = Readonly<Partial<Record<string, unknown>>>;

/** The student and teacher, checked: float tensors of one dtype and one shape of at least one dim. */
function readPair(caller: string, student: unknown, teacher: unknown) {
  const s = floatTensor(caller, 'student', student);
  const t = floatTensor(caller, 'teacher', teacher);
  if (t.data.constructor !== s.data.constructor) {
    throw new TypeError(
      `${caller}: teacher.data must be a ${s.data.constructor.name} like the student's, received ${describe(t.data)}`,
    );
  }
  if (s.shape.length === 0) {
    throw new RangeError(`${caller}: student must have at least one dim (the vocabulary, last), received []`);
  }
  if (shapeString(t.shape) !== shapeString(s.shape)) {
    throw new RangeError(
      `${caller}: teacher must have the student's shape ${shapeString(s.shape)}, received ${shapeString(t.shape)}`,
    );
  }
  const vocab = s.shape[s.shape.length - 1];
  const rows = s.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  return { s, t, vocab, rows };
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
  const layout = { data: teacher, shape: [rows, vocab], size: teacher.length, dim: 1, outer: rows, cols: vocab };
  const lse = runAlongDim(caller, 'logSumExp', { ...layout, inner: 1 }, 'row');
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

/** Runs a divergence: options o read by the binding (it took its own from them). */
export function runDistill<T extends FloatArray>(
  caller: string,
  withGrad: boolean,
  student: unknown,
  teacher: unknown,
  o: Options,
  spec: DistillSpec,
): LossResult<T> {
  const { s, t, vocab, rows } = readPair(caller, student, teacher);
  const reduction = checkReduction(caller, o.reduction, REDUCTIONS, 'batchmean');
  const invTemperature = readScale(caller, o.temperature, s.data);
  const teacherLogProbs = checkBoolean(caller, 'teacherLogProbs', o.teacherLogProbs, false);
  const ignoreIndex = checkInteger(caller, 'ignoreIndex', o.ignoreIndex, -100);
  const accumulate = checkBoolean(caller, 'accumulate', o.accumulate, false);
  const gradient = withGrad
    ? readLossGradient(caller, o.gradOutput, o.out, accumulate, s.shape, reduction !== 'none', s.data)
    : undefined;
  // the values
  const labels = readLabels(caller, o.labels, rows, vocab, ignoreIndex);
  if (teacherLogProbs) checkTeacherSums(caller, t.data, rows, vocab, labels?.indices);
  const counted = labels ? labels.count : rows;
  const temperature = o.temperature === undefined ? 1 : (o.temperature as number);
  const lossScale = typeof spec.lossScale === 'number' ? spec.lossScale : spec.lossScale(temperature);
  return runLoss<'distill', T>({
    caller,
    kernel: 'distill',
    input: s,
    outer: vocab === 0 ? 0 : rows,
    cols: vocab,
    inner: 1,
    lossShape: s.shape,
    reduction,
    lossPer: reduction === 'none' ? 'element' : 'row',
    gradient,
    operands: {
      teacher: { label: 'teacher', data: t.data, per: 'element' },
      labels: labels && { label: 'options.labels', data: labels.indices, per: 'row', fresh: true },
    },
    scalars: {
      divergence: spec.divergence,
      beta: spec.beta,
      invTemperature,
      lossScale,
      perElement: reduction === 'none' ? 1 : 0,
    },
    divisor: reduction === 'mean' ? counted * vocab : reduction === 'batchmean' ? counted : 1,
  });
}

/** A divergence and its …WithGrad: `own` options besides the shared ones, read by `specOf` before the tensors. */
export function distillFunctions(
  name: string,
  own: readonly string[],
  specOf: (o: Options, caller: string) => DistillSpec,
) {
  const call = (caller: string, withGrad: boolean, student: unknown, teacher: unknown, options: unknown) => {
    const accepted = [...DISTILL_OPTIONS, ...own, ...(withGrad ? DISTILL_GRAD_OPTIONS : [])];
    const o = readOptions(caller, options, accepted);
    return runDistill(caller, withGrad, student, teacher, o, specOf(o, caller));
  };
  return {
    loss: halfAware((s: unknown, t: unknown, o?: unknown) => call(name, false, s, t, o).loss),
    withGrad: halfAware((s: unknown, t: unknown, o?: unknown) => call(`${name}WithGrad`, true, s, t, o)),
  };
}
