// Threads on plain arrays: the calling thread copies chunk k + 1 in and chunk k − 1 out while the workers start on
// chunk k, then every thread takes blocks of chunk k's rows (src/core/pipeline/overlap-loop.ts). The results must
// be one thread's, bit for bit, whatever the chunks and the blocks each thread happened to take.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { wasm } from '../../src/core/instance.js';
import { exportName } from '../../src/core/kernel-abi.js';
import { setChunkBytes } from '../../src/core/pipeline/index.js';
import { sharedChunkCount } from '../../src/core/pipeline/overlap-loop.js';
import { finishOnPool, shareRows, takeRows } from '../../src/core/thread-dispatch.js';
import { type Pool, poolLayout, setPool, takePool } from '../../src/core/threads.js';
import * as x from '../../src/index.js';

afterAll(() => x.init({ threads: 1 }));
const chunkBytes = setChunkBytes(8 * 1024); // chunks of 64 KB on two threads: dozens per call
afterAll(() => setChunkBytes(chunkBytes));

const [rows, classes] = [3001, 97]; // neither a multiple of the vector width nor of any chunk
const values = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

/** Every call the overlapped loop serves, and some it runs step by step, on copies of the same arrays. */
function calls(Float: Float32ArrayConstructor | Float64ArrayConstructor) {
  const data = Float.from(values(rows * classes, (i) => Math.sin(i * 0.37) * 4 + (i % 89 === 0 ? 60 : 0)));
  const input = { data, shape: [rows, classes] };
  const targets = Int32Array.from(values(rows, (r) => (r % 11 === 0 ? -100 : (r * 7) % classes)));
  const probs = x.softmax({ data: data.map((v) => -v), shape: [rows, classes] });
  const weight = Float.from(values(classes, (c) => 1 + (c % 3)));
  const kdim = { data: data.subarray(0, 300 * classes * 7), shape: [300, classes, 7] };
  const kTargets = { data: Int32Array.from(values(2100, (i) => i % classes)), shape: [300, 7] };
  const bits = (y: number | { data: ArrayLike<number> }) => (typeof y === 'number' ? [y] : Array.from(y.data));
  const withGrad = (r: { loss: number | { data: ArrayLike<number> }; grad: { data: ArrayLike<number> } }) => [
    ...bits(r.loss),
    ...bits(r.grad),
  ];
  const before = Array.from(data);
  return {
    mean: () => withGrad(x.crossEntropyWithGrad(input, targets)),
    sum: () => withGrad(x.crossEntropyWithGrad(input, targets, { reduction: 'sum', weight, labelSmoothing: 0.1 })),
    none: () => withGrad(x.crossEntropyWithGrad(input, targets, { reduction: 'none' })),
    probabilities: () => withGrad(x.crossEntropyWithGrad(input, probs)),
    out: () => withGrad(x.crossEntropyWithGrad(input, targets, { out: new Float(rows * classes) })),
    inPlace: () => {
      const copy = { data: data.slice(), shape: [rows, classes] };
      return withGrad(x.crossEntropyWithGrad(copy, targets, { out: copy.data }));
    },
    softmax: () => bits(x.softmax(input)),
    logSoftmax: () => bits(x.logSoftmax(input)),
    logSumExp: () => bits(x.logSumExp(input)),
    kdim: () => withGrad(x.crossEntropyWithGrad(kdim, kTargets)),
    unchanged: () => [Array.from(data).every((v, i) => Object.is(v, before[i])) ? 1 : 0],
  };
}

describe('threads on plain arrays, copies beside the kernels', () => {
  for (const Float of [Float32Array, Float64Array]) {
    it(`${Float.name}: 2 and 3 threads give one thread's bits, in dozens of shared chunks`, async () => {
      await x.init({ threads: 1 });
      const run = calls(Float);
      const each = () => Object.fromEntries(Object.entries(run).map(([name, call]) => [name, call()]));
      const one = each();
      for (const threads of [2, 3]) {
        await x.init({ threads });
        expect(x.wasmThreads()).toBe(threads);
        const shared = sharedChunkCount();
        const many = each();
        // 3001 rows in chunks of at most 64 KB × threads: ≥ 14 chunks per gradient call, seven such calls
        expect(sharedChunkCount() - shared).toBeGreaterThan(60);
        for (const name of Object.keys(one)) expect(many[name], `${name}, ${threads} threads`).toEqual(one[name]);
      }
      expect(one.unchanged).toEqual([1]);
    }, 60_000);
  }
});

describe('a shared task', () => {
  afterEach(() => x.init({ threads: 1 }));
  const thePool = (): Pool => {
    const pool = takePool() as Pool;
    setPool(pool);
    return pool;
  };

  it('every row is taken once, by blocks, whatever thread takes it', async () => {
    await x.init({ threads: 3 });
    const kernels = wasm('test');
    const [n, cols] = [1237, 64];
    const at = kernels.scratch(2 * n * cols * 4);
    const data = Float32Array.from(values(n * cols, (i) => Math.cos(i)));
    new Float32Array(kernels.memory.buffer, at, n * cols).set(data);
    const out = at + n * cols * 4;
    const args = (a: number, b: number) => [at + a * cols * 4, b - a, cols, out + a * cols * 4];
    const pool = thePool();
    shareRows(pool, poolLayout(), ['softmax', kernels, exportName('softmax', 'f32'), n, args, 1]);
    takeRows(kernels as never, poolLayout().names, pool.shared, pool.flags);
    finishOnPool(pool, poolLayout(), 'softmax');
    const got = Array.from(new Float32Array(kernels.memory.buffer, out, n * cols));
    expect(got).toEqual(Array.from(x.softmax({ data, shape: [n, cols] }).data));
  });

  it('a trap in a block is an Error once every thread is done, and the pool goes on working', async () => {
    await x.init({ threads: 2 });
    const kernels = wasm('test');
    const [n, cols] = [2000, 100];
    const at = kernels.scratch(n * cols * 4);
    // each row 4 MiB further on: the blocks that start past the end of memory trap, whoever takes them
    const args = (a: number, b: number) => [at + a * 2 ** 22, b - a, cols, at + a * 2 ** 22];
    const pool = thePool();
    const layout = poolLayout();
    shareRows(pool, layout, ['softmax', kernels, exportName('softmax', 'f32'), n, args, 1]);
    let own: unknown;
    try {
      takeRows(kernels as never, layout.names, pool.shared, pool.flags);
    } catch (error) {
      own = error;
    }
    expect(() => finishOnPool(pool, layout, 'softmax', own)).toThrow(Error);
    const data = Float32Array.from(values(n * cols, (i) => Math.sin(i)));
    const threaded = x.softmax({ data, shape: [n, cols] }).data;
    await x.init({ threads: 1 });
    expect(Array.from(threaded)).toEqual(Array.from(x.softmax({ data, shape: [n, cols] }).data));
  });
});
