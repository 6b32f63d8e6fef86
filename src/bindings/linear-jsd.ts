import { JENSEN_SHANNON } from '../families/distill.js';
import { linearDistillCall } from '../families/linear-distill-call.js';
import type {
  Exactly,
  FloatArray,
  LinearCrossEntropyGradOptions,
  LinearDistillWithGrad,
  LinearJsdOptions,
  LossOutput,
  NoOptions,
  TeacherHead,
  TeacherTopK,
  TensorLike,
} from '../types.js';

/**
 * `jsd` of the student's logits `input · linearWeightᵀ + linearBias`, chunk by chunk of rows, never holding
 * the [N, V] logits of either model: against a teacher given as logits, as its top k per row, or as its own hidden
 * states and head ({@link TeacherHead}), whose logits are made a chunk at a time too.
 * @param input - the student's hidden states [..., d].
 * @param linearWeight - the student's output layer's weight [V, d].
 * @param teacher - the teacher's logits [..., V] (or log-probabilities, with `teacherLogProbs`), its top k
 * `{ indices, logProbs }`, or its head `{ input, linearWeight, linearBias }`.
 * @param options - {@link LinearJsdOptions}: jsd's, and `linearBias` and `chunkSize`.
 * @returns a number, or for 'none' a Tensor of the logits' shape [..., V] (or [..., k] for a top-k teacher).
 * @throws as jsd, and for a head whose shapes or dtype differ from the student's.
 * @example
 * ```ts
 * const hidden = { data: Float32Array.of(1, 0.5, -0.5, 2), shape: [2, 2] };
 * const weight = { data: Float32Array.of(1, 0, 0, 1, 1, 1), shape: [3, 2] };
 * const teacher = { data: Float32Array.of(2, 0, 1, 0, 3, 1), shape: [2, 3] };
 * console.log(linearJsd(hidden, weight, teacher, { temperature: 2 }).toFixed(4)); // → 0.0151
 * ```
 * @group Distillation
 */
export function linearJsd<T extends FloatArray, O extends LinearJsdOptions = NoOptions>(
  input: TensorLike<T>,
  linearWeight: TensorLike<T>,
  teacher: TensorLike<T> | TeacherTopK<T> | TeacherHead<T>,
  options?: Exactly<O, LinearJsdOptions>,
): LossOutput<O, T> {
  return linearDistillCall('linearJsd', false, JENSEN_SHANNON, [input, linearWeight, teacher, options])
    .loss as LossOutput<O, T>;
}

/**
 * `linearJsd` and the gradients of the student's input, weight and bias in one pass over the chunks.
 * @param input - the student's hidden states [..., d].
 * @param linearWeight - the student's output layer's weight [V, d].
 * @param teacher - as linearJsd's.
 * @param options - linearJsd's options and {@link LinearCrossEntropyGradOptions}: `gradOutput`,
 * `gradInputOut`, `gradWeightOut`, `gradBiasOut` and `accumulate`.
 * @returns `{ loss, gradInput, gradWeight }`, with `gradBias` for a linearBias.
 * @throws as linearJsd, and for a gradOutput or a destination of the wrong kind or length.
 * @example
 * ```ts
 * const hidden = { data: Float32Array.of(1, 0.5, -0.5, 2), shape: [2, 2] };
 * const weight = { data: Float32Array.of(1, 0, 0, 1, 1, 1), shape: [3, 2] };
 * const teacher = { data: Float32Array.of(2, 0, 1, 0, 3, 1), shape: [2, 3] };
 * const { gradInput } = linearJsdWithGrad(hidden, weight, teacher);
 * console.log(Array.from(gradInput.data, (g) => g.toFixed(4)).join(' ')); // → -0.0108 0.0403 0.0343 -0.0004
 * ```
 * @group Distillation
 */
export function linearJsdWithGrad<T extends FloatArray>(
  input: TensorLike<T>,
  linearWeight: TensorLike<T>,
  teacher: TensorLike<T> | TeacherTopK<T> | TeacherHead<T>,
  options?: LinearJsdOptions & LinearCrossEntropyGradOptions<T>,
): LinearDistillWithGrad<T> {
  return linearDistillCall('linearJsd', true, JENSEN_SHANNON, [
    input,
    linearWeight,
    teacher,
    options,
  ]) as LinearDistillWithGrad<T>;
}
