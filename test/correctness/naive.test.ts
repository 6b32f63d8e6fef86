// The benchmark's naive JS peer is checked here, so that the benchmark times a correct loop.
import { expect, it } from 'vitest';
import { naiveCrossEntropy, naiveCrossEntropyWithGrad, naiveSoftmax } from '../../bench/peers/naive.mjs';
import { refCrossEntropy, refLogSoftmaxRows } from '../../reference/index.js';
import { makeRandom } from '../../reference/random.js';
import { assertUlpClose } from '../helpers/assert-close.js';

it('bench/peers/naive.mjs computes the mean cross-entropy and its gradient', () => {
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

it('bench/peers/naive.mjs: the forward loss and the softmax', () => {
  const r = makeRandom(11);
  const [rows, classes] = [4, 29];
  const logits = Float32Array.from(Array.from({ length: rows * classes }, () => 3 * r.normal()));
  const targets = Int32Array.from(Array.from({ length: rows }, () => r.int(classes)));
  expect(
    Math.abs(
      naiveCrossEntropy(logits, targets, rows, classes) -
        (refCrossEntropy(logits, [rows, classes], targets, false).loss as number),
    ),
  ).toBeLessThan(1e-5);
  const softmax = naiveSoftmax(logits, rows, classes, new Float32Array(rows * classes));
  assertUlpClose(softmax, refLogSoftmaxRows(logits, rows, classes).map(Math.exp), 16, 'float32', 'naive softmax');
});
