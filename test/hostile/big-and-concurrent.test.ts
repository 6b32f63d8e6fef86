// Inputs that make WebAssembly memory grow to hundreds of MB, memory that stays flat across calls, and
// callers that interleave or run in several module instances at once.
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { allocTensor, crossEntropyWithGrad, init, softmax, wasmMemoryBytes } from '../../src/index.js';

beforeAll(() => init());

describe('big inputs', () => {
  it('crossEntropyWithGrad over 384 MB of plain float32 logits: chunked, right, and memory bounded', () => {
    const rows = 24_000;
    const classes = 4_000; // 96M elements, 384 MB
    const data = new Float32Array(rows * classes);
    for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 1000) / 250 - 2;
    const targets = Int32Array.from({ length: rows }, (_, r) => (r * 7) % classes);
    const { loss, grad } = crossEntropyWithGrad({ data, shape: [rows, classes] }, targets, { reduction: 'sum' });
    // the same rows, a few at a time: the big call must agree with small ones
    let sum = 0;
    for (let r = 0; r < rows; r += 4_000) {
      const part = crossEntropyWithGrad(
        { data: data.subarray(r * classes, (r + 4_000) * classes), shape: [4_000, classes] },
        targets.subarray(r, r + 4_000),
        { reduction: 'sum' },
      );
      sum += part.loss;
      if (r === 8_000)
        expect(Array.from(part.grad.data.subarray(0, 50))).toEqual(
          Array.from(grad.data.subarray(r * classes, r * classes + 50)),
        );
    }
    expect(Math.abs(loss - sum) / sum).toBeLessThan(1e-6);
    // copied through in chunks of about 1 MiB: WebAssembly memory stays small
    expect(wasmMemoryBytes()).toBeLessThan(16 * 2 ** 20);
  }, 120_000);

  it('a 512 MB tensor in WebAssembly memory (allocTensor): memory grows, the call is right, free returns it', () => {
    const rows = 32_000;
    const classes = 4_000; // 128M float32 elements
    const logits = allocTensor(Float32Array, [rows, classes]);
    const data = logits.data;
    for (let r = 0; r < rows; r += 1000) data[r * classes + (r % classes)] = 5;
    expect(wasmMemoryBytes()).toBeGreaterThan(512 * 10 ** 6);
    const targets = Int32Array.from({ length: rows }, (_, r) => r % classes);
    const loss = crossEntropyWithGrad(logits, targets, { reduction: 'none' }).loss.data;
    // row 0 holds a 5 at its target: log(e^5 + 3999) − 5; row 1 is all zeros: log 4000
    expect(loss[0]).toBeCloseTo(Math.log(Math.exp(5) + 3999) - 5, 4);
    expect(loss[1]).toBeCloseTo(Math.log(4000), 4);
    logits.free();
  }, 120_000);

  it('memory stays flat over many calls of mixed shapes', () => {
    const shapes = [
      [8, 10],
      [64, 1000],
      [3, 7, 5],
      [1, 32000],
    ];
    const run = () => {
      for (const shape of shapes) {
        const n = shape.reduce((a, b) => a * b, 1);
        const input = { data: new Float32Array(n).fill(0.5), shape };
        const indexShape = shape.filter((_, d) => d !== 1);
        const target = { data: new Int32Array(indexShape.reduce((a, b) => a * b, 1)), shape: indexShape };
        crossEntropyWithGrad(input, target);
      }
    };
    run();
    const after = wasmMemoryBytes();
    for (let i = 0; i < 200; i++) run();
    expect(wasmMemoryBytes()).toBe(after);
  });
});

describe('concurrent callers', () => {
  it('interleaved async callers each get their own, correct result', async () => {
    const problems = Array.from({ length: 20 }, (_, k) => ({
      input: { data: Float64Array.from({ length: 30 }, (_, i) => Math.sin(i * (k + 1))), shape: [3, 10] },
      target: [k % 10, (k + 3) % 10, (k + 7) % 10],
    }));
    const expected = problems.map((p) => crossEntropyWithGrad(p.input, p.target).loss);
    const results = await Promise.all(
      problems.map(async (p, k) => {
        await new Promise((resolve) => setTimeout(resolve, (k * 7) % 5));
        const first = softmax(p.input).data[0];
        await Promise.resolve();
        return { loss: crossEntropyWithGrad(p.input, p.target).loss, first };
      }),
    );
    results.forEach((r, k) => {
      expect(r.loss).toBe(expected[k]);
      expect(r.first).toBe(softmax(problems[k].input).data[0]);
    });
  });

  it('several module instances (worker threads, each with its own WebAssembly) agree with this one', async () => {
    const script = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.url).then(async (x) => {
        await x.init({ simd: workerData.simd });
        const input = { data: Float32Array.from(workerData.data), shape: [4, 25] };
        const results = [];
        for (let i = 0; i < 50; i++) {
          results.push(x.crossEntropyWithGrad(input, [1, 5, 9, 24], { labelSmoothing: 0.1 }).loss);
        }
        parentPort.postMessage({ build: x.wasmBuild(), results });
      });`;
    const data = Array.from({ length: 100 }, (_, i) => Math.cos(i));
    const url = new URL('../../dist/index.js', import.meta.url).href;
    const expected = crossEntropyWithGrad({ data: Float32Array.from(data), shape: [4, 25] }, [1, 5, 9, 24], {
      labelSmoothing: 0.1,
    }).loss;
    const workers = [true, false, true].map(
      (simd) =>
        new Promise<{ build: string; results: number[] }>((resolve, reject) => {
          const worker = new Worker(script, { eval: true, workerData: { url, simd, data } });
          worker.once('message', (m) => {
            resolve(m);
            void worker.terminate();
          });
          worker.once('error', reject);
        }),
    );
    const answers = await Promise.all(workers);
    expect(answers.map((a) => a.build)).toEqual(['simd', 'scalar', 'simd']);
    for (const { results } of answers) for (const r of results) expect(Math.abs(r - expected)).toBeLessThan(1e-6);
  });
});
