// The one pipeline, in stages: residency, arrange, transfer and the chunk loop, running chunk programs.
export { chunkUnits, DEFAULT_CHUNK_BYTES, MAX_SCRATCH_BYTES, setChunkBytes, setCopyOutBytes } from './arrange.js';
export { freshResult, repeated, runProgram } from './chunk-loop.js';
export { callKernel, type KernelArgs, type Pointer } from './kernel-call.js';
export type { Chunk, Program, Ran, Slot, Values } from './program.js';
export { type Operand, type Output, type Per, type Plan, run } from './row-kernel.js';
