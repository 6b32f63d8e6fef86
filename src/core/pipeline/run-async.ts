// A chunk program run asynchronously (linearScoreAsync): laid out now, in a block of WebAssembly memory of its own,
// then run by ./async-loop.ts, a module loaded on the first async call. The block is given back however it ends.
import { exportName, type KernelName, layoutOf } from '../kernel-abi.js';
import { poolOn } from '../threads.js';
import { describe } from '../validate.js';
import { liveTensorHolding } from '../wasm-tensor.js';
import { chunkAt, layOut } from './chunk-loop.js';
import { argsMaker, recordCalls } from './kernel-call.js';
import type { Program, Ran } from './program.js';
import { copyIn, copyOut, heapsOf } from './transfer.js';

/** The entry's functions the loop uses, in order (a list: names would add to the entry's download). */
const tools = [
  argsMaker,
  chunkAt,
  copyIn,
  copyOut,
  exportName,
  heapsOf,
  layoutOf,
  liveTensorHolding,
  poolOn,
  recordCalls,
  describe,
] as const;
export type AsyncTools = typeof tools;

let loop: Promise<typeof import('./async-loop.js')> | undefined;
/** The loop's module, imported once: an import() of a module already loaded may still wait for a task of the event
 * loop (in a page, behind the next frame), where a resolved promise is a microtask away. */
const loadLoop = () =>
  (loop ??= import('./async-loop.js').catch((error) => {
    loop = undefined; // a failed load is tried again by the next call
    throw error;
  }));

/**
 * Runs `program` asynchronously: its kernels on the worker pool alone, or on this thread between yields to the event
 * loop. Its arguments are read, and copied into WebAssembly memory, before this returns (allocTensor tensors are
 * read where they lie). `control` is the caller's options, whose `signal` and `onProgress` steer the run; progress
 * counts the elements of the `counted` kernel's calls.
 */
export function runProgramAsync(program: Program, control: object, counted: KernelName): Promise<Ran> {
  return Promise.resolve(
    layOut(program, [], true, (laid) =>
      loadLoop()
        .then(({ runLaid }) => runLaid(laid, control, counted, tools))
        .finally(() => laid[1].release(laid[8], laid[9])),
    ),
  );
}
