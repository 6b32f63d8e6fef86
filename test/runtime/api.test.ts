// The public contract around the numbers: init, dtypes, shapes, target forms, out and in place,
// inputs left untouched, and the types callers see.
import { inflateSync } from 'node:zlib';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  binaryCrossEntropyWithLogits,
  binaryCrossEntropyWithLogitsWithGrad,
  crossEntropy,
  crossEntropyWithGrad,
  entropy,
  init,
  klDiv,
  klDivWithGrad,
  logSoftmax,
  logSumExp,
  mseLoss,
  mseLossWithGrad,
  nllLoss,
  softmax,
  type Tensor,
  wasmBuild,
} from '../../src/index.js';

describe('init', () => {
  it('throws a clear Error from every function before init() resolves', () => {
    const x = { data: Float32Array.from([1, 2]), shape: [2] };
    expect(wasmBuild()).toBeUndefined();
    for (const call of [
      () => softmax(x),
      () => logSoftmax(x),
      () => logSumExp(x),
      () => crossEntropy(x, { data: [0], shape: [] }),
    ]) {
      expect(call).toThrow(/call `await init\(\)` from 'xentropy'/);
    }
  });

  it('is idempotent: concurrent calls share one load, later calls keep the active build', async () => {
    const calls = [init(), init(), init()];
    await Promise.all(calls);
    expect(['relaxed-simd', 'simd']).toContain(wasmBuild()); // Node 20 validates SIMD; Node ≥ 22 relaxed SIMD too
    await init({ simd: false });
    expect(wasmBuild()).toBe('scalar');
    await init();
    expect(wasmBuild()).toBe('scalar');
    await init({ simd: true, relaxedSimd: false });
    expect(wasmBuild()).toBe('simd');
    await init({ simd: true });
    expect(wasmBuild()).toMatch(/simd$/);
  });

  it('relaxedSimd: true is an Error where the engine cannot run it, and picks it where it can', async () => {
    const { WASM_DEFLATED_BASE64 } = await import('../../src/generated/relaxed-simd.js');
    const supported = WebAssembly.validate(new Uint8Array(inflateSync(Buffer.from(WASM_DEFLATED_BASE64, 'base64'))));
    if (supported) {
      await init({ relaxedSimd: true });
      expect(wasmBuild()).toBe('relaxed-simd');
    } else {
      await expect(init({ relaxedSimd: true })).rejects.toThrow(/cannot run relaxed WebAssembly SIMD/);
    }
    await init({ simd: true, relaxedSimd: false });
  });
});

describe('results', () => {
  it('keep the input dtype and shape', async () => {
    await init();
    const f64 = { data: Float64Array.from([1, 2, 3, 4]), shape: [2, 2] };
    const f32 = { data: Float32Array.from([1, 2, 3, 4]), shape: [2, 2] };
    expect(softmax(f64).data).toBeInstanceOf(Float64Array);
    expect(softmax(f32).data).toBeInstanceOf(Float32Array);
    expect(logSumExp(f64, { keepdim: true }).shape).toEqual([2, 1]);
    expect(logSumExp(f64, { dim: 0 }).shape).toEqual([2]);
    expect(logSumExp({ data: Float64Array.from([2]), shape: [] }).shape).toEqual([]);
    const loss = crossEntropy(f32, [0, 1], { reduction: 'none' });
    expect(loss.data).toBeInstanceOf(Float32Array);
    expect(loss.shape).toEqual([2]);
    expect(
      crossEntropy({ data: Float32Array.from([1, 2, 3]), shape: [3] }, { data: [2], shape: [] }, { reduction: 'none' })
        .shape,
    ).toEqual([]);
    // a float32 scalar loss is a float32 value
    const mean = crossEntropy(f32, [0, 1]);
    expect(Math.fround(mean)).toBe(mean);
  });

  it('take class indices as any integer array, bare or as a Tensor', async () => {
    await init();
    const x = { data: Float64Array.from([0.5, -1, 2, 0, 3, 1, -2, 0.25, 1]), shape: [3, 3] };
    const expected = crossEntropy(x, { data: Int32Array.from([2, 0, 1]), shape: [3] });
    for (const Type of [Int32Array, Uint8Array, Uint16Array, Uint32Array, Int8Array, Int16Array]) {
      expect(crossEntropy(x, Type.from([2, 0, 1]))).toBe(expected);
    }
    expect(crossEntropy(x, [2, 0, 1])).toBe(expected);
    expect(crossEntropy(x, { data: [2, 0, 1], shape: [3] })).toBe(expected);
  });

  it('give PyTorch edge answers for empty inputs', async () => {
    await init();
    const empty = { data: new Float32Array(0), shape: [0, 4] };
    expect(crossEntropy(empty, [])).toBeNaN();
    expect(crossEntropy(empty, [], { reduction: 'sum' })).toBe(0);
    expect(crossEntropy(empty, [], { reduction: 'none' }).shape).toEqual([0]);
    expect(crossEntropyWithGrad(empty, []).grad.data.length).toBe(0);
    expect(softmax(empty).shape).toEqual([0, 4]);
    // no classes: PyTorch gives NaN when every target is ignored, an out-of-bounds error otherwise
    const noClasses = { data: new Float32Array(0), shape: [2, 0] };
    expect(crossEntropy(noClasses, [-100, -100])).toBeNaN();
    expect(() => crossEntropy(noClasses, [0, -100])).toThrow(/target\[0\] = 0 is out of range/);
    expect(Array.from(logSumExp(noClasses).data)).toEqual([-Infinity, -Infinity]);
    expect(softmax(noClasses).shape).toEqual([2, 0]);
  });
});

describe.each([Float32Array, Float64Array])('gradients and out, %s', (Float) => {
  const input = () => ({ data: Float.from([0.1, 2, -1, 3, 0, 0.5, -2, 1, 4, 0, 0, 1]), shape: [2, 3, 2] });
  const target = { data: Int32Array.from([0, 2, 1, -100]), shape: [2, 2] };
  const weight = [1, 0.5, 2];

  it('with a separate out: the gradient lands in out and grad.data is out', async () => {
    await init();
    const x = input();
    const fresh = crossEntropyWithGrad(x, target, { weight, labelSmoothing: 0.2 });
    const out = new Float(12);
    const result = crossEntropyWithGrad(x, target, { weight, labelSmoothing: 0.2, out });
    expect(result.grad.data).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(fresh.grad.data));
    expect(result.grad.shape).toEqual([2, 3, 2]);
  });

  it('in place: out === input.data receives the gradient of the original input', async () => {
    await init();
    const x = input();
    const expected = crossEntropyWithGrad(input(), target, { weight, labelSmoothing: 0.2 });
    const result = crossEntropyWithGrad(x, target, { weight, labelSmoothing: 0.2, out: x.data });
    expect(result.grad.data).toBe(x.data);
    expect(Array.from(x.data)).toEqual(Array.from(expected.grad.data));
    expect(result.loss).toBe(expected.loss);
  });

  it('does not modify its input, target, weight or gradOutput', async () => {
    await init();
    const x = input();
    const t = { data: Int32Array.from(target.data), shape: [2, 2] };
    const w = Float.from(weight);
    const g = { data: Float.from([1, -2, 0.5, 3]), shape: [2, 2] };
    const copies = [x.data, t.data, w, g.data].map((a) => Array.from(a));
    crossEntropyWithGrad(x, t, { weight: w, reduction: 'none', gradOutput: g });
    softmax(x, { dim: 1 });
    logSoftmax(x, { dim: 0 });
    logSumExp(x, { dim: 2 });
    expect([x.data, t.data, w, g.data].map((a) => Array.from(a))).toEqual(copies);
  });

  it("'none' gradient is the gradient of Σ gradOutput · loss; a number applies to every element", async () => {
    await init();
    const x = input();
    const g = Float.from([1, -2, 0.5, 3]);
    const byTensor = crossEntropyWithGrad(x, target, { reduction: 'none', gradOutput: { data: g, shape: [2, 2] } });
    const byOnes = crossEntropyWithGrad(x, target, { reduction: 'none' });
    const byTwo = crossEntropyWithGrad(x, target, { reduction: 'none', gradOutput: 2 });
    const sum = crossEntropyWithGrad(x, target, { reduction: 'sum' });
    expect(Array.from(byOnes.grad.data)).toEqual(Array.from(sum.grad.data));
    byTwo.grad.data.forEach((v, i) => {
      expect(v).toBeCloseTo(2 * byOnes.grad.data[i], 6);
    });
    // row (n = 1, d = 0) has gradOutput 0.5
    const at = (data: ArrayLike<number>, c: number) => data[1 * 6 + c * 2 + 0];
    for (let c = 0; c < 3; c++) expect(at(byTensor.grad.data, c)).toBeCloseTo(0.5 * at(byOnes.grad.data, c), 6);
  });
});

describe.each([Float32Array, Float64Array])('the loss family, %s', (Float) => {
  const shape = [2, 3];
  const x = () => ({ data: Float.from([0.3, -1.2, 2, 0, 4, -0.5]), shape });
  const y = () => ({ data: Float.from([1, 0, 0.5, 0, 1, 1]), shape });

  it('broadcast weights: per element, per column, or a Tensor of a broadcastable shape', async () => {
    await init();
    const full = Float.from([1, 2, 3, 1, 2, 3]);
    const expected = binaryCrossEntropyWithLogits(x(), y(), { weight: full, reduction: 'sum' });
    expect(binaryCrossEntropyWithLogits(x(), y(), { weight: [1, 2, 3], reduction: 'sum' })).toBe(expected);
    expect(
      binaryCrossEntropyWithLogits(x(), y(), { weight: { data: [1, 2, 3], shape: [1, 3] }, reduction: 'sum' }),
    ).toBe(expected);
    const rows = binaryCrossEntropyWithLogits(x(), y(), { weight: Float.from([2, 2, 2, 5, 5, 5]), reduction: 'sum' });
    expect(
      binaryCrossEntropyWithLogits(x(), y(), { weight: { data: Float.from([2, 5]), shape: [2, 1] }, reduction: 'sum' }),
    ).toBe(rows);
    expect(binaryCrossEntropyWithLogits(x(), y(), { posWeight: { data: [3], shape: [] } })).toBe(
      binaryCrossEntropyWithLogits(x(), y(), { posWeight: [3, 3, 3] }),
    );
  });

  it('reductions agree: mean = sum / n, batchmean = sum / N, none sums to sum', async () => {
    await init();
    const sum = klDiv(x(), y(), { reduction: 'sum' });
    expect(klDiv(x(), y(), { reduction: 'batchmean' })).toBeCloseTo(sum / 2, 5);
    expect(klDiv(x(), y())).toBeCloseTo(sum / 6, 5);
    const none = mseLoss(x(), y(), { reduction: 'none' });
    expect(none.shape).toEqual(shape);
    expect(none.data).toBeInstanceOf(Float);
    expect(Array.from(none.data).reduce((a, b) => a + b, 0)).toBeCloseTo(mseLoss(x(), y(), { reduction: 'sum' }), 5);
  });

  it('in place and with a separate out; inputs and targets untouched', async () => {
    await init();
    const input = x();
    const target = y();
    const before = [Array.from(input.data), Array.from(target.data)];
    const fresh = klDivWithGrad(input, target, { reduction: 'batchmean' });
    const out = new Float(6);
    expect(klDivWithGrad(input, target, { reduction: 'batchmean', out }).grad.data).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(fresh.grad.data));
    nllLoss(input, [0, 2]);
    entropy({ data: target.data, shape });
    expect([Array.from(input.data), Array.from(target.data)]).toEqual(before);
    const inPlace = binaryCrossEntropyWithLogitsWithGrad(input, target, { out: input.data });
    expect(inPlace.grad.data).toBe(input.data);
    expect(Array.from(input.data)).toEqual(Array.from(binaryCrossEntropyWithLogitsWithGrad(x(), y()).grad.data));
  });
});

describe('types', () => {
  it('infer the output from the input dtype and the reduction', () => {
    const f32: Tensor<Float32Array> = { data: new Float32Array(3), shape: [3] };
    const f64: Tensor<Float64Array> = { data: new Float64Array(3), shape: [3] };
    const t = { data: [0], shape: [] };
    expectTypeOf(() => softmax(f64)).returns.toEqualTypeOf<Tensor<Float64Array>>();
    expectTypeOf(() => logSumExp(f32)).returns.toEqualTypeOf<Tensor<Float32Array>>();
    expectTypeOf(() => crossEntropy(f32, t)).returns.toEqualTypeOf<number>();
    expectTypeOf(() => crossEntropy(f32, t, { reduction: 'sum' })).returns.toEqualTypeOf<number>();
    expectTypeOf(() => crossEntropy(f64, t, { reduction: 'none' })).returns.toEqualTypeOf<Tensor<Float64Array>>();
    expectTypeOf(() => crossEntropyWithGrad(f64, t).grad).returns.toEqualTypeOf<Tensor<Float64Array>>();
    expectTypeOf(() => crossEntropyWithGrad(f32, t, { reduction: 'none' }).loss).returns.toEqualTypeOf<
      Tensor<Float32Array>
    >();
    expectTypeOf(() => mseLoss(f32, f32)).returns.toEqualTypeOf<number>();
    expectTypeOf(() => klDiv(f64, f64, { reduction: 'batchmean' })).returns.toEqualTypeOf<number>();
    expectTypeOf(() => klDiv(f64, f64, { reduction: 'none' })).returns.toEqualTypeOf<Tensor<Float64Array>>();
    expectTypeOf(() => mseLossWithGrad(f32, f32, { reduction: 'none' }).loss).returns.toEqualTypeOf<
      Tensor<Float32Array>
    >();
    expectTypeOf(() => nllLoss(f32, t, { reduction: 'none' })).returns.toEqualTypeOf<Tensor<Float32Array>>();
    expectTypeOf(() => entropy(f64)).returns.toEqualTypeOf<Tensor<Float64Array>>();
    // @ts-expect-error: Int32Array logits are not accepted
    expectTypeOf(() => softmax({ data: new Int32Array(2), shape: [2] })).toBeFunction();
  });
});
