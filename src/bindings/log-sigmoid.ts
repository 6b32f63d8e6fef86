import type { FloatArray, Tensor } from '../types.js';
import { runElementwise } from './common/along-dim.js';

/** `F.logsigmoid`: min(x, 0) − log1p(exp(−|x|)) elementwise, accurate for large |x| (log σ(−1e4) = −1e4). */
export function logSigmoid<T extends FloatArray>(input: Tensor<T>): Tensor<T> {
  return runElementwise<T>('logSigmoid', 'logSigmoid', input);
}
