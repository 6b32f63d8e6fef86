// Class indices read where they lie (an Int32Array all in range, none ignored: src/families/targets.ts's
// borrowedIndices): the same answers as the same indices copied (a number[] takes the copy), and the caller's array
// untouched, when it shares memory with `out`, lies in a SharedArrayBuffer, lives in WebAssembly memory while the
// memory grows, or holds a value that sends it to the copy after all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borrowedIndices } from '../../src/families/targets.js';
import { allocTensor, crossEntropyWithGrad, init, nllLossWithGrad } from '../../src/index.js';

beforeAll(() => init());

const [N, C] = [600, 10];
const shape = [N, C];
const logits = Float32Array.from({ length: N * C }, (_, i) => Math.sin(i * 1.3) * 4);
const classes = Array.from({ length: N }, (_, i) => (i * 7) % C);
const weight = Float32Array.from({ length: C }, (_, j) => 0.5 + j / 7);
const input = () => ({ data: Float32Array.from(logits), shape });
const logProbs = () => ({ data: Float32Array.from(logits, (v) => v - 5), shape }); // (nllLoss's input: ≤ 0)

/** Each function's loss and gradient for these targets, as plain arrays. */
function answers(targets: ArrayLike<number>) {
  const ce = crossEntropyWithGrad(input(), targets as Int32Array, { weight });
  const nll = nllLossWithGrad(logProbs(), targets as Int32Array, { weight });
  return [ce.loss, Array.from(ce.grad.data), nll.loss, Array.from(nll.grad.data)];
}

describe('class indices read where they lie', () => {
  let copied: unknown[] = [];
  beforeAll(() => {
    copied = answers(classes); // a number[]: always copied
  });

  it('give the answers of the same indices copied, and leave the array as it was', () => {
    const targets = Int32Array.from(classes);
    expect(answers(targets)).toEqual(copied);
    expect(Array.from(targets)).toEqual(classes);
  });

  it('are copied first where they share memory with out', () => {
    // the gradient's out and the targets on one buffer: the targets over out's first N floats
    const buffer = new ArrayBuffer(N * C * 4);
    const targets = new Int32Array(buffer, 0, N);
    const out = new Float32Array(buffer);
    targets.set(classes);
    const ce = crossEntropyWithGrad(input(), targets, { weight, out });
    expect([ce.loss, Array.from(ce.grad.data)]).toEqual(copied.slice(0, 2));
    targets.set(classes);
    const nll = nllLossWithGrad(logProbs(), targets, { weight, out });
    expect([nll.loss, Array.from(nll.grad.data)]).toEqual(copied.slice(2));
  });

  it('are copied from a SharedArrayBuffer, which another thread could write during the call', () => {
    const targets = new Int32Array(new SharedArrayBuffer(N * 4));
    targets.set(classes);
    const read = { kind: 'index' as const, shape: [N] };
    expect(borrowedIndices({ ...read, data: targets }, C, -100, weight, undefined)).toBeUndefined();
    const plain = Int32Array.from(classes);
    expect(borrowedIndices({ ...read, data: plain }, C, -100, weight, undefined)?.indices).toBe(plain);
    expect(answers(targets)).toEqual(copied);
    expect(Array.from(targets)).toEqual(classes);
  });

  it('are copied when one is ignored or out of range, with the same errors and answers as before', () => {
    const ignored = Int32Array.from(classes, (t, i) => (i % 9 === 4 ? -100 : t));
    expect(answers(ignored)).toEqual(answers(Array.from(ignored)));
    const ignoredInRange = Int32Array.from(classes); // ignoreIndex 0: the rows of class 0 are ignored
    const atZero = crossEntropyWithGrad(input(), ignoredInRange, { weight, ignoreIndex: 0 });
    const atZeroCopied = crossEntropyWithGrad(input(), classes, { weight, ignoreIndex: 0 });
    const both = [atZero, atZeroCopied].map((r) => [r.loss, Array.from(r.grad.data)]);
    expect(both[0]).toEqual(both[1]);
    const outside = Int32Array.from(classes, (t, i) => (i === 123 ? C : t));
    expect(() => crossEntropyWithGrad(input(), outside)).toThrow(
      /crossEntropyWithGrad: target\[123\] = 10 is out of range/,
    );
    expect(() => nllLossWithGrad(logProbs(), Int32Array.of(...classes.slice(0, N - 1), -1))).toThrow(RangeError);
  });
});

describe('class indices in WebAssembly memory', () => {
  let restore: (() => void) | undefined;
  afterAll(() => restore?.());

  it('stay right while the memory grows in the middle of a call, and stay as they were', async () => {
    const { setChunkBytes } = await import('../../src/core/pipeline/index.js');
    const previous = setChunkBytes(256 * 2 ** 20); // one big chunk: the scratch region must grow
    restore = () => setChunkBytes(previous);
    const copied = crossEntropyWithGrad(input(), classes, { reduction: 'none' });
    const targets = allocTensor(Int32Array, [N]);
    targets.data.set(classes);
    const resident = allocTensor(Float32Array, shape);
    resident.data.set(logits);
    for (const size of [4000, 8000]) {
      // a bigger call's scratch, freed, so that this call's scratch must grow the memory again
      const big = allocTensor(Float32Array, [size, 1000]);
      crossEntropyWithGrad(big, new Int32Array(size), { reduction: 'none' });
      big.free();
      const ce = crossEntropyWithGrad(resident, targets, { reduction: 'none', out: resident.data });
      expect(Array.from(ce.loss.data)).toEqual(Array.from(copied.loss.data));
      expect(Array.from(ce.grad.data)).toEqual(Array.from(copied.grad.data));
      expect(Array.from(targets.data)).toEqual(classes);
      resident.data.set(logits); // out was the input
    }
    targets.free();
    resident.free();
  });
});
