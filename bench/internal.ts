// The library with its raw kernels and the pipeline's chunk size, for the benchmarks' studies only (bundled into
// build/internal/ by npm run build).

export { setChunkBytes } from '../src/core/pipeline/index.js';
export { wasm } from '../src/core/runtime.js';
export * from '../src/index.js';
