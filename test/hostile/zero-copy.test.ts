// Tensors that live in WebAssembly memory: used where they are, no copies, memory flat, views refreshed.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  allocTensor,
  binaryCrossEntropyWithLogitsWithGrad,
  crossEntropyWithGrad,
  init,
  logSoftmax,
  softmax,
  wasmMemoryBytes,
} from '../../src/index.js';

beforeAll(() => init());

describe.each([Float32Array, Float64Array])('allocTensor, %s', (Float) => {
  const fill = (data: Float32Array | Float64Array) =>
    data.forEach((_, i) => {
      data[i] = Math.sin(i * 1.7) * 3;
    });

  it('gives the same loss and gradient as plain arrays, (N, C) and (N, C, d)', () => {
    for (const shape of [
      [16, 37],
      [3, 5, 4],
    ]) {
      const indexShape = shape.filter((_, d) => d !== 1);
      const rows = indexShape.reduce((a, b) => a * b, 1);
      const logits = allocTensor(Float, shape);
      const targets = allocTensor(Int32Array, indexShape);
      const grad = allocTensor(Float, shape);
      fill(logits.data);
      targets.data.forEach((_, i) => {
        targets.data[i] = (i * 7) % shape[1];
      });
      const plain = crossEntropyWithGrad(
        { data: Float.from(logits.data), shape },
        { data: Int32Array.from(targets.data), shape: indexShape },
        { labelSmoothing: 0.1 },
      );
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

describe('WebAssembly memory growing in the middle of a call', () => {
  it('does not break resident inputs, targets, gradOutput or out (their views are made again)', async () => {
    const { setChunkBytes } = await import('../../src/core/pipeline/index.js');
    const previous = setChunkBytes(256 * 2 ** 20); // one big chunk: the scratch region must grow
    try {
      const shape = [2000, 1000];
      const logits = allocTensor(Float32Array, shape);
      const probs = allocTensor(Float32Array, shape);
      const gradOutput = allocTensor(Float32Array, [2000]);
      const bceGrad = allocTensor(Float32Array, shape);
      logits.data.forEach((_, i) => {
        logits.data[i] = Math.cos(i);
      });
      probs.data.fill(1 / 1000);
      gradOutput.data.fill(2);
      const plain = {
        softmax: softmax({ data: Float32Array.from(logits.data), shape }).data,
        ce: crossEntropyWithGrad(
          { data: Float32Array.from(logits.data), shape },
          { data: Float32Array.from(probs.data), shape },
          { reduction: 'none', gradOutput: { data: Float32Array.from(gradOutput.data), shape: [2000] } },
        ),
        bce: binaryCrossEntropyWithLogitsWithGrad(
          { data: Float32Array.from(logits.data), shape },
          { data: Float32Array.from(probs.data), shape },
          { weight: Float32Array.from(probs.data) },
        ),
      };
      // a bigger call first makes the scratch region large, then free it so memory must grow again
      for (const size of [4000, 8000]) {
        const big = allocTensor(Float32Array, [size, 1000]);
        const grow = softmax(big);
        expect(grow.data.length).toBe(size * 1000);
        const bce = binaryCrossEntropyWithLogitsWithGrad(logits, probs, { weight: probs.data, out: bceGrad.data });
        expect(bce.loss).toBe(plain.bce.loss);
        expect(Array.from(bce.grad.data)).toEqual(Array.from(plain.bce.grad.data));
        big.free();
        const again = allocTensor(Float32Array, [size, 1000]);
        softmax(again);
        again.free();
        const resident = {
          softmax: softmax(logits).data,
          ce: crossEntropyWithGrad(logits, probs, { reduction: 'none', gradOutput, out: logits.data }),
        };
        expect(Array.from(resident.softmax)).toEqual(Array.from(plain.softmax));
        expect(Array.from(resident.ce.loss.data)).toEqual(Array.from(plain.ce.loss.data));
        expect(Array.from(resident.ce.grad.data)).toEqual(Array.from(plain.ce.grad.data));
        logits.data.forEach((_, i) => {
          logits.data[i] = Math.cos(i);
        }); // out was the input
      }
      for (const t of [logits, probs, gradOutput, bceGrad]) t.free();
    } finally {
      setChunkBytes(previous);
    }
  });
});

describe.each([Float32Array, Float64Array])('softmax and logSoftmax with out, %s', (Float) => {
  it('a separate out, in place, and resident input and out (no copies) all give the plain result', () => {
    const shape = [40, 33];
    const values = Float.from(Array.from({ length: 40 * 33 }, (_, i) => Math.sin(i) * 5));
    for (const fn of [softmax, logSoftmax]) {
      const plain = Array.from(fn({ data: values, shape }).data);
      const out = new Float(values.length);
      expect(fn({ data: values, shape }, { out }).data).toBe(out);
      expect(Array.from(out)).toEqual(plain);
      const copy = Float.from(values);
      fn({ data: copy, shape }, { out: copy });
      expect(Array.from(copy)).toEqual(plain);
      const input = allocTensor(Float, shape);
      const result = allocTensor(Float, shape);
      input.data.set(values);
      const before = wasmMemoryBytes();
      expect(Array.from(fn(input, { out: result.data }).data)).toEqual(plain);
      expect(Array.from(result.data)).toEqual(plain);
      fn(input, { out: input.data });
      expect(Array.from(input.data)).toEqual(plain);
      expect(wasmMemoryBytes()).toBe(before);
      input.free();
      result.free();
      expect(() => fn({ data: values, shape }, { out: new Float(3) })).toThrow(
        /options\.out must have the input's length 1320/,
      );
    }
  });
});
