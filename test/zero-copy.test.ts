// Tensors that live in WebAssembly memory: used where they are, no copies, memory flat, views refreshed.
import { beforeAll, describe, expect, it } from 'vitest';
import { allocTensor, crossEntropyWithGrad, init, softmax, wasmMemoryBytes } from '../src/index.js';

beforeAll(() => init());

describe.each([Float32Array, Float64Array])('allocTensor, %s', (Float) => {
  const fill = (data: Float32Array | Float64Array) => data.forEach((_, i) => (data[i] = Math.sin(i * 1.7) * 3));

  it('gives the same loss and gradient as plain arrays, (N, C) and (N, C, d)', () => {
    for (const shape of [[16, 37], [3, 5, 4]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const indexShape = shape.filter((_, d) => d !== 1);
      const rows = indexShape.reduce((a, b) => a * b, 1);
      const logits = allocTensor(Float, shape);
      const targets = allocTensor(Int32Array, indexShape);
      const grad = allocTensor(Float, shape);
      fill(logits.data);
      targets.data.forEach((_, i) => (targets.data[i] = (i * 7) % shape[1]));
      const plain = crossEntropyWithGrad({ data: Float.from(logits.data), shape }, { data: Int32Array.from(targets.data), shape: indexShape }, { labelSmoothing: 0.1 });
      const resident = crossEntropyWithGrad(logits, targets, { labelSmoothing: 0.1, out: grad.data });
      expect(resident.loss).toBe(plain.loss);
      expect(Array.from(grad.data)).toEqual(Array.from(plain.grad.data));
      expect(Array.from(resident.grad.data)).toEqual(Array.from(plain.grad.data));
      expect(rows).toBe(targets.data.length);
      for (const t of [logits, targets, grad]) t.free();
    }
  });

  it('in place on a resident tensor (out === input.data) is still right', () => {
    const shape = [4, 9];
    const logits = allocTensor(Float, shape);
    fill(logits.data);
    const expected = crossEntropyWithGrad({ data: Float.from(logits.data), shape }, [1, 2, 3, 4]);
    crossEntropyWithGrad(logits, [1, 2, 3, 4], { out: logits.data });
    expect(Array.from(logits.data)).toEqual(Array.from(expected.grad.data));
    logits.free();
  });

  it('a training-loop call allocates no WebAssembly memory and copies no logits', () => {
    const shape = [256, 1000];
    const logits = allocTensor(Float, shape);
    const grad = allocTensor(Float, shape);
    fill(logits.data);
    const targets = Int32Array.from({ length: 256 }, (_, i) => i);
    crossEntropyWithGrad(logits, targets, { out: grad.data });
    const before = wasmMemoryBytes();
    for (let step = 0; step < 100; step++) crossEntropyWithGrad(logits, targets, { out: grad.data });
    expect(wasmMemoryBytes()).toBe(before);
    logits.free();
    grad.free();
  });

  it('views are refreshed after memory grows; contents survive', () => {
    const t = allocTensor(Float, [3]);
    t.data.set([1, 2, 3]);
    const old = t.data;
    // a call big enough to grow memory
    softmax({ data: new Float(8_000_000), shape: [8000, 1000] });
    expect(old.length === 0 || old.buffer === t.data.buffer).toBe(true);
    expect(Array.from(t.data)).toEqual([1, 2, 3]);
    t.free();
  });

  it('free() makes data throw; freeing twice is harmless; bad dtypes and shapes are errors', () => {
    const t = allocTensor(Float, [2, 2]);
    expect(Array.from(t.data)).toEqual([0, 0, 0, 0]);
    t.free();
    t.free();
    expect(t.freed).toBe(true);
    expect(() => t.data).toThrow(/after free\(\)/);
    expect(() => allocTensor(Uint8Array as never, [2])).toThrow(TypeError);
    expect(() => allocTensor(Float, [-1])).toThrow(RangeError);
  });
});
