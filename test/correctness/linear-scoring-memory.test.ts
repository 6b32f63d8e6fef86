// Scoring from hidden states at Qwen2.5-0.5B's head (d 896, V 151,936) for T 2048 positions, every output: the
// WebAssembly memory the call takes beyond its inputs stays within 32 MB, where the logits alone are 1.24 GB.
import { afterAll, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import { init, linearScore, release, wasmMemoryBytes } from '../../src/index.js';

afterAll(() => init());

it('T 2048, d 896, V 151,936, every output: ≤ 32 MB of WebAssembly memory beyond the head', async () => {
  const [T, d, V] = [2048, 896, 151_936];
  const r = makeRandom(9);
  const hidden = { data: new Float32Array(T * d).map(() => r.next() - 0.5), shape: [T, d] };
  const head = { data: new Float32Array(V * d).map(() => (r.next() - 0.5) / 16), shape: [V, d] };
  const target = Int32Array.from({ length: T }, () => Math.floor(r.next() * V));
  await release();
  await init({ threads: 2 });
  const before = wasmMemoryBytes();
  const scores = linearScore(hidden, head, { target, k: 10 });
  const beyond = wasmMemoryBytes() - before - head.data.byteLength;
  expect(scores.tokenLogProbs?.data.length).toBe(T);
  expect(scores.topK?.indices.data.length).toBe(T * 10);
  console.log(
    `beyond the head: ${(beyond / 2 ** 20).toFixed(1)} MB (the logits: ${((4 * T * V) / 2 ** 20).toFixed(0)} MB)`,
  );
  expect(beyond).toBeLessThanOrEqual(32 * 2 ** 20);
}, 300_000);
