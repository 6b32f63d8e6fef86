// The fused linear + cross-entropy beyond its golden vectors: the matrix multiply at every tile boundary (SIMD
// against the scalar build and float64), the unfused path it replaces, destinations and accumulation, memory
// that never holds the logits, and bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import { wasm } from '../../src/core/instance.js';
import {
  allocTensor,
  crossEntropyWithGrad,
  init,
  linearCrossEntropy,
  linearCrossEntropyWithGrad,
  type Tensor,
  wasmMemoryBytes,
  wasmThreads,
} from '../../src/index.js';
import { assertUlpClose } from '../helpers/assert-close.js';
import { onBothBuilds } from '../helpers/builds.js';

beforeAll(() => init());
afterAll(() => init());

/** C (+)= A · B through the build's matmul kernel, A(i, p) = a[i · rowStride + p · innerStride]. */
function matmul(
  a: Float32Array,
  rowStride: number,
  innerStride: number,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  accumulate: boolean,
) {
  const kernels = wasm('test');
  const base = kernels.scratch(4 * (a.length + b.length + c.length) + 64) >>> 0;
  const heap = new Float32Array(kernels.memory.buffer);
  const [pa, pb] = [base, base + 4 * a.length];
  const pc = pb + 4 * b.length;
  heap.set(a, pa / 4);
  heap.set(b, pb / 4);
  heap.set(c, pc / 4);
  kernels.matmulF32(pa, rowStride, innerStride, pb, pc, m, n, k, accumulate ? 1 : 0);
  return Float32Array.from(new Float32Array(kernels.memory.buffer, pc, c.length));
}

describe('matmul, the SIMD build against the scalar build and float64', () => {
  it('at every tile boundary (m, n around 4 and 8), A plain and transposed, written and accumulated', async () => {
    const r = makeRandom(31);
    for (const m of [1, 3, 4, 5, 8, 9]) {
      for (const n of [1, 3, 4, 7, 8, 9, 16, 17]) {
        for (const k of [1, 2, 5, 33, 300]) {
          for (const transposed of [false, true]) {
            const a = Float32Array.from({ length: m * k }, () => r.normal());
            const b = Float32Array.from({ length: k * n }, () => r.normal());
            const c = Float32Array.from({ length: m * n }, () => r.normal());
            const [rowStride, innerStride] = transposed ? [1, m] : [k, 1];
            const expected = Float64Array.from(c, (v, e) => {
              const [i, j] = [Math.floor(e / n), e % n];
              let sum = 0;
              for (let p = 0; p < k; p++) sum += a[i * rowStride + p * innerStride] * b[p * n + j];
              return sum + v;
            });
            const { simd, scalar } = await onBothBuilds(() => matmul(a, rowStride, innerStride, b, c, m, n, k, true));
            const label = `m ${m}, n ${n}, k ${k}, ${transposed ? 'Aᵀ' : 'A'}`;
            assertUlpClose(simd, scalar, 8 * k, 'float32', `SIMD vs scalar: ${label}`);
            assertUlpClose(simd, expected, 8 * k, 'float32', `vs float64: ${label}`);
            const written = await onBothBuilds(() => matmul(a, rowStride, innerStride, b, c, m, n, k, false));
            assertUlpClose(
              written.simd,
              Float64Array.from(expected, (v, e) => v - c[e]),
              8 * k,
              'float32',
              label,
            );
          }
        }
      }
    }
    await init();
  });
});

describe('linearCrossEntropy', () => {
  const r = makeRandom(5);
  const [N, d, V] = [33, 20, 301];
  const input = { data: Float32Array.from({ length: N * d }, () => r.normal()), shape: [N, d] };
  const linearWeight = { data: Float32Array.from({ length: V * d }, () => 0.3 * r.normal()), shape: [V, d] };
  const linearBias = Float32Array.from({ length: V }, () => r.normal());
  const target = Int32Array.from({ length: N }, (_, i) => (i % 9 === 4 ? -100 : r.int(V)));
  const logits = new Float32Array(N * V);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < V; j++) {
      let sum = linearBias[j];
      for (let p = 0; p < d; p++) sum += input.data[i * d + p] * linearWeight.data[j * d + p];
      logits[i * V + j] = sum;
    }
  }

  it('is the unfused path: the logits, then crossEntropyWithGrad, then the two products', () => {
    const options = { labelSmoothing: 0.1, lseSquareScale: 1e-3, softcap: 8 } as const;
    const unfused = crossEntropyWithGrad({ data: logits, shape: [N, V] }, target, options);
    for (const chunkSize of [undefined, 1, 4, 7, N]) {
      const fused = linearCrossEntropyWithGrad(input, linearWeight, target, { ...options, linearBias, chunkSize });
      expect(fused.loss).toBeCloseTo(unfused.loss, 5);
      const g = unfused.grad.data;
      const gradInput = Float64Array.from({ length: N * d }, (_, e) => {
        const [i, p] = [Math.floor(e / d), e % d];
        let sum = 0;
        for (let j = 0; j < V; j++) sum += g[i * V + j] * linearWeight.data[j * d + p];
        return sum;
      });
      assertUlpClose(fused.gradInput.data, gradInput, 64, 'float32', `gradInput, chunkSize ${chunkSize}`);
      const bias = Float64Array.from({ length: V }, (_, j) => {
        let sum = 0;
        for (let i = 0; i < N; i++) sum += g[i * V + j];
        return sum;
      });
      assertUlpClose(fused.gradBias?.data ?? [], bias, 64, 'float32', `gradBias, chunkSize ${chunkSize}`);
    }
    expect(linearCrossEntropy(input, linearWeight, target, { ...options, linearBias })).toBeCloseTo(unfused.loss, 5);
  });

  it('writes into the destinations, and accumulates the weight gradient', () => {
    const once = linearCrossEntropyWithGrad(input, linearWeight, target, { linearBias });
    const gradWeightOut = new Float32Array(V * d).fill(1);
    const gradInputOut = new Float32Array(N * d);
    const gradBiasOut = new Float32Array(V);
    const r1 = linearCrossEntropyWithGrad(input, linearWeight, target, {
      linearBias,
      gradWeightOut,
      gradInputOut,
      gradBiasOut,
      accumulate: true,
    });
    expect(r1.gradWeight.data).toBe(gradWeightOut);
    expect(r1.gradInput.data).toBe(gradInputOut);
    assertUlpClose(
      gradWeightOut,
      once.gradWeight.data.map((v) => v + 1),
      4,
      'float32',
      'accumulated',
    );
    assertUlpClose(gradInputOut, once.gradInput.data, 0, 'float32', 'gradInputOut');
    assertUlpClose(gradBiasOut, once.gradBias?.data ?? [], 0, 'float32', 'gradBiasOut');
  });

  it('takes allocTensor inputs and destinations, across a call that grows WebAssembly memory', async () => {
    await init({ simd: true, relaxedSimd: false }); // a fresh instance: this call grows its memory
    const expected = linearCrossEntropyWithGrad(input, linearWeight, target, { linearBias, chunkSize: 2 });
    await init({ simd: true, relaxedSimd: false, threads: 2 });
    await init({ simd: true, relaxedSimd: false });
    const x = allocTensor(Float32Array, [N, d]);
    const w = allocTensor(Float32Array, [V, d]);
    const gw = allocTensor(Float32Array, [V, d]);
    x.data.set(input.data);
    w.data.set(linearWeight.data);
    const result = linearCrossEntropyWithGrad(x, w, target, { linearBias, gradWeightOut: gw.data, chunkSize: 2 });
    expect(result.loss).toBe(expected.loss);
    assertUlpClose(gw.data, expected.gradWeight.data, 0, 'float32', 'gradWeight in a WasmTensor');
    assertUlpClose(result.gradWeight.data, expected.gradWeight.data, 0, 'float32', 'the result hands it back');
    const staleOut = gw.data;
    for (const t of [x, w, gw]) t.free();
    expect(() => linearCrossEntropy(x, linearWeight, target)).toThrow(TypeError);
    // a freed destination is refused, never written
    expect(() => linearCrossEntropyWithGrad(input, linearWeight, target, { gradWeightOut: staleOut })).toThrow(
      /gradWeightOut is a view of WebAssembly memory that no live allocTensor tensor holds/,
    );
  });

  it("reduction 'none' with a gradOutput per row is the gradient of Σ gradOutput · loss", () => {
    const gradOutput = Float32Array.from({ length: N }, () => r.normal());
    const none = linearCrossEntropyWithGrad(input, linearWeight, target, { reduction: 'none', gradOutput });
    const sum = linearCrossEntropyWithGrad(input, linearWeight, target, { reduction: 'sum' });
    expect((none.loss as Tensor).shape).toEqual([N]);
    expect(Array.from((none.loss as Tensor).data).reduce((a, b) => a + b, 0)).toBeCloseTo(sum.loss as number, 3);
    const ones = linearCrossEntropyWithGrad(input, linearWeight, target, { reduction: 'none', gradOutput: 1 });
    assertUlpClose(ones.gradWeight.data, sum.gradWeight.data, 0, 'float32', "'none' with ones is 'sum'");
  });

  it.each([
    [
      'd differs',
      () => linearCrossEntropy(input, { data: new Float32Array(V * 3), shape: [V, 3] }, target),
      RangeError,
      /linearWeight must be \[V, 20\]/,
    ],
    [
      'a float64 weight',
      () => linearCrossEntropy(input, { data: new Float64Array(V * d), shape: [V, d] } as never, target),
      TypeError,
      /linearWeight.data must be a Float32Array/,
    ],
    [
      'a bias of the wrong length',
      () => linearCrossEntropy(input, linearWeight, target, { linearBias: new Float32Array(3) }),
      RangeError,
      /linearBias must have length V = 301/,
    ],
    [
      'chunkSize 0',
      () => linearCrossEntropy(input, linearWeight, target, { chunkSize: 0 }),
      RangeError,
      /chunkSize must be ≥ 1/,
    ],
    [
      'chunkSize 1.5',
      () => linearCrossEntropy(input, linearWeight, target, { chunkSize: 1.5 }),
      TypeError,
      /chunkSize must be a positive integer/,
    ],
    [
      'a target out of range',
      () =>
        linearCrossEntropy(
          input,
          linearWeight,
          Int32Array.from(target, () => V),
        ),
      RangeError,
      /target\[0\] = 301 is out of range/,
    ],
    [
      'a target of the wrong shape',
      () => linearCrossEntropy(input, linearWeight, [1, 2]),
      RangeError,
      /target must have shape \[33\]/,
    ],
    [
      'accumulate without gradWeightOut',
      () => linearCrossEntropyWithGrad(input, linearWeight, target, { accumulate: true }),
      TypeError,
      /accumulate adds into options.gradWeightOut/,
    ],
    [
      'an out that overlaps the input',
      () => linearCrossEntropyWithGrad(input, linearWeight, target, { gradInputOut: input.data }),
      RangeError,
      /gradInputOut overlaps input/,
    ],
    [
      'an out of the wrong length',
      () => linearCrossEntropyWithGrad(input, linearWeight, target, { gradBiasOut: new Float32Array(3) }),
      RangeError,
      /gradBiasOut must have length 301/,
    ],
  ] as const)('bad input: %s is a named error, nothing written', (_, call, Type, message) => {
    const before = [input.data.slice(), linearWeight.data.slice(), linearBias.slice()];
    expect(call).toThrow(Type);
    expect(call).toThrow(message);
    expect([input.data, linearWeight.data, linearBias]).toEqual(before);
  });

  it('says up front, with the number, when the weights and their gradient cannot fit in wasm32', () => {
    const [v, dd] = [2 ** 19, 2 ** 10]; // 2 GiB of float32 weights, and as much again for their gradient
    const huge = { data: new Float32Array(v * dd), shape: [v, dd] };
    const call = () => linearCrossEntropyWithGrad({ data: new Float32Array(dd), shape: [1, dd] }, huge, [0]);
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/N = 1, d = 1024, V = 524288 need \d+ bytes .* more than wasm32's 4 GiB/);
  });
});

describe('linearCrossEntropy on threads', () => {
  // big enough that every product and the cross-entropy share their rows (≥ 2^16 elements of work each)
  const r = makeRandom(8);
  const [N, d, V] = [53, 19, 3001];
  const input = { data: Float32Array.from({ length: N * d }, () => r.normal()), shape: [N, d] };
  const linearWeight = { data: Float32Array.from({ length: V * d }, () => 0.3 * r.normal()), shape: [V, d] };
  const linearBias = Float32Array.from({ length: V }, () => r.normal());
  const weight = Float32Array.from({ length: V }, () => 0.5 + r.next());
  const target = Int32Array.from({ length: N }, (_, i) => (i % 7 === 3 ? -100 : r.int(V)));
  const options = { linearBias, weight, labelSmoothing: 0.05, lseSquareScale: 1e-4, softcap: 20, chunkSize: 26 };

  it('2 and 3 threads give exactly the one-thread loss and gradients, accumulated or not', async () => {
    const run = () => {
      const once = linearCrossEntropyWithGrad(input, linearWeight, target, options);
      const gradWeightOut = Float32Array.from(once.gradWeight.data, (g) => g / 3);
      linearCrossEntropyWithGrad(input, linearWeight, target, { ...options, gradWeightOut, accumulate: true });
      return { ...once, accumulated: gradWeightOut };
    };
    await init({ simd: true, relaxedSimd: false, threads: 1 });
    const one = run();
    for (const threads of [2, 3]) {
      await init({ simd: true, relaxedSimd: false, threads });
      expect(wasmThreads()).toBe(threads);
      const many = run();
      expect(many.loss).toBe(one.loss);
      for (const key of ['gradInput', 'gradWeight', 'gradBias'] as const) {
        assertUlpClose(many[key]?.data ?? [], one[key]?.data ?? [], 0, 'float32', `${key}, ${threads} threads`);
      }
      assertUlpClose(many.accumulated, one.accumulated, 0, 'float32', `accumulated, ${threads} threads`);
    }
    await init({ threads: 1 });
  });
});

describe('linearCrossEntropy never holds the logits', () => {
  it('N = 4096, d = 256, V = 50,257 (823 MB of float32 logits) in under 200 MB of WebAssembly memory', async () => {
    await init({ simd: true });
    const [N, d, V] = [4096, 256, 50257];
    const r = makeRandom(9);
    const input = { data: Float32Array.from({ length: N * d }, () => r.normal()), shape: [N, d] };
    const linearWeight = { data: Float32Array.from({ length: V * d }, () => 0.05 * r.normal()), shape: [V, d] };
    const target = Int32Array.from({ length: N }, () => r.int(V));
    const { loss, gradWeight } = linearCrossEntropyWithGrad(input, linearWeight, target);
    const bytes = wasmMemoryBytes();
    console.log(`N 4096, d 256, V 50257: WebAssembly memory ${(bytes / 2 ** 20).toFixed(0)} MB, loss ${loss}`);
    expect(bytes).toBeLessThan(200 * 2 ** 20);
    expect(Number.isFinite(loss)).toBe(true);
    expect(gradWeight.data.length).toBe(V * d);
  }, 600_000);

  it('N = 16,384, V = 128,256: 8.4 GB of float32 logits, beyond wasm32, scored in chunks', async () => {
    await init({ simd: true });
    const [N, d, V] = [16384, 4, 128256];
    const r = makeRandom(10);
    const input = { data: Float32Array.from({ length: N * d }, () => r.normal()), shape: [N, d] };
    const linearWeight = { data: Float32Array.from({ length: V * d }, () => r.normal()), shape: [V, d] };
    const target = Int32Array.from({ length: N }, () => r.int(V));
    const loss = linearCrossEntropy(input, linearWeight, target) as number;
    // the loss of row 0, computed here in float64 from its own logits
    const row = Float64Array.from({ length: V }, (_, j) => {
      let sum = 0;
      for (let p = 0; p < d; p++) sum += input.data[p] * linearWeight.data[j * d + p];
      return sum;
    });
    const first = linearCrossEntropy({ data: input.data.subarray(0, d), shape: [1, d] }, linearWeight, [target[0]]);
    const max = row.reduce((a, b) => Math.max(a, b), -Infinity);
    const expected = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max - row[target[0]];
    expect(first as number).toBeCloseTo(expected, 3);
    expect(Number.isFinite(loss)).toBe(true);
    expect(wasmMemoryBytes()).toBeLessThan(2 ** 30);
  }, 600_000);
});
