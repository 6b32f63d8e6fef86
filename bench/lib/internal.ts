// The library with its raw kernels and the pipeline's chunk size, for the benchmarks' studies only (bundled into
// build/internal/ by npm run build).

export { cutAtHead } from '../../src/adapters/onnxruntime.js';
export { setDirectCalls } from '../../src/core/direct.js';
export { wasm } from '../../src/core/instance.js';
export { setChunkBytes, setCopyOutBytes } from '../../src/core/pipeline/index.js';
export { setTileColumns } from '../../src/families/linear-scoring.js';
export * from '../../src/index.js';
