import type { FloatArray, Tensor } from '../types.js';
import { runElementwise } from './common/along-dim.js';

/** `torch.sigmoid`: 1 / (1 + exp(−x)) elementwise, exactly 0 and 1 at the far ends and never NaN for finite x. */
export function sigmoid<T extends FloatArray>(input: Tensor<T>): Tensor<T> {
  return runElementwise<T>('sigmoid', 'sigmoid', input);
}
