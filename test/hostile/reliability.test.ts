// A service's view: init under concurrency, threads that fail, huge and foreign inputs (issue "Reliability").
import { execFileSync } from 'node:child_process';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { wasm } from '../../src/core/instance.js';
import { exportName } from '../../src/core/kernel-abi.js';
import { runRows } from '../../src/core/threads.js';
import * as x from '../../src/index.js';

afterAll(() => x.init({ simd: true, threads: 1 }));
const dist = new URL('../../dist/index.js', import.meta.url).href;

describe('init', () => {
  it('concurrent calls resolve in call order, and the last request is what runs afterwards', async () => {
    const order: number[] = [];
    const requests = [{ threads: 2 }, { simd: false }, { threads: 3 }, { simd: true, relaxedSimd: false }];
    await Promise.all(requests.map((r, i) => x.init(r).then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
    expect(x.wasmBuild()).toBe('simd');
    expect(x.wasmThreads()).toBe(1);
    // threads racing the scalar build: the scalar build never runs with a pool behind it
    await Promise.all([x.init({ threads: 2 }), x.init({ simd: false })]);
    expect([x.wasmBuild(), x.wasmThreads()]).toEqual(['scalar', 1]);
    const data = Float32Array.from({ length: 300 * 1000 }, (_, i) => Math.sin(i));
    expect(x.softmax({ data, shape: [300, 1000] }).data).toHaveLength(300_000);
  });

  it('a rejected call does not stop the next one', async () => {
    await expect(x.init({ threads: 0 })).rejects.toThrow(RangeError);
    await x.init({ simd: true, relaxedSimd: false });
    expect(x.wasmBuild()).toBe('simd');
  });
});

describe('worker threads', () => {
  it("a trap in a worker's share is an Error on the calling thread, and the pool goes on working", async () => {
    await x.init({ threads: 2 });
    const kernels = wasm('test');
    const rows = 2000;
    const base = kernels.scratch(rows * 100 * 8);
    const kernel = exportName('softmax', 'f32');
    const outside = 2 ** 32 - 64; // an address past the end of memory: the worker's share traps
    const args = (a: number, b: number) => [a === 0 ? base : outside, b - a, 100, a === 0 ? base : outside];
    expect(() => runRows('softmax', kernels, kernel, rows, 100, args)).toThrow(/^softmax: a worker thread's share/);
    const data = Float32Array.from({ length: rows * 100 }, (_, i) => Math.cos(i));
    const threaded = x.softmax({ data, shape: [rows, 100] }).data;
    await x.init({ threads: 1 });
    expect(Array.from(threaded)).toEqual(Array.from(x.softmax({ data, shape: [rows, 100] }).data));
  });

  // init switches builds across awaits, and calls may run in between: one on another instance than the pool's
  it('a call on another instance while a pool runs stays on the calling thread', async () => {
    await x.init({ simd: true, relaxedSimd: false, threads: 1 });
    const plain = wasm('test'); // the one-thread SIMD instance
    await x.init({ threads: 2 }); // now a pool runs on the threads build's shared memory
    const [rows, cols] = [1000, 100];
    const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i));
    const base = plain.scratch(2 * rows * cols * 4);
    new Float32Array(plain.memory.buffer, base, rows * cols).set(data);
    const out = base + rows * cols * 4;
    const args = (a: number, b: number) => [base + a * cols * 4, b - a, cols, out + a * cols * 4];
    runRows('softmax', plain, exportName('softmax', 'f32'), rows, cols, args);
    // every row computed, none left to the workers
    const got = Array.from(new Float32Array(plain.memory.buffer, out, rows * cols));
    expect(got).toEqual(Array.from(x.softmax({ data, shape: [rows, cols] }).data));
    await x.init({ threads: 1 });
  });

  const script = `const x = await import(${JSON.stringify(dist)});
await x.init({ threads: 2 });
const d = new Float32Array(300000).map((_, i) => Math.sin(i));
console.log(x.wasmThreads(), x.softmax({ data: d, shape: [300, 1000] }).data.length);`;

  it('run under node --input-type=module (code on stdin), and the process exits by itself', () => {
    const out = execFileSync(process.execPath, ['--input-type=module'], { input: script, timeout: 20_000 });
    expect(out.toString().trim()).toBe('2 300000');
  });

  it('a script that starts threads and returns exits by itself', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    expect(out.toString().trim()).toBe('2 300000');
  });
});

describe('inputs a service does not control', () => {
  it('typed arrays from another realm are accepted; a Proxy is refused with our TypeError', () => {
    const foreign = vm.runInNewContext('new Float64Array([1, 2, 3, 1, 1, 1])') as Float64Array;
    const local = Float64Array.from(foreign);
    expect(Array.from(x.softmax({ data: foreign, shape: [2, 3] }).data)).toEqual(
      Array.from(x.softmax({ data: local, shape: [2, 3] }).data),
    );
    const targets = vm.runInNewContext('new Int32Array([2, 0])') as Int32Array;
    expect(x.crossEntropy({ data: foreign, shape: [2, 3] }, targets)).toBe(
      x.crossEntropy({ data: local, shape: [2, 3] }, [2, 0]),
    );
    const out = vm.runInNewContext('new Float64Array(6)') as Float64Array;
    expect(x.softmax({ data: local, shape: [2, 3] }, { out }).data).toBe(out);
    expect(() => x.softmax({ data: new Proxy(local, {}), shape: [2, 3] })).toThrow(
      /^softmax: input\.data must be a Float32Array or Float64Array/,
    );
  });

  it('holes in number[] weight, posWeight and gradOutput are TypeErrors naming the argument and index', () => {
    const input = { data: new Float32Array(6), shape: [2, 3] };
    const target = { data: new Float32Array(6), shape: [2, 3] };
    const holey = [1, 1, 1];
    delete holey[1];
    const withHole = [1, 1, 1, 1, 1];
    withHole.length = 6;
    expect(() => x.crossEntropy(input, [0, 1], { weight: holey as number[] })).toThrow(
      /options\.weight\[1\] must be a number/,
    );
    expect(() => x.binaryCrossEntropyWithLogits(input, target, { posWeight: holey as number[] })).toThrow(
      /options\.posWeight\[1\] must be a number/,
    );
    expect(() => x.mseLossWithGrad(input, target, { reduction: 'none', gradOutput: withHole })).toThrow(
      /options\.gradOutput\[5\] must be a number/,
    );
  });

  it('a Tensor whose data disagrees with its shape is refused wherever it appears (gradOutput, weight)', () => {
    const input = { data: new Float32Array(6), shape: [2, 3] };
    const gradOutput = { data: new Float32Array(3), shape: [2] };
    expect(() => x.crossEntropyWithGrad(input, [0, 1], { reduction: 'none', gradOutput })).toThrow(
      /options\.gradOutput\.shape \[2\] holds 2 elements but its data has 3/,
    );
    const weight = { data: new Float32Array(2), shape: [3] };
    expect(() => x.binaryCrossEntropyWithLogits(input, input, { weight })).toThrow(
      /options\.weight\.shape \[3\] holds 3/,
    );
  });

  it('sizes no typed array can hold are our RangeError, before any allocation', () => {
    const before = x.wasmMemoryBytes();
    expect(() => x.logSumExp({ data: new Float32Array(0), shape: [1e6, 0, 1e6] }, { dim: 1 })).toThrow(
      /^logSumExp: the result would hold 1000000000000 values/,
    );
    expect(() => x.allocTensor(Float32Array, [2 ** 30 + 1])).toThrow(/^allocTensor: WebAssembly memory cannot hold/);
    expect(() => x.allocTensor(Float64Array, [2 ** 31])).toThrow(/^allocTensor: /);
    expect(x.wasmMemoryBytes()).toBe(before);
  });

  it('an array whose length is no count (from a Proxy, or sparse) is our error', () => {
    const logits = { data: new Float32Array(4), shape: [2, 2] };
    const lengthOf = (n: unknown) =>
      new Proxy([2, 2], { get: (t, k, r) => (k === 'length' ? n : Reflect.get(t, k, r)) }) as number[];
    for (const n of [Number.NaN, -1, 2.5]) {
      expect(() => x.softmax({ data: logits.data, shape: lengthOf(n) })).toThrow(/^softmax: input\.shape/);
      expect(() => x.crossEntropy({ data: logits.data, shape: lengthOf(n) }, [0, 1])).toThrow(/^crossEntropy: input/);
      expect(() => x.crossEntropy(logits, lengthOf(n))).toThrow(/^crossEntropy: class-index target must have shape/);
    }
    const sparse: number[] = [];
    sparse.length = 4e9;
    expect(() => x.crossEntropy(logits, sparse)).toThrow(/^crossEntropy: target has length 4000000000/);
    expect(() => x.crossEntropy(logits, { data: sparse, shape: [2] })).toThrow(
      /^crossEntropy: target\.data has length/,
    );
    expect(() => x.softmax({ data: logits.data, shape: sparse })).toThrow(/^softmax: input\.shape has length/);
    expect(() => x.crossEntropy(logits, lengthOf(1e9))).toThrow(/^crossEntropy: target has length 1000000000/);
  });
});

describe('PyTorch parity beyond the golden cases', () => {
  it('entropy of a 0-dim tensor is a RangeError, as Categorical refuses it', () => {
    expect(() => x.entropy({ data: Float64Array.of(0.5), shape: [] })).toThrow(
      /^entropy: input must have at least one dim/,
    );
  });

  it('a float32 mean whose float32 sum overflows is inf, as in PyTorch; float64 keeps it', () => {
    const big = { data: new Float32Array(4).fill(1e19), shape: [4] };
    const zero = { data: new Float32Array(4), shape: [4] };
    expect(x.mseLoss(big, zero)).toBe(Infinity);
    expect(
      x.mseLoss({ data: Float64Array.from(big.data), shape: [4] }, { data: new Float64Array(4), shape: [4] }),
    ).toBeCloseTo(Math.fround(1e19) ** 2, -30);
  });
});
