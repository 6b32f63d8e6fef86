/** How far the demo model's log-probabilities may stray from onnxruntime-node's: float32 rounding through 4
 * transformer blocks, onnxruntime-web's wasm kernels against the native ones (measured in Node: at most
 * 7.2e-7 · (|x| + 1), 2.6e-6 absolute). */
export const LOG_PROB_BOUND = (e: number) => 5e-6 * (Math.abs(e) + 1);
