// onnxruntime's own Tensor (onnxruntime-common, which onnxruntime-node and -web re-export) goes into every function
// as it comes out of session.run(): no cast for the types (tsc checks this file), float32 logits and int64 token ids
// at run time, the same answers as plain Tensors.
import { Tensor as OrtTensor } from 'onnxruntime-common';
import { beforeAll, expect, it } from 'vitest';
import {
  crossEntropy,
  crossEntropyWithGrad,
  init,
  logSoftmax,
  mseLoss,
  nllLoss,
  perplexity,
  softmaxEntropy,
  type Tensor,
  tokenLogProbs,
  topK,
} from '../../src/index.js';

beforeAll(() => init());

const values = Float32Array.from({ length: 2 * 3 * 5 }, (_, i) => Math.sin(i) * 3);
const ids = [1n, 4n, 0n, 2n, 3n, 1n];
// what session.run() returns: its values typed as the Tensor interface (data: any of its element types)
const logits: OrtTensor = new OrtTensor('float32', values.slice(), [2, 3, 5]);
const targets: OrtTensor = new OrtTensor('int64', BigInt64Array.from(ids), [2, 3]);
const plain = { data: values, shape: [2, 3, 5] };
const plainTargets = { data: Int32Array.from(ids, Number), shape: [2, 3] };

it('tokenLogProbs, perplexity, topK and softmaxEntropy take onnxruntime tensors as they are', () => {
  const logProbs: Tensor = tokenLogProbs(logits, targets, { shift: true });
  expect(Array.from(logProbs.data)).toEqual(Array.from(tokenLogProbs(plain, plainTargets, { shift: true }).data));
  expect(perplexity(logits, targets)).toBe(perplexity(plain, plainTargets));
  expect(Array.from(topK(logits, 2, { target: targets }).logProbs.data)).toEqual(
    Array.from(topK(plain, 2, { target: plainTargets }).logProbs.data),
  );
  expect(Array.from(softmaxEntropy(logits).data)).toEqual(Array.from(softmaxEntropy(plain).data));
});

it('an onnxruntime tensor of the wrong element type is a TypeError naming the argument', () => {
  const strings = new OrtTensor('string', ['a', 'b'], [2]);
  expect(() => softmaxEntropy(strings)).toThrow(/softmaxEntropy: logits\.data must be a Float32Array or Float64Array/);
  const floats = new OrtTensor('float32', new Float32Array(6), [2, 3]);
  expect(() => tokenLogProbs(logits, floats)).toThrow(TypeError);
});

it('the losses and functions take them too: classes-last logits with int64 targets, and { data, dims }', () => {
  const ours = crossEntropyWithGrad(logits, targets, { classDim: -1, reduction: 'none' });
  const want = crossEntropyWithGrad(plain, plainTargets, { classDim: -1, reduction: 'none' });
  expect(Array.from(ours.loss.data)).toEqual(Array.from(want.loss.data));
  expect(Array.from(ours.grad.data)).toEqual(Array.from(want.grad.data));
  expect(crossEntropy(logits, targets, { classDim: -1 })).toBe(crossEntropy(plain, plainTargets, { classDim: -1 }));
  const logProbs: Tensor = logSoftmax(logits);
  expect(Array.from(logProbs.data)).toEqual(Array.from(logSoftmax(plain).data));
  const dims = { data: logProbs.data, dims: [2, 3, 5] };
  expect(nllLoss(dims, targets, { classDim: -1 })).toBe(nllLoss(logSoftmax(plain), plainTargets, { classDim: -1 }));
  expect(mseLoss(logits, logits)).toBe(0);
});
