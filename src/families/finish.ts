// The one reduction site: every loss, the fused linear path and perplexity turn their per-row (or summed) values
// into what the caller gets here, with float32 results rounded as PyTorch's float32 sum and mean round.
import type { FloatArray, Tensor } from '../types.js';

export type AnyReduction = 'none' | 'mean' | 'sum' | 'batchmean';

/**
 * A reduced sum: float32 sums rounded as PyTorch's float32 sum is, then divided (not for 'sum'). Its digits come
 * from a float64 sum, so it is more accurate; beyond the float32 range it is ±inf as there.
 */
export function reduced(sum: number, divisor: number, reduction: AnyReduction, isFloat32: boolean): number {
  const total = isFloat32 ? Math.fround(sum) : sum;
  const value = reduction === 'sum' ? total : total / divisor;
  return isFloat32 ? Math.fround(value) : value;
}

/** What a loss ran to: per-item values for 'none', else sums, and how the z-loss (when asked) divides. */
export interface LossValues<T extends FloatArray> {
  reduction: AnyReduction;
  isFloat32: boolean;
  lossShape: number[];
  /** 'none': each item's loss (the z-loss is added into it) and z-loss. */
  loss?: T;
  zLoss?: T;
  /** A scalar reduction: Σ loss and Σ z-loss, in row order. */
  lossSum: number;
  zLossSum: number;
  divisor: number;
  zDivisor: number;
  /** Whether the z-loss was asked for (and so is returned beside the loss). */
  withZ: boolean;
}

/** The loss as the caller gets it (a number, or a Tensor for 'none'), and the z-loss when asked for. */
export function finishLoss<T extends FloatArray>(
  v: LossValues<T>,
): { loss: number | Tensor<T>; zLoss?: number | Tensor<T> } {
  if (v.reduction === 'none') {
    const loss = v.loss as T;
    if (!v.withZ) return { loss: { data: loss, shape: v.lossShape } };
    const z = v.zLoss as T;
    for (let i = 0; i < loss.length; i++) loss[i] += z[i];
    return { loss: { data: loss, shape: v.lossShape }, zLoss: { data: z, shape: v.lossShape } };
  }
  const loss = reduced(v.lossSum, v.divisor, v.reduction, v.isFloat32);
  if (!v.withZ) return { loss };
  const zLoss = reduced(v.zLossSum, v.zDivisor, v.reduction, v.isFloat32);
  return { loss: v.isFloat32 ? Math.fround(loss + zLoss) : loss + zLoss, zLoss };
}
