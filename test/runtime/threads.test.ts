// init({ threads }): worker threads share the rows of big calls, with results identical to one thread.
import { afterAll, describe, expect, it } from 'vitest';
import { setStartLimit } from '../../src/core/thread-start.js';
import {
  crossEntropyWithGrad,
  ctcLossWithGrad,
  distillKlDivWithGrad,
  init,
  jsdWithGrad,
  logSoftmax,
  logSumExp,
  softmax,
  topK,
  wasmBuild,
  wasmThreads,
} from '../../src/index.js';

afterAll(() => init({ threads: 1 }));
const numbers = (loss: number | { data: ArrayLike<number> }) =>
  typeof loss === 'number' ? [loss] : Array.from(loss.data);

describe('threads', () => {
  it('2 and 3 threads give exactly the one-thread results (class indices, probabilities, K-dim, dims)', async () => {
    await init({ threads: 1 });
    const rows = 3000;
    const classes = 97; // rows × classes above the threshold for waking workers
    const data = Float32Array.from({ length: rows * classes }, (_, i) => Math.sin(i * 0.37) * 4);
    const input = { data, shape: [rows, classes] };
    const targets = Int32Array.from({ length: rows }, (_, r) => (r % 11 === 0 ? -100 : (r * 7) % classes));
    const probs = softmax({ data: Float32Array.from(data, (v) => -v), shape: [rows, classes] });
    const kdim = { data: data.subarray(0, 100 * 97 * 7), shape: [100, 97, 7] };
    const kTargets = { data: Int32Array.from({ length: 700 }, (_, i) => i % 97), shape: [100, 7] };
    const run = () => ({
      ce: crossEntropyWithGrad(input, targets, {
        labelSmoothing: 0.1,
        weight: Float32Array.from({ length: classes }, (_, c) => 1 + (c % 3)),
      }),
      none: crossEntropyWithGrad(input, targets, { reduction: 'none' }),
      prob: crossEntropyWithGrad(input, probs, { reduction: 'sum' }),
      kdim: crossEntropyWithGrad(kdim, kTargets),
      softmax: softmax(input).data,
      logSoftmax: logSoftmax(kdim, { dim: 1 }).data,
      logSumExp: logSumExp(input).data,
    });
    await init({ threads: 1 });
    const one = run();
    const build = wasmBuild(); // threads run the same build on shared memory: relaxed SIMD where the engine has it
    for (const threads of [2, 3]) {
      await init({ threads });
      expect(wasmThreads()).toBe(threads);
      expect(wasmBuild()).toBe(build);
      const many = run();
      for (const key of ['ce', 'none', 'prob', 'kdim'] as const) {
        const [a, b] = [many[key], one[key]];
        expect(typeof a.loss === 'number' ? a.loss : Array.from(a.loss.data), key).toEqual(
          typeof b.loss === 'number' ? b.loss : Array.from(b.loss.data),
        );
        expect(Array.from(a.grad.data), key).toEqual(Array.from(b.grad.data));
      }
      for (const key of ['softmax', 'logSoftmax', 'logSumExp'] as const)
        expect(Array.from(many[key]), key).toEqual(Array.from(one[key]));
    }
    await init({ threads: 1 });
    expect(wasmThreads()).toBe(1);
  }, 60_000);

  it('short rows: 2 and 3 threads, each with a block of its own for rows side by side, match one thread', async () => {
    const run = (classes: number) => {
      const rows = 20_011; // above the threshold for waking workers, and not a multiple of a group
      const data = Float32Array.from({ length: rows * classes }, (_, i) => Math.sin(i * 0.37) * 4 + Math.cos(i * 0.01));
      const input = { data, shape: [rows, classes] };
      const targets = Int32Array.from({ length: rows }, (_, r) => (r * 7) % classes);
      const ce = crossEntropyWithGrad(input, targets, { reduction: 'none' });
      return [softmax(input), logSoftmax(input), logSumExp(input, { dim: -1 }), ce.loss, ce.grad].map((t) =>
        Array.from(t.data),
      );
    };
    for (const classes of [3, 10, 31]) {
      await init({ threads: 1 });
      const one = run(classes);
      for (const threads of [2, 3]) {
        await init({ threads });
        expect(wasmThreads()).toBe(threads);
        expect(run(classes), `${classes} classes, ${threads} threads`).toEqual(one);
      }
    }
    await init({ threads: 1 });
  }, 60_000);

  it('CTC: 2 and 3 threads share the sequences and give exactly the one-thread loss and gradient', async () => {
    // 7 sequences of 300 frames and 20 labels: 7 · 300 · 41 lattice positions, above the threshold for workers
    const [T, N, C, S] = [300, 7, 40, 20];
    const data = Float64Array.from({ length: T * N * C }, (_, i) => Math.cos(i * 0.71) * 3);
    const logProbs = logSoftmax({ data, shape: [T, N, C] });
    const targets = { data: Int32Array.from({ length: N * S }, (_, i) => 1 + ((i * 13) % (C - 1))), shape: [N, S] };
    const lengths = { inputs: [300, 299, 150, 41, 300, 19, 1], targets: [20, 20, 19, 20, 0, 20, 1] };
    const run = () =>
      ctcLossWithGrad(logProbs, targets, lengths.inputs, lengths.targets, { reduction: 'none', zeroInfinity: true });
    await init({ threads: 1 });
    const one = run();
    for (const threads of [2, 3]) {
      await init({ threads });
      const many = run();
      expect(Array.from(many.loss.data)).toEqual(Array.from(one.loss.data));
      expect(Array.from(many.grad.data)).toEqual(Array.from(one.grad.data));
    }
    expect(one.loss.data[5]).toBe(0); // 20 labels cannot fit 19 frames: zeroInfinity makes it 0
    await init({ threads: 1 });
  }, 60_000);

  it('distillation: 2 and 3 threads share the rows and give exactly the one-thread loss and gradient', async () => {
    // 600 rows of 1000: above the threshold for workers; a dense teacher (its two scratch rows per row) and a top k
    const [rows, V, k] = [600, 1000, 20];
    const student = {
      data: Float32Array.from({ length: rows * V }, (_, i) => Math.sin(i * 0.37) * 4),
      shape: [rows, V],
    };
    const teacher = {
      data: Float32Array.from({ length: rows * V }, (_, i) => Math.cos(i * 0.53) * 4),
      shape: [rows, V],
    };
    const top = topK(teacher, k);
    const labels = Int32Array.from({ length: rows }, (_, r) => (r % 7 === 3 ? -100 : r % V));
    const run = () => [
      jsdWithGrad(student, teacher, { beta: 0.3, temperature: 1.5, labels, reduction: 'none' }),
      distillKlDivWithGrad(student, top, { tail: 'bucket', direction: 'reverse', labels }),
    ];
    await init({ threads: 1 });
    const one = run();
    for (const threads of [2, 3]) {
      await init({ threads });
      run().forEach((many, i) => {
        expect(numbers(many.loss)).toEqual(numbers(one[i].loss));
        expect(Array.from(many.grad.data)).toEqual(Array.from(one[i].grad.data));
      });
    }
    await init({ threads: 1 });
  }, 60_000);

  it('threads with the scalar build fall back to one thread, and say so', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      await init({ simd: false, threads: 2 });
    } finally {
      console.warn = warn;
    }
    expect(wasmThreads()).toBe(1);
    expect(wasmBuild()).toBe('scalar');
    expect(warnings.join()).toMatch(/runs on one thread here: threads need the SIMD build/);
    await expect(init({ threads: 0 })).rejects.toThrow(RangeError);
    await expect(init({ threads: 1.5 })).rejects.toThrow(TypeError);
    await init({ simd: true, relaxedSimd: false, threads: 1 });
  });

  it('workers that do not start in time: init falls back to one thread and says why', async () => {
    await init({ threads: 1 });
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    const limit = setStartLimit(1); // no worker answers within 1 ms: it must instantiate its module first
    try {
      await init({ threads: 3 });
    } finally {
      setStartLimit(limit);
      console.warn = warn;
    }
    expect(wasmThreads()).toBe(1);
    expect(warnings.join()).toMatch(
      /init\(\{ threads: 3 \}\) runs on one thread here: a worker thread did not start within 0.001 s/,
    );
    const x = { data: Float32Array.from({ length: 4000 * 100 }, (_, i) => Math.sin(i)), shape: [4000, 100] };
    const one = logSumExp(x).data;
    await init({ threads: 2 }); // the next init starts them as usual
    expect(wasmThreads()).toBe(2);
    expect(Array.from(logSumExp(x).data)).toEqual(Array.from(one));
    await init({ threads: 1 });
  });

  it('warnings: false silences the fallback notice too', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      await init({ simd: false, threads: 2, warnings: false });
    } finally {
      console.warn = warn;
      await init({ simd: true, relaxedSimd: false, threads: 1, warnings: true });
    }
    expect(warnings).toEqual([]);
  });

  it('an init that asks for a build sets the whole configuration: threads left out is 1', async () => {
    await init({ threads: 2 });
    expect(wasmThreads()).toBe(2);
    await init({ warnings: true }); // no build asked: the workers stay
    expect(wasmThreads()).toBe(2);
    await init({ simd: true });
    expect(wasmThreads()).toBe(1);
  });
});
