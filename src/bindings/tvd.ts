import { distillCall, TOTAL_VARIATION } from '../families/distill.js';
import type {
  DistillGradOptions,
  Exactly,
  FloatArray,
  GradOptions,
  LossOutput,
  LossWithGrad,
  NoOptions,
  TeacherTopK,
  TensorLike,
  TvdOptions,
} from '../types.js';

/**
 * Total variation distance, as Liger-Kernel's TVD: ½ Σ_j |p_j − q_j| between the teacher's p = softmax(teacher / T)
 * and the student's q = softmax(student / T), row by row along the last dim, from the logits in one fused pass.
 * @param student - the student's logits [..., V].
 * @param teacher - the teacher's logits (or log-probabilities, with `teacherLogProbs`), of the student's shape and
 * dtype; or its top k per row, `{ indices, logProbs }` ({@link TeacherTopK}), with `tail`.
 * @param options - {@link TvdOptions}: `temperature` (1), `reduction` ('batchmean': the mean over rows),
 * `teacherLogProbs` (false), `labels` and `ignoreIndex` (-100) to leave rows out.
 * @returns a number, or for 'none' a Tensor of the student's shape (each element's ½ |p_j − q_j|).
 * @throws TypeError / RangeError for the kinds and shapes of the arguments, a temperature ≤ 0, a label out of range,
 * or (with teacherLogProbs) a teacher row whose probabilities sum past 1.
 * @example
 * ```ts
 * const student = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * const teacher = { data: Float32Array.of(3, 0, 0, 0, 4, 1), shape: [2, 3] };
 * console.log(tvd(student, teacher).toFixed(4)); // → 0.1921
 * ```
 * @group Distillation
 */
export function tvd<T extends FloatArray, O extends TvdOptions = NoOptions>(
  student: TensorLike<T>,
  teacher: TensorLike<T> | TeacherTopK<T>,
  options?: Exactly<O, TvdOptions>,
): LossOutput<O, T> {
  return distillCall('tvd', false, TOTAL_VARIATION, [student, teacher, options]).loss as LossOutput<O, T>;
}

/**
 * `tvd` and its gradient with respect to the student's logits: ½ sign(q_j − p_j) through the student's softmax
 * (sign 0 where p_j = q_j, as torch.abs's gradient), divided by T.
 * @param student - the student's logits [..., V].
 * @param teacher - the teacher's logits (or log-probabilities), of the student's shape and dtype; or its top k.
 * @param options - the loss's options and {@link GradOptions}: `gradOutput` (1, or a Tensor of the student's shape for
 * 'none'), `out` (the student's dtype and length; it may be `student.data`) and `accumulate` (adds into `out`).
 * @returns `{ loss, grad }`: the loss as tvd returns it, and ∂loss/∂student of the student's shape.
 * @throws as tvd, and for a gradOutput or out of the wrong kind, shape, dtype or length.
 * @example
 * ```ts
 * const student = { data: Float32Array.of(2, 1, 0.1, 0.5, 2.5, 0.3), shape: [2, 3] };
 * const teacher = { data: Float32Array.of(3, 0, 0, 0, 4, 1), shape: [2, 3] };
 * const { grad } = tvdWithGrad(student, teacher);
 * console.log(Array.from(grad.data, (g) => g.toFixed(3)).join(' ')); // → -0.112 0.080 0.032 0.044 -0.079 0.036
 * ```
 * @group Distillation
 */
export function tvdWithGrad<
  T extends FloatArray,
  O extends TvdOptions & DistillGradOptions & GradOptions<T> = NoOptions,
>(
  student: TensorLike<T>,
  teacher: TensorLike<T> | TeacherTopK<T>,
  options?: Exactly<O, TvdOptions & DistillGradOptions & GradOptions<T>>,
): LossWithGrad<LossOutput<O, T>, T> {
  return distillCall('tvd', true, TOTAL_VARIATION, [student, teacher, options]) as LossWithGrad<LossOutput<O, T>, T>;
}
