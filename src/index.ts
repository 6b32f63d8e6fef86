// xentropy: cross-entropy losses with torch.nn.functional semantics, in WebAssembly.
export type {
  CrossEntropyOptions, DimOptions, FloatArray, GradOptions, IndexArray, IndexTarget, InitOptions, LogSumExpOptions,
  LossWithGrad, ProbabilityTarget, Reduction, Tensor, WasmBuild,
} from './types.js';
export { init, wasmBuild } from './bindings/common/wasm.js';
export { logSumExp } from './bindings/log-sum-exp.js';
export { softmax } from './bindings/softmax.js';
export { logSoftmax } from './bindings/log-softmax.js';
export { crossEntropy, crossEntropyWithGrad } from './bindings/cross-entropy.js';
