import { elementName } from '../core/validate.js';
import { pairLossFunctions } from '../families/pair-loss.js';
import type { BinaryCrossEntropyOptions, LossFunction, LossWithGradFunction } from '../types.js';

const { loss, withGrad } = pairLossFunctions({
  name: 'binaryCrossEntropy',
  options: ['weight'],
  kernel: () => 'binaryCrossEntropy',
  check: (data, shape) => {
    for (let i = 0; i < data.length; i++) {
      if (data[i] >= 0 && data[i] <= 1) continue;
      throw new RangeError(
        `binaryCrossEntropy: ${elementName('input', i, shape)} = ${data[i]} is not a probability in [0, 1] ` +
          '(apply a sigmoid first, or use binaryCrossEntropyWithLogits on the logits)',
      );
    }
  },
});

/**
 * `F.binary_cross_entropy(input, target, weight, reduction)`: −w·(y·log p + (1 − y)·log(1 − p)) with
 * each log clamped at −100, exactly as PyTorch. `input` holds probabilities in [0, 1]; `target` has its shape and
 * dtype.
 * @throws RangeError for an input outside [0, 1] (NaN included, as PyTorch), shapes, a weight that does not broadcast.
 */
export const binaryCrossEntropy = loss as LossFunction<BinaryCrossEntropyOptions>;

/**
 * `binaryCrossEntropy` and its gradient w.r.t. the probabilities, PyTorch's formula:
 * w·(p − y) / max((1 − p)·p, ε) with ε = float32(1e-12), for float64 input too.
 */
export const binaryCrossEntropyWithGrad = withGrad as LossWithGradFunction<BinaryCrossEntropyOptions>;
