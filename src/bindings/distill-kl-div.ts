import { distillCall, KL_DIVERGENCE } from '../families/distill.js';
import type {
  DistillGradOptions,
  DistillKlDivOptions,
  Exactly,
  FloatArray,
  GradOptions,
  LossOutput,
  LossWithGrad,
  NoOptions,
  TeacherTopK,
  TensorLike,
} from '../types.js';

/**
 * Knowledge distillation's KL divergence (Hinton et al.): KL(p‖q) between the teacher's p = softmax(teacher / T) and
 * the student's q = softmax(student / T), times T², row by row along the last dim; `direction: 'reverse'` gives
 * KL(q‖p). One fused pass per row from the logits: no softmax is made, every exp is max-shifted. At T = 1 it equals
 * `klDiv(logSoftmax(student), logSoftmax(teacher), { logTarget: true })`.
 * @param student - the student's logits [..., V].
 * @param teacher - the teacher's logits (or log-probabilities, with `teacherLogProbs`), of the student's shape and
 * dtype; or its top k per row, `{ indices, logProbs }` ({@link TeacherTopK}), with `tail`.
 * @param options - {@link DistillKlDivOptions}: `temperature` (1), `direction` ('forward'), `reduction` ('batchmean':
 * the mean over rows), `teacherLogProbs` (false), `labels` and `ignoreIndex` (-100) to leave rows out.
 * @returns a number, or for 'none' a Tensor of the student's shape (each element's term).
 * @throws TypeError / RangeError for the kinds and shapes of the arguments, a temperature ≤ 0, a label out of range,
 * or (with teacherLogProbs) a teacher row whose probabilities sum past 1.
 * @example
 * ```ts
 * const student = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * const teacher = { data: Float32Array.of(3, 0, 0, 0, 4, 1), shape: [2, 3] };
 * console.log(distillKlDiv(student, teacher, { temperature: 2 }).toFixed(4)); // → 0.2821
 * ```
 * @group Distillation
 */
export function distillKlDiv<T extends FloatArray, O extends DistillKlDivOptions = NoOptions>(
  student: TensorLike<T>,
  teacher: TensorLike<T> | TeacherTopK<T>,
  options?: Exactly<O, DistillKlDivOptions>,
): LossOutput<O, T> {
  return distillCall('distillKlDiv', false, KL_DIVERGENCE, [student, teacher, options]).loss as LossOutput<O, T>;
}

/**
 * `distillKlDiv` and its gradient with respect to the student's logits: T · (q − p) for the forward KL (its mean's
 * share for 'batchmean'), through the student's softmax for the reverse one.
 * @param student - the student's logits [..., V].
 * @param teacher - the teacher's logits (or log-probabilities), of the student's shape and dtype; or its top k.
 * @param options - the loss's options and {@link GradOptions}: `gradOutput` (1, or a Tensor of the student's shape for
 * 'none'), `out` (the student's dtype and length; it may be `student.data`) and `accumulate` (adds into `out`).
 * @returns `{ loss, grad }`: the loss as distillKlDiv returns it, and ∂loss/∂student of the student's shape.
 * @throws as distillKlDiv, and for a gradOutput or out of the wrong kind, shape, dtype or length.
 * @example
 * ```ts
 * const student = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * const teacher = { data: Float32Array.of(3, 0, 0, 0, 4, 1), shape: [2, 3] };
 * const { grad } = distillKlDivWithGrad(student, teacher, { temperature: 2 });
 * console.log(Array.from(grad.data, (g) => g.toFixed(3)).join(' ')); // → -0.190 0.150 0.040 0.117 -0.148 0.031
 * ```
 * @group Distillation
 */
export function distillKlDivWithGrad<
  T extends FloatArray,
  O extends DistillKlDivOptions & DistillGradOptions & GradOptions<T> = NoOptions,
>(
  student: TensorLike<T>,
  teacher: TensorLike<T> | TeacherTopK<T>,
  options?: Exactly<O, DistillKlDivOptions & DistillGradOptions & GradOptions<T>>,
): LossWithGrad<LossOutput<O, T>, T> {
  return distillCall('distillKlDiv', true, KL_DIVERGENCE, [student, teacher, options]) as LossWithGrad<
    LossOutput<O, T>,
    T
  >;
}
