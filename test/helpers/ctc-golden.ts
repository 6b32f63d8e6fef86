// The CTC golden cases from PyTorch (test/golden/ctc_loss.json), as both the reference's test and the library's read
// them: float32 cases carry PyTorch's float32 result and the float64 truth, float64 cases are their own truth.
import { decode, type Encoded, loadGolden } from './golden.js';

export interface CtcCase {
  name: string;
  dtype: 'float32' | 'float64';
  logProbs: Encoded;
  targets: Encoded;
  inputLengths: Encoded;
  targetLengths: Encoded;
  options: { blank: number; reduction: 'none' | 'mean' | 'sum'; zeroInfinity: boolean };
  gradOutput: number | Encoded;
  loss: Encoded;
  grad: Encoded;
  truth?: { loss: Encoded; grad: Encoded };
}

export const ctcGolden = loadGolden<CtcCase>('ctc_loss');

/** An encoded array's values as numbers. */
export const values = (e: Encoded) => Array.from(decode(e).data);
