import { TOTAL_VARIATION } from '../families/distill.js';
import { linearDistillCall } from '../families/linear-distill-call.js';
import type {
  Exactly,
  FloatArray,
  LinearCrossEntropyGradOptions,
  LinearDistillWithGrad,
  LinearTvdOptions,
  LossOutput,
  NoOptions,
  TeacherHead,
  TeacherTopK,
  TensorLike,
} from '../types.js';

/**
 * `tvd` of the student's logits `input · linearWeightᵀ + linearBias`, chunk by chunk of rows, never holding
 * the [N, V] logits of either model: against a teacher given as logits, as its top k per row, or as its own hidden
 * states and head ({@link TeacherHead}), whose logits are made a chunk at a time too.
 * @param input - the student's hidden states [..., d].
 * @param linearWeight - the student's output layer's weight [V, d].
 * @param teacher - the teacher's logits [..., V] (or log-probabilities, with `teacherLogProbs`), its top k
 * `{ indices, logProbs }`, or its head `{ input, linearWeight, linearBias }`.
 * @param options - {@link LinearTvdOptions}: tvd's, and `linearBias` and `chunkSize`.
 * @returns a number, or for 'none' a Tensor of the logits' shape [..., V] (or [..., k] for a top-k teacher).
 * @throws as tvd, and for a head whose shapes or dtype differ from the student's.
 * @example
 * ```ts
 * const hidden = { data: Float32Array.of(1, 0.5, -0.5, 2), shape: [2, 2] };
 * const weight = { data: Float32Array.of(1, 0, 0, 1, 1, 1), shape: [3, 2] };
 * const teacher = { data: Float32Array.of(2, 0, 1, 0, 3, 1), shape: [2, 3] };
 * console.log(linearTvd(hidden, weight, teacher, { temperature: 2 }).toFixed(4)); // → 0.1629
 * ```
 * @group Distillation
 */
export function linearTvd<T extends FloatArray, O extends LinearTvdOptions = NoOptions>(
  input: TensorLike<T>,
  linearWeight: TensorLike<T>,
  teacher: TensorLike<T> | TeacherTopK<T> | TeacherHead<T>,
  options?: Exactly<O, LinearTvdOptions>,
): LossOutput<O, T> {
  return linearDistillCall('linearTvd', false, TOTAL_VARIATION, [input, linearWeight, teacher, options])
    .loss as LossOutput<O, T>;
}

/**
 * `linearTvd` and the gradients of the student's input, weight and bias in one pass over the chunks.
 * @param input - the student's hidden states [..., d].
 * @param linearWeight - the student's output layer's weight [V, d].
 * @param teacher - as linearTvd's.
 * @param options - linearTvd's options and {@link LinearCrossEntropyGradOptions}: `gradOutput`,
 * `gradInputOut`, `gradWeightOut`, `gradBiasOut` and `accumulate`.
 * @returns `{ loss, gradInput, gradWeight }`, with `gradBias` for a linearBias.
 * @throws as linearTvd, and for a gradOutput or a destination of the wrong kind or length.
 * @example
 * ```ts
 * const hidden = { data: Float32Array.of(1, 0.5, -0.5, 2), shape: [2, 2] };
 * const weight = { data: Float32Array.of(1, 0, 0, 1, 1, 1), shape: [3, 2] };
 * const teacher = { data: Float32Array.of(2, 0, 1, 0, 3, 1), shape: [2, 3] };
 * const { gradInput } = linearTvdWithGrad(hidden, weight, teacher);
 * console.log(Array.from(gradInput.data, (g) => g.toFixed(4)).join(' ')); // → -0.0286 0.1064 0.1207 -0.0144
 * ```
 * @group Distillation
 */
export function linearTvdWithGrad<T extends FloatArray>(
  input: TensorLike<T>,
  linearWeight: TensorLike<T>,
  teacher: TensorLike<T> | TeacherTopK<T> | TeacherHead<T>,
  options?: LinearTvdOptions & LinearCrossEntropyGradOptions<T>,
): LinearDistillWithGrad<T> {
  return linearDistillCall('linearTvd', true, TOTAL_VARIATION, [
    input,
    linearWeight,
    teacher,
    options,
  ]) as LinearDistillWithGrad<T>;
}
