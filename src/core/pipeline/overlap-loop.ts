// The synchronous chunk loop of a call shared with the workers. Only the calling thread can read the caller's
// arrays, so it copies chunk k + 1 in and chunk k − 1 out while the workers start on chunk k, then joins them: every
// thread takes blocks of chunk k's rows until none are left. Each copied unit slot has two places in the scratch
// (arrange.ts), and the chunks alternate between them. Rows are independent and the reduced outputs are summed in row
// order on the way out, so the results are one thread's, bit for bit.
// Part of the pool's code, loaded with it (thread-start.ts): it imports nothing of the entry's at run time.
import { finishOnPool, shareRows, takeRows } from '../thread-dispatch.js';
import type { Pool, PoolLayout } from '../threads.js';
import type { Arranged } from './arrange.js';
import type { ChunkTools, Laid } from './chunk-loop.js';
import type { Ran } from './program.js';

let sharedChunks = 0;
/** How many chunks have run on every thread beside their copies (for the tests). */
export const sharedChunkCount = (): number => sharedChunks;

/** Each slot's place for the odd chunks. */
const spares = (arranged: readonly Arranged[]): Arranged[] =>
  arranged.map((a) => (a.spareAt === undefined ? a : { copyAt: a.spareAt }));

/**
 * Runs a laid-out program's chunks. A step that makes one call of a split kernel runs on every thread beside the
 * copies; any other step runs as it would on one thread (its split kernels shared as usual), after the copies.
 * @throws as runOnPool, once the workers are done with the chunk.
 */
export function runOverlapped(pool: Pool, layout: PoolLayout, laid: Laid, tools: ChunkTools): Ran {
  const [program, kernels, arranged, unitsPerChunk, arrays, , sums] = laid;
  const [chunkAt, copyIn, copyOut, heapsOf, recordCalls, poolTaskOf, finish] = tools;
  const { caller, slots, units } = program;
  const places = [arranged, spares(arranged)];
  const heap = heapsOf(kernels.memory.buffer);
  const count = Math.ceil(units / unitsPerChunk);
  const start = (k: number) => k * unitsPerChunk;
  const size = (k: number) => Math.min(unitsPerChunk, units - k * unitsPerChunk);
  const exports = kernels as unknown as Parameters<typeof takeRows>[0];
  copyIn(heap, slots, places[0], arrays, 0, size(0));
  let sum = 0;
  for (let k = 0; k < count; k++) {
    const chunk = chunkAt(slots, places[k & 1], start(k), size(k));
    const calls = recordCalls(() => program.step(chunk));
    const task = calls.length === 1 ? poolTaskOf(caller, calls[0]) : undefined;
    if (task) {
      shareRows(pool, layout, task);
      sharedChunks++;
    }
    if (k > 0) copyOut(heap, slots, places[(k - 1) & 1], arrays, sums, start(k - 1), size(k - 1));
    if (k + 1 < count) copyIn(heap, slots, places[(k + 1) & 1], arrays, start(k + 1), size(k + 1));
    if (!task) {
      sum += program.step(chunk) ?? 0;
      continue;
    }
    let ownError: unknown;
    try {
      takeRows(exports, layout.names, pool.shared, pool.flags);
    } catch (error) {
      ownError = error;
    }
    finishOnPool(pool, layout, caller, ownError);
  }
  copyOut(heap, slots, places[(count - 1) & 1], arrays, sums, start(count - 1), size(count - 1));
  return finish(laid, heap, sum);
}
