// release(): WebAssembly memory back after a large call, on one thread and with threads, and what becomes of
// the allocTensor tensors that lived in the old memory.
import { afterAll, describe, expect, it } from 'vitest';
import {
  allocTensor,
  crossEntropy,
  init,
  linearCrossEntropyWithGrad,
  release,
  wasmBuild,
  wasmMemoryBytes,
  wasmThreads,
} from '../../src/index.js';

afterAll(() => init({ threads: 1 }));

const input = { data: Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), shape: [4, 3] };
const targets = [0, 2, 1, 1];

/** A call that grows memory by tens of MiB: the issue's [256, 256] × [32000, 256] at a quarter of the vocabulary. */
function bigCall(): void {
  const hidden = { data: Float32Array.from({ length: 256 * 256 }, (_, i) => Math.sin(i) / 16), shape: [256, 256] };
  const weight = { data: Float32Array.from({ length: 8000 * 256 }, (_, i) => Math.cos(i) / 16), shape: [8000, 256] };
  linearCrossEntropyWithGrad(
    hidden,
    weight,
    Int32Array.from({ length: 256 }, (_, i) => i * 7),
  );
}

describe('release', () => {
  it('does nothing before init', async () => {
    await release();
    expect(wasmBuild()).toBeUndefined();
    expect(wasmMemoryBytes()).toBe(0);
  });

  it('gives memory back to its value after init, and calls give the same bits afterwards', async () => {
    await init({ threads: 1 });
    const build = wasmBuild();
    await release();
    const start = wasmMemoryBytes();
    const before = crossEntropy(input, targets);
    bigCall();
    expect(wasmMemoryBytes()).toBeGreaterThan(start + 32 * 2 ** 20);
    await release();
    expect(wasmMemoryBytes()).toBe(start);
    expect(wasmBuild()).toBe(build);
    expect(crossEntropy(input, targets)).toBe(before);
  });

  it('keeps the build and the threads that were active', async () => {
    await init({ simd: false });
    await release();
    expect(wasmBuild()).toBe('scalar');
    await init({ threads: 2 });
    const start = wasmMemoryBytes();
    const before = crossEntropy(input, targets);
    bigCall();
    expect(wasmMemoryBytes()).toBeGreaterThan(start);
    await release();
    expect(wasmThreads()).toBe(2);
    expect(wasmBuild()).toBe('simd');
    expect(wasmMemoryBytes()).toBe(start);
    expect(crossEntropy(input, targets)).toBe(before);
    await init({ threads: 1 });
  }, 60_000);

  it('leaves allocTensor tensors freed: freed is true, data throws, passing one is refused', async () => {
    await init();
    const tensor = allocTensor(Float32Array, [4, 3]);
    tensor.data.set(input.data);
    expect(crossEntropy(tensor, targets)).toBe(crossEntropy(input, targets));
    await release();
    expect(tensor.freed).toBe(true);
    expect(() => tensor.data).toThrow(/data was read after release\(\)/);
    expect(() => crossEntropy(tensor, targets)).toThrow(TypeError);
    expect(() => crossEntropy(tensor, targets)).toThrow(/crossEntropy: input is a WasmTensor that was freed/);
    tensor.free();
    expect(tensor.freed).toBe(true);
    const fresh = allocTensor(Float32Array, [4, 3]);
    fresh.data.set(input.data);
    expect(crossEntropy(fresh, targets)).toBe(crossEntropy(input, targets));
    fresh.free();
  });

  it('is queued with init: concurrent calls settle in order, and the last request is what runs', async () => {
    await init();
    const order: string[] = [];
    await Promise.all([
      release().then(() => order.push('release')),
      init({ simd: false }).then(() => order.push('init')),
      release().then(() => order.push('release again')),
    ]);
    expect(order).toEqual(['release', 'init', 'release again']);
    expect(wasmBuild()).toBe('scalar');
    await init({ simd: true });
  });
});
