// The benchmark's naive JS peer is checked here, so that the benchmark times a correct loop.
import { expect, it } from 'vitest';
import { naiveCrossEntropyWithGrad } from '../bench/naive.mjs';
import { assertUlpClose } from './helpers/assert-close.js';
import { makeRandom } from './helpers/random.js';
import { refCrossEntropy } from './helpers/reference.js';

it('bench/naive.mjs computes the mean cross-entropy and its gradient', () => {
  const r = makeRandom(7);
  const rows = 5;
  const classes = 37;
  const logits = Float32Array.from(Array.from({ length: rows * classes }, () => 4 * r.normal()));
  const targets = Int32Array.from(Array.from({ length: rows }, () => r.int(classes)));
  const grad = new Float32Array(rows * classes);
  const loss = naiveCrossEntropyWithGrad(logits, targets, rows, classes, grad);
  const ref = refCrossEntropy(logits, [rows, classes], targets, false);
  expect(Math.abs(loss - (ref.loss as number))).toBeLessThan(1e-5);
  assertUlpClose(grad, ref.grad, 16, 'float32', 'naive gradient');
});
