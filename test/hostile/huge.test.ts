// Blocks over 1 GiB (the limit of the runtime's allocator): allocTensor, one long row with its copies, a
// float64 row with its gradient, a dim swap of a 512 MB tensor; and views of freed tensors. Run on their own
// file: they leave WebAssembly memory at a few GiB for the rest of the file.
import { beforeAll, describe, expect, it } from 'vitest';
import * as x from '../../src/index.js';

beforeAll(() => x.init({ simd: true, relaxedSimd: false, threads: 1 }));
const GiB = 2 ** 30;

describe('over 1 GiB in one block', () => {
  it('allocTensor of 1 GiB and more: usable, and its memory reused once freed', () => {
    const n = GiB / 4 + 1024;
    const t = x.allocTensor(Float32Array, [n]);
    t.data[0] = 1;
    t.data[n - 1] = 2;
    expect([t.data[0], t.data[n - 1], t.data[n / 2]]).toEqual([1, 2, 0]);
    t.free();
    const held = x.wasmMemoryBytes();
    const again = x.allocTensor(Float32Array, [n - 16]);
    expect(x.wasmMemoryBytes()).toBe(held);
    expect(again.data[n - 17]).toBe(0); // zero-filled, though the block was used before
    again.free();
  });

  it('a softmax row of 1 GiB (plain arrays: the call copies it in and out)', () => {
    const n = GiB / 4 + 64;
    const data = new Float32Array(n);
    data[0] = Math.log(2);
    const { data: p } = x.softmax({ data, shape: [1, n] });
    expect(p[0]).toBeCloseTo(2 / (n + 1), 12);
    expect(p[n - 1]).toBeCloseTo(1 / (n + 1), 12);
  });

  it('a float64 row of 512 MB with its gradient', () => {
    const classes = 2 ** 26 + 8;
    const logits = { data: new Float64Array(classes), shape: [1, classes] };
    const { loss, grad } = x.crossEntropyWithGrad(logits, [5]);
    expect(loss).toBeCloseTo(Math.log(classes), 10);
    expect(grad.data[5]).toBeCloseTo(1 / classes - 1, 12);
    expect(grad.data[classes - 1]).toBeCloseTo(1 / classes, 15);
  });

  it('logSumExp along dim 0 of a 512 MB tensor (the dim is swapped to the end in one block)', () => {
    const rows = 2 ** 26;
    const lse = x.logSumExp({ data: new Float32Array(rows * 2), shape: [rows, 2] }, { dim: 0 });
    expect(Array.from(lse.data, (v) => v.toFixed(4))).toEqual(Array(2).fill((26 * Math.LN2).toFixed(4)));
  });
});

describe('views of freed tensors', () => {
  it('are refused as input, target or out, with the argument named', () => {
    const t = x.allocTensor(Float32Array, [2, 3]);
    const keep = x.allocTensor(Float32Array, [2, 3]);
    const stale = t.data;
    t.free();
    const plain = { data: new Float32Array(6), shape: [2, 3] };
    expect(() => x.softmax({ data: stale, shape: [2, 3] })).toThrow(
      /^softmax: input\.data is a view of WebAssembly memory/,
    );
    expect(() => x.mseLoss(plain, { data: stale, shape: [2, 3] })).toThrow(/^mseLoss: target is a view of WebAssembly/);
    expect(() => x.softmax(plain, { out: stale })).toThrow(/^softmax: options\.out is a view of WebAssembly memory/);
    expect(x.softmax(keep, { out: keep.data }).data).toHaveLength(6); // a live tensor is fine
    keep.free();
  });
});

describe('the allocator and big blocks', () => {
  it('a block over 1 GiB taken first, on a fresh instance, is never handed out again while it lives', async () => {
    // (the runtime's allocator takes every page the memory has when it sets itself up: before the fix, a big block
    // taken before it had, later small tensors and the calls' scratch, was written over)
    await x.release();
    const n = GiB / 4 + 1024;
    const big = x.allocTensor(Float32Array, [n]);
    big.data.fill(7);
    for (let i = 1; i <= 8; i++) x.softmax({ data: new Float32Array(5000 * i), shape: [1, 5000 * i] });
    const small = x.allocTensor(Float32Array, [100_000]);
    small.data.fill(3);
    const [start, end] = [big.data.byteOffset, big.data.byteOffset + big.data.byteLength];
    expect(small.data.byteOffset + small.data.byteLength <= start || small.data.byteOffset >= end).toBe(true);
    let changed = 0;
    for (let i = 0; i < n; i += 97) if (big.data[i] !== 7) changed++;
    expect(changed).toBe(0);
    small.free();
    big.free();
  });
});
