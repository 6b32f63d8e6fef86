// linearDistillKlDiv, linearJsd and linearTvd: distill.ts's divergences of the student's logits input ·
// linearWeightᵀ + linearBias, against a teacher given as logits, as its top k, or as hidden states with its own head
// ({ input, linearWeight, linearBias }). Read and checked once, in order (operands, teacher, options, gradient),
// then the values, then run chunk by chunk (./linear-distill.ts).

import { inHalfAwareCall } from '../core/half.js';
import { runProgram } from '../core/pipeline/index.js';
import { describe, field, readOptions, shapeString } from '../core/validate.js';
import type { FloatArray } from '../types.js';
import {
  checkTeacherValues,
  DISTILL_OPTIONS,
  type DistillSpec,
  type Divergence,
  distillScalars,
  inOrder,
  readDenseTeacher,
  readDistillOptions,
  readDistillValues,
} from './distill.js';
import { isTopK } from './distill-top-k.js';
import { finishLoss } from './finish.js';
import {
  headGradients,
  type Read,
  readChunkRows,
  readGradientOptions,
  readOperands,
  vocabVector,
} from './linear-call.js';
import { type FusedTeacher, type LinearDistillCall, linearDistillProgram } from './linear-distill.js';
import { gradientScale } from './loss.js';

const OPTIONS = [...DISTILL_OPTIONS, 'linearBias', 'chunkSize'] as const;
const GRAD_OPTIONS = ['gradOutput', 'gradInputOut', 'gradWeightOut', 'gradBiasOut', 'accumulate'] as const;
const TEACHER_HEAD_KEYS = ['input', 'linearWeight', 'linearBias'];

/** Bytes each [chunk × V] array of a chunk may take when chunkSize is left out (as linearCrossEntropy's). */
const ARRAY_BYTES = 32 * 2 ** 20;

type Operands = ReturnType<typeof readOperands>;

/** Whether the teacher is hidden states with a head: an object with `linearWeight`. */
const isTeacherHead = (teacher: unknown): teacher is object =>
  typeof teacher === 'object' && teacher !== null && field(teacher, 'linearWeight') !== undefined;

/** A teacher's hidden states [..., d'] and head [V, d'] (and bias [V]), checked against the student's. */
function readTeacherHead(caller: string, teacher: object, student: Operands): FusedTeacher {
  for (const key of Object.keys(teacher)) {
    if (!TEACHER_HEAD_KEYS.includes(key)) {
      throw new TypeError(
        `${caller}: teacher has an unknown key ${JSON.stringify(key)} (a head: input, linearWeight, linearBias)`,
      );
    }
  }
  const head = readOperands(caller, field(teacher, 'input'), field(teacher, 'linearWeight'), 'teacher.');
  if (head.x.data.constructor !== student.x.data.constructor) {
    throw new TypeError(
      `${caller}: teacher.input.data must be a ${student.x.data.constructor.name} like the input, ` +
        `received ${describe(head.x.data)}`,
    );
  }
  if (shapeString(head.lossShape) !== shapeString(student.lossShape) || head.vocab !== student.vocab) {
    throw new RangeError(
      `${caller}: the teacher's head must give logits of the student's shape ` +
        `${shapeString([...student.lossShape, student.vocab])}: teacher.input ${shapeString(head.x.shape)} and ` +
        `teacher.linearWeight ${shapeString(head.w.shape)}`,
    );
  }
  const bias = vocabVector(caller, 'teacher.linearBias', field(teacher, 'linearBias'), head.vocab, student.x.data);
  return { kind: 'head', input: head.x.data, linearWeight: head.w.data, bias, width: head.width };
}

/** The teacher's kind and arrays (a top k's values come with the other values). */
function readTeacher(caller: string, teacher: unknown, student: Operands): FusedTeacher | undefined {
  if (isTopK(teacher)) return undefined;
  if (isTeacherHead(teacher)) return readTeacherHead(caller, teacher, student);
  const logits = readDenseTeacher(caller, teacher, {
    data: student.x.data,
    shape: [...student.lossShape, student.vocab],
  });
  return { kind: 'logits', data: logits.data };
}

/** input, linearWeight, teacher and options, as the public functions take them. */
type Args = [input: unknown, linearWeight: unknown, teacher: unknown, options: unknown];

/** A call's arguments and options read in order, then the values (labels, a top k's ids, a teacher's sums). */
function readLinearDistill(caller: string, withGrad: boolean, o: Read, args: Args) {
  const [input, linearWeight, teacher] = args;
  const ops = readOperands(caller, input, linearWeight);
  const { x, vocab } = ops;
  const studentShape = [...ops.lossShape, vocab];
  const dense = readTeacher(caller, teacher, ops);
  const read = readDistillOptions(caller, o, dense === undefined, x.data);
  if (read.teacherLogProbs && dense?.kind === 'head') {
    throw new TypeError(`${caller}: options.teacherLogProbs applies to a teacher given as a tensor, not as a head`);
  }
  const bias = vocabVector(caller, 'linearBias', o.linearBias, vocab, x.data);
  const byDefault = Math.floor(ARRAY_BYTES / (Math.max(vocab, 1) * x.data.BYTES_PER_ELEMENT) / 4) * 4;
  const chunkRows = readChunkRows(caller, o.chunkSize, byDefault, ops.rows);
  const values = readDistillValues(caller, o, read, teacher, studentShape, x.data);
  const scalar = read.reduction !== 'none';
  const gradient = withGrad ? readGradientOptions(caller, o, ops, values.lossShape, scalar) : undefined;
  checkTeacherValues(
    caller,
    dense?.kind === 'logits' && read.teacherLogProbs ? dense.data : undefined,
    values,
    gradient,
  );
  const fused: FusedTeacher = dense ?? { kind: 'topK', ...(values.top as NonNullable<typeof values.top>) };
  return { ops, ...read, ...values, bias, chunkRows, gradient, fused };
}

type LinearDistillRead = ReturnType<typeof readLinearDistill>;

/** The chunk program's description of a call read (the gradient's scale folded with the reduction), and what the
 * reduction divides by. */
function plan(caller: string, r: LinearDistillRead, spec: DistillSpec): { call: LinearDistillCall; divisor: number } {
  const { scalars, divisor } = distillScalars(r, spec);
  const { gradient, reduction } = r;
  const { scale, perItem } = gradientScale(gradient, reduction, divisor);
  const call: LinearDistillCall = {
    caller,
    input: r.ops.x.data,
    rows: r.rows,
    width: r.ops.width,
    linearWeight: r.ops.w.data,
    vocab: r.vocab,
    bias: r.bias,
    chunkRows: r.chunkRows,
    teacher: r.fused,
    labels: r.labels?.indices,
    scalars,
    lossWidth: reduction === 'none' ? r.lossShape[r.lossShape.length - 1] : 1,
    reduce: reduction !== 'none',
    gradScale: gradient ? scale : 0,
    gradOutput: perItem ? (gradient?.gradOutput as FloatArray) : undefined,
    withGrad: gradient !== undefined,
    into: gradient?.into ?? {},
    given: gradient?.given ?? {},
    accumulate: gradient?.accumulate ?? false,
  };
  return { call, divisor };
}

/** A divergence of a head's logits: read, plan, run (the chunk program), finish. */
function linearDistillOf(caller: string, withGrad: boolean, { own, specOf }: Divergence, args: Args) {
  const o: Read = readOptions(caller, args[3], [...OPTIONS, ...own, ...(withGrad ? GRAD_OPTIONS : [])]);
  const spec = specOf(o, caller);
  const r = readLinearDistill(caller, withGrad, o, args);
  const { call, divisor } = plan(caller, r, spec);
  const ran = runProgram(linearDistillProgram(call));
  let lossValues = ran.outputs.lossOut;
  if (r.top && r.reduction === 'none') lossValues = inOrder(lossValues, r.top, r.width, 'caller');
  const { loss } = finishLoss({
    reduction: r.reduction,
    isFloat32: r.ops.x.data instanceof Float32Array,
    lossShape: r.lossShape,
    loss: lossValues,
    lossSum: ran.sums.lossOut ?? 0,
    zLossSum: 0,
    divisor,
    zDivisor: 1,
    withZ: false,
  });
  return { loss, ...headGradients(ran.outputs, r.ops) };
}

/** A call of a fused divergence (`name`, or its …WithGrad). */
export function linearDistillCall(name: string, withGrad: boolean, divergence: Divergence, args: Args) {
  return inHalfAwareCall(() => linearDistillOf(withGrad ? `${name}WithGrad` : name, withGrad, divergence, args));
}
