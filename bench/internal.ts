// The library with its raw kernels, for bench/passes.mjs only (bundled into build/internal/ by npm run build).

export { wasm } from '../src/core/runtime.js';
export * from '../src/index.js';
