// Distillation from hidden states as a chunk program, never holding the [N, V] logits of either model. Per chunk of
// rows:
//   the student's logits [n × V] from its head (as linear.ts), and a teacher given as hidden states its own, the
//   same way through its head; a teacher given as logits or as its top k is copied in by the chunk;
//   the distill (or distillTopK) kernel: each row's divergence, and the logits' gradient G;
//   gradInput = G · W;  gradWeight (+)= Gᵀ · X;  gradBias (+)= Σ rows of G.
// WebAssembly memory: the heads (and the student's weight gradient), and per chunk the rows, their transposes, the
// logits of both models, their kept exps and G: O(chunk · V + V · d).

import type { Dtype } from '../core/kernels.js';
import { type Chunk, callKernel, type Program, type Slot } from '../core/pipeline/index.js';
import type { FloatArray } from '../types.js';
import {
  gradientSlots,
  type HeadSlots,
  headBackward,
  headLogits,
  headProgram,
  rowsOf,
  slotMakers,
  studentHead,
  studentSlots,
  type TrainingCall,
} from './linear.js';

/** The teacher of a fused call: its logits [rows × V], its top k per row, or its hidden states and head. */
export type FusedTeacher =
  | { kind: 'logits'; data: FloatArray }
  | { kind: 'topK'; k: number; ids: Int32Array; logProbs: FloatArray }
  | { kind: 'head'; input: FloatArray; linearWeight: FloatArray; bias?: FloatArray; width: number };

/** What a call computes, read and checked by linear-distill-call.ts. */
export interface LinearDistillCall extends TrainingCall {
  teacher: FusedTeacher;
  /** One per row: the hard loss's class, or −1 for a row left out. */
  labels?: Int32Array;
  /** The kernel's scalars (distill.ts's distillScalars). */
  scalars: Record<string, number>;
  /** Loss values per row: 1 for a reduction, else V (dense) or the top k's outcomes. */
  lossWidth: number;
  reduce: boolean;
  gradScale: number;
  /** 'none': the upstream gradient, lossWidth per row. */
  gradOutput?: FloatArray;
}

/** The teacher's head: its own rows, transpose, weight and bias. */
const TEACHER_HEAD = { x: 'teacherX', xT: 'teacherXT', w: 'teacherW' } as const;

function teacherSlots(call: LinearDistillCall, slots: Slot[]) {
  const { vocab: V, teacher } = call;
  const { unit, whole } = slotMakers(call.input);
  if (teacher.kind === 'logits') {
    slots.push(unit('teacher', V, { label: 'teacher.data', source: teacher.data }));
  } else if (teacher.kind === 'topK') {
    const k = teacher.k;
    slots.push(unit('ids', k, { label: 'teacher.indices', Type: Int32Array, source: teacher.ids, fresh: true }));
    slots.push(unit('teacher', k, { label: 'teacher.logProbs', source: teacher.logProbs, fresh: true }));
  } else {
    const dT = teacher.width;
    slots.push(unit(TEACHER_HEAD.x, dT, { label: 'teacher.input.data', source: teacher.input }));
    slots.push(whole(TEACHER_HEAD.w, 'teacher.linearWeight.data', V * dT, teacher.linearWeight));
    if (teacher.bias) slots.push(whole('teacherBias', 'teacher.linearBias', V, teacher.bias));
    slots.push(unit(TEACHER_HEAD.xT, dT), unit('teacher', V));
  }
}

/** The call's arrays: the student's, the teacher's, the kernel's scratch, the loss and the gradients. */
function distillSlots(call: LinearDistillCall): Slot[] {
  const { vocab: V, teacher } = call;
  const { unit } = slotMakers(call.input);
  const ones = call.bias !== undefined || (teacher.kind === 'head' && teacher.bias !== undefined);
  const slots = [...studentSlots(call, ones), unit('lossOut', call.lossWidth, { output: { reduce: call.reduce } })];
  teacherSlots(call, slots);
  if (teacher.kind !== 'topK') slots.push(unit('studentExp', V), unit('teacherExp', V));
  if (call.labels) {
    slots.push(unit('labels', 1, { label: 'options.labels', Type: Int32Array, source: call.labels, fresh: true }));
  }
  if (call.gradOutput) {
    slots.push(unit('gradOutput', call.lossWidth, { label: 'options.gradOutput', source: call.gradOutput }));
  }
  return [...slots, ...gradientSlots(call)];
}

/** One chunk: both models' logits, the divergence's kernel, and the student's three backward products. */
function distillStep(call: LinearDistillCall, dtype: Dtype, chunk: Chunk): undefined {
  const { caller, vocab: V, teacher } = call;
  const row = (name: string) => rowsOf(chunk, name);
  headLogits(call, dtype, chunk, studentHead(call), 'g', 'logits');
  if (teacher.kind === 'head') {
    const head: HeadSlots = { ...TEACHER_HEAD, bias: teacher.bias ? 'teacherBias' : undefined, width: teacher.width };
    headLogits(call, dtype, chunk, head, 'g', 'teacher');
  }
  const topK = teacher.kind === 'topK';
  callKernel(caller, topK ? 'distillTopK' : 'distill', dtype, chunk.units, V, {
    x: row('logits'),
    cols: V,
    teacher: row('teacher'),
    ids: row('ids'),
    studentExp: row('studentExp'),
    teacherExp: row('teacherExp'),
    labels: row('labels'),
    ...call.scalars,
    lossOut: row('lossOut'),
    grad: call.withGrad ? row('g') : 0,
    gradScale: call.gradScale,
    gradOutput: row('gradOutput'),
  });
  if (call.withGrad) headBackward(call, dtype, chunk);
  return undefined;
}

/** The program of one call: its slots, its chunk size and its step. */
export function linearDistillProgram(call: LinearDistillCall): Program {
  return headProgram(call, distillSlots(call), (dtype, chunk) => distillStep(call, dtype, chunk));
}
