import { KL_DIVERGENCE } from '../families/distill.js';
import { linearDistillCall } from '../families/linear-distill-call.js';
import type {
  Exactly,
  FloatArray,
  LinearCrossEntropyGradOptions,
  LinearDistillKlDivOptions,
  LinearDistillWithGrad,
  LossOutput,
  NoOptions,
  TeacherHead,
  TeacherTopK,
  TensorLike,
} from '../types.js';

/**
 * `distillKlDiv` of the student's logits `input · linearWeightᵀ + linearBias`, chunk by chunk of rows, never holding
 * the [N, V] logits of either model: against a teacher given as logits, as its top k per row, or as its own hidden
 * states and head ({@link TeacherHead}), whose logits are made a chunk at a time too.
 * @param input - the student's hidden states [..., d].
 * @param linearWeight - the student's output layer's weight [V, d].
 * @param teacher - the teacher's logits [..., V] (or log-probabilities, with `teacherLogProbs`), its top k
 * `{ indices, logProbs }`, or its head `{ input, linearWeight, linearBias }`.
 * @param options - {@link LinearDistillKlDivOptions}: distillKlDiv's, and `linearBias` and `chunkSize`.
 * @returns a number, or for 'none' a Tensor of the logits' shape [..., V] (or [..., k] for a top-k teacher).
 * @throws as distillKlDiv, and for a head whose shapes or dtype differ from the student's.
 * @example
 * ```ts
 * const hidden = { data: Float32Array.of(1, 0.5, -0.5, 2), shape: [2, 2] };
 * const weight = { data: Float32Array.of(1, 0, 0, 1, 1, 1), shape: [3, 2] };
 * const teacher = { data: Float32Array.of(2, 0, 1, 0, 3, 1), shape: [2, 3] };
 * console.log(linearDistillKlDiv(hidden, weight, teacher, { temperature: 2 }).toFixed(4)); // → 0.2427
 * ```
 * @group Distillation
 */
export function linearDistillKlDiv<T extends FloatArray, O extends LinearDistillKlDivOptions = NoOptions>(
  input: TensorLike<T>,
  linearWeight: TensorLike<T>,
  teacher: TensorLike<T> | TeacherTopK<T> | TeacherHead<T>,
  options?: Exactly<O, LinearDistillKlDivOptions>,
): LossOutput<O, T> {
  return linearDistillCall('linearDistillKlDiv', false, KL_DIVERGENCE, [input, linearWeight, teacher, options])
    .loss as LossOutput<O, T>;
}

/**
 * `linearDistillKlDiv` and the gradients of the student's input, weight and bias in one pass over the chunks.
 * @param input - the student's hidden states [..., d].
 * @param linearWeight - the student's output layer's weight [V, d].
 * @param teacher - as linearDistillKlDiv's.
 * @param options - linearDistillKlDiv's options and {@link LinearCrossEntropyGradOptions}: `gradOutput`,
 * `gradInputOut`, `gradWeightOut`, `gradBiasOut` and `accumulate`.
 * @returns `{ loss, gradInput, gradWeight }`, with `gradBias` for a linearBias.
 * @throws as linearDistillKlDiv, and for a gradOutput or a destination of the wrong kind or length.
 * @example
 * ```ts
 * const hidden = { data: Float32Array.of(1, 0.5, -0.5, 2), shape: [2, 2] };
 * const weight = { data: Float32Array.of(1, 0, 0, 1, 1, 1), shape: [3, 2] };
 * const teacher = { data: Float32Array.of(2, 0, 1, 0, 3, 1), shape: [2, 3] };
 * const { gradInput } = linearDistillKlDivWithGrad(hidden, weight, teacher);
 * console.log(Array.from(gradInput.data, (g) => g.toFixed(4)).join(' ')); // → -0.0481 0.1790 0.1258 -0.0033
 * ```
 * @group Distillation
 */
export function linearDistillKlDivWithGrad<T extends FloatArray>(
  input: TensorLike<T>,
  linearWeight: TensorLike<T>,
  teacher: TensorLike<T> | TeacherTopK<T> | TeacherHead<T>,
  options?: LinearDistillKlDivOptions & LinearCrossEntropyGradOptions<T>,
): LinearDistillWithGrad<T> {
  return linearDistillCall('linearDistillKlDiv', true, KL_DIVERGENCE, [
    input,
    linearWeight,
    teacher,
    options,
  ]) as LinearDistillWithGrad<T>;
}
