import { distillCall, JENSEN_SHANNON } from '../families/distill.js';
import type {
  DistillGradOptions,
  Exactly,
  FloatArray,
  GradOptions,
  JsdOptions,
  LossOutput,
  LossWithGrad,
  NoOptions,
  TeacherTopK,
  TensorLike,
} from '../types.js';

/**
 * The generalised Jensen–Shannon divergence of Liger-Kernel: with the teacher's p = softmax(teacher / T), the
 * student's q = softmax(student / T) and their mixture m = β p + (1 − β) q, β · KL(p‖m) + (1 − β) · KL(q‖m), row by
 * row along the last dim. β = 0.5 is the symmetric Jensen–Shannon divergence; β = 0 is KL(p‖q) and β = 1 is KL(q‖p),
 * computed as such. One fused pass per row from the logits: no softmax is made, every exp is max-shifted.
 * @param student - the student's logits [..., V].
 * @param teacher - the teacher's logits (or log-probabilities, with `teacherLogProbs`), of the student's shape and
 * dtype; or its top k per row, `{ indices, logProbs }` ({@link TeacherTopK}), with `tail`.
 * @param options - {@link JsdOptions}: `beta` (0.5), `temperature` (1), `reduction` ('batchmean': the mean over rows),
 * `teacherLogProbs` (false), `labels` and `ignoreIndex` (-100) to leave rows out.
 * @returns a number, or for 'none' a Tensor of the student's shape (each element's term).
 * @throws TypeError / RangeError for the kinds and shapes of the arguments, β outside [0, 1], a temperature ≤ 0, a
 * label out of range, or (with teacherLogProbs) a teacher row whose probabilities sum past 1.
 * @example
 * ```ts
 * const student = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * const teacher = { data: Float32Array.of(3, 0, 0, 0, 4, 1), shape: [2, 3] };
 * console.log(jsd(student, teacher).toFixed(4)); // → 0.0383
 * ```
 * @group Distillation
 */
export function jsd<T extends FloatArray, O extends JsdOptions = NoOptions>(
  student: TensorLike<T>,
  teacher: TensorLike<T> | TeacherTopK<T>,
  options?: Exactly<O, JsdOptions>,
): LossOutput<O, T> {
  return distillCall('jsd', false, JENSEN_SHANNON, [student, teacher, options]).loss as LossOutput<O, T>;
}

/**
 * `jsd` and its gradient with respect to the student's logits: (1 − β) q_j (log q_j − log m_j) per element, through
 * the student's softmax, divided by T.
 * @param student - the student's logits [..., V].
 * @param teacher - the teacher's logits (or log-probabilities), of the student's shape and dtype; or its top k.
 * @param options - the loss's options and {@link GradOptions}: `gradOutput` (1, or a Tensor of the student's shape for
 * 'none'), `out` (the student's dtype and length; it may be `student.data`) and `accumulate` (adds into `out`).
 * @returns `{ loss, grad }`: the loss as jsd returns it, and ∂loss/∂student of the student's shape.
 * @throws as jsd, and for a gradOutput or out of the wrong kind, shape, dtype or length.
 * @example
 * ```ts
 * const student = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * const teacher = { data: Float32Array.of(3, 0, 0, 0, 4, 1), shape: [2, 3] };
 * const { grad } = jsdWithGrad(student, teacher, { beta: 0.5 });
 * console.log(Array.from(grad.data, (g) => g.toFixed(3)).join(' ')); // → -0.036 0.029 0.007 0.014 -0.020 0.006
 * ```
 * @group Distillation
 */
export function jsdWithGrad<
  T extends FloatArray,
  O extends JsdOptions & DistillGradOptions & GradOptions<T> = NoOptions,
>(
  student: TensorLike<T>,
  teacher: TensorLike<T> | TeacherTopK<T>,
  options?: Exactly<O, JsdOptions & DistillGradOptions & GradOptions<T>>,
): LossWithGrad<LossOutput<O, T>, T> {
  return distillCall('jsd', true, JENSEN_SHANNON, [student, teacher, options]) as LossWithGrad<LossOutput<O, T>, T>;
}
