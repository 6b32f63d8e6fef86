import { checkPositive } from '../core/validate.js';
import { type PairLossSpec, pairLossCall } from '../families/pair-loss.js';
import type {
  Exactly,
  FloatArray,
  GradOptions,
  HuberLossOptions,
  L1LossOptions,
  LossOutput,
  LossWithGrad,
  NoOptions,
  SmoothL1LossOptions,
  TensorLike,
} from '../types.js';

// The three share one kernel (assembly/kernels/losses/smooth-l1.ts); `form` says which formula it runs.
const SMOOTH_L1: PairLossSpec<'smoothL1Loss'> = {
  name: 'smoothL1Loss',
  options: ['beta'],
  kernel: () => 'smoothL1Loss',
  scalars: (options, caller) => ({ threshold: checkPositive(caller, 'beta', options.beta, 1, true), form: 0 }),
};
const HUBER: PairLossSpec<'smoothL1Loss'> = {
  name: 'huberLoss',
  options: ['delta'],
  kernel: () => 'smoothL1Loss',
  scalars: (options, caller) => ({ threshold: checkPositive(caller, 'delta', options.delta, 1), form: 1 }),
};
const L1: PairLossSpec<'smoothL1Loss'> = {
  name: 'l1Loss',
  options: [],
  kernel: () => 'smoothL1Loss',
  scalars: () => ({ threshold: 0, form: 2 }),
};

/**
 * `F.smooth_l1_loss(input, target, reduction, beta)`: 0.5·d²/β where |d| < β, else |d| − 0.5·β, with d = input −
 * target. β = 0 is the L1 loss (with PyTorch's gradient for it).
 * @param input - any shape.
 * @param target - of the input's shape and dtype.
 * @param options - {@link SmoothL1LossOptions}: `beta` (1; ≥ 0) and `reduction` ('mean').
 * @returns a number for 'mean' and 'sum', a Tensor of the input's shape for 'none'.
 * @throws TypeError / RangeError for the kinds and shapes of the arguments, and a β that is negative or not finite.
 * @example
 * ```ts
 * const input = { data: Float32Array.of(0, 2, -3), shape: [3] };
 * const target = { data: Float32Array.of(0.5, 0, 0), shape: [3] };
 * const perElement = smoothL1Loss(input, target, { beta: 0.5, reduction: 'none' });
 * console.log(Array.from(perElement.data, (v) => v.toFixed(4)).join(' ')); // → 0.2500 1.7500 2.7500
 * ```
 * @group Divergence and regression losses
 */
export function smoothL1Loss<T extends FloatArray, O extends SmoothL1LossOptions = NoOptions>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, SmoothL1LossOptions>,
): LossOutput<O, T> {
  return pairLossCall(SMOOTH_L1, false, [input, target, options]).loss as LossOutput<O, T>;
}

/**
 * `smoothL1Loss` and its gradient with respect to the input: d/β where |d| < β, else sign(d), scaled by the
 * reduction.
 * @param input - any shape.
 * @param target - of the input's shape and dtype.
 * @param options - the loss's options and {@link GradOptions}: `gradOutput` (1, or a Tensor of the loss's shape for
 * 'none') and `out` (the input's dtype and length; it may be `input.data`: in place).
 * @returns `{ loss, grad }`: the loss as smoothL1Loss returns it, and ∂loss/∂input of the input's shape.
 * @throws as smoothL1Loss, and for a gradOutput or out of the wrong kind, shape, dtype or length.
 * @example
 * ```ts
 * const input = { data: Float32Array.of(0, 2, -3), shape: [3] };
 * const target = { data: Float32Array.of(0.5, 0, 0), shape: [3] };
 * const { loss, grad } = smoothL1LossWithGrad(input, target, { beta: 0.5 });
 * console.log(loss.toFixed(4)); // → 1.5833
 * console.log(Array.from(grad.data, (g) => g.toFixed(4)).join(' ')); // → -0.3333 0.3333 -0.3333
 * ```
 * @group Divergence and regression losses
 */
export function smoothL1LossWithGrad<T extends FloatArray, O extends SmoothL1LossOptions & GradOptions<T> = NoOptions>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, SmoothL1LossOptions & GradOptions<T>>,
): LossWithGrad<LossOutput<O, T>, T> {
  return pairLossCall(SMOOTH_L1, true, [input, target, options]) as LossWithGrad<LossOutput<O, T>, T>;
}

/**
 * `F.huber_loss(input, target, reduction, delta)`: 0.5·d² where |d| < δ, else δ·(|d| − 0.5·δ), with d = input −
 * target.
 * @param input - any shape.
 * @param target - of the input's shape and dtype.
 * @param options - {@link HuberLossOptions}: `delta` (1; > 0) and `reduction` ('mean').
 * @returns a number for 'mean' and 'sum', a Tensor of the input's shape for 'none'.
 * @throws TypeError / RangeError for the kinds and shapes of the arguments, and a δ that is not a finite number >
 * 0.
 * @example
 * ```ts
 * const input = { data: Float32Array.of(0, 2, -3), shape: [3] };
 * const target = { data: Float32Array.of(0.5, 0, 0), shape: [3] };
 * const perElement = huberLoss(input, target, { reduction: 'none' });
 * console.log(Array.from(perElement.data, (v) => v.toFixed(4)).join(' ')); // → 0.1250 1.5000 2.5000
 * ```
 * @group Divergence and regression losses
 */
export function huberLoss<T extends FloatArray, O extends HuberLossOptions = NoOptions>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, HuberLossOptions>,
): LossOutput<O, T> {
  return pairLossCall(HUBER, false, [input, target, options]).loss as LossOutput<O, T>;
}

/**
 * `huberLoss` and its gradient with respect to the input: d where |d| < δ, else δ·sign(d), scaled by the reduction.
 * @param input - any shape.
 * @param target - of the input's shape and dtype.
 * @param options - the loss's options and {@link GradOptions}: `gradOutput` (1, or a Tensor of the loss's shape for
 * 'none') and `out` (the input's dtype and length; it may be `input.data`: in place).
 * @returns `{ loss, grad }`: the loss as huberLoss returns it, and ∂loss/∂input of the input's shape.
 * @throws as huberLoss, and for a gradOutput or out of the wrong kind, shape, dtype or length.
 * @example
 * ```ts
 * const input = { data: Float32Array.of(0, 2, -3), shape: [3] };
 * const target = { data: Float32Array.of(0.5, 0, 0), shape: [3] };
 * const { loss, grad } = huberLossWithGrad(input, target);
 * console.log(loss.toFixed(4)); // → 1.3750
 * console.log(Array.from(grad.data, (g) => g.toFixed(4)).join(' ')); // → -0.1667 0.3333 -0.3333
 * ```
 * @group Divergence and regression losses
 */
export function huberLossWithGrad<T extends FloatArray, O extends HuberLossOptions & GradOptions<T> = NoOptions>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, HuberLossOptions & GradOptions<T>>,
): LossWithGrad<LossOutput<O, T>, T> {
  return pairLossCall(HUBER, true, [input, target, options]) as LossWithGrad<LossOutput<O, T>, T>;
}

/**
 * `F.l1_loss(input, target, reduction)`: |input − target|.
 * @param input - any shape.
 * @param target - of the input's shape and dtype.
 * @param options - {@link L1LossOptions}: `reduction` ('mean').
 * @returns a number for 'mean' and 'sum', a Tensor of the input's shape for 'none'.
 * @throws TypeError / RangeError for the kinds and shapes of the arguments.
 * @example
 * ```ts
 * const input = { data: Float32Array.of(0, 2, -3), shape: [3] };
 * const target = { data: Float32Array.of(0.5, 0, 0), shape: [3] };
 * console.log(l1Loss(input, target).toFixed(4)); // → 1.8333
 * ```
 * @group Divergence and regression losses
 */
export function l1Loss<T extends FloatArray, O extends L1LossOptions = NoOptions>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, L1LossOptions>,
): LossOutput<O, T> {
  return pairLossCall(L1, false, [input, target, options]).loss as LossOutput<O, T>;
}

/**
 * `l1Loss` and its gradient with respect to the input: sign(input − target) (0 where they are equal, and for NaN),
 * scaled by the reduction.
 * @param input - any shape.
 * @param target - of the input's shape and dtype.
 * @param options - the loss's options and {@link GradOptions}: `gradOutput` (1, or a Tensor of the loss's shape for
 * 'none') and `out` (the input's dtype and length; it may be `input.data`: in place).
 * @returns `{ loss, grad }`: the loss as l1Loss returns it, and ∂loss/∂input of the input's shape.
 * @throws as l1Loss, and for a gradOutput or out of the wrong kind, shape, dtype or length.
 * @example
 * ```ts
 * const input = { data: Float32Array.of(0, 2, -3), shape: [3] };
 * const target = { data: Float32Array.of(0.5, 0, 0), shape: [3] };
 * const { loss, grad } = l1LossWithGrad(input, target, { reduction: 'sum' });
 * console.log(loss.toFixed(4)); // → 5.5000
 * console.log(Array.from(grad.data, (g) => g.toFixed(4)).join(' ')); // → -1.0000 1.0000 -1.0000
 * ```
 * @group Divergence and regression losses
 */
export function l1LossWithGrad<T extends FloatArray, O extends L1LossOptions & GradOptions<T> = NoOptions>(
  input: TensorLike<T>,
  target: TensorLike<T>,
  options?: Exactly<O, L1LossOptions & GradOptions<T>>,
): LossWithGrad<LossOutput<O, T>, T> {
  return pairLossCall(L1, true, [input, target, options]) as LossWithGrad<LossOutput<O, T>, T>;
}
