// Types of bench/make-onnx-models.mjs, for test/bench-models.test.ts.
export function softmaxCrossEntropyModel(classes: number): Uint8Array;
export function softmaxModel(classes: number): Uint8Array;
export function matMulModel(k: number, n: number): Uint8Array;
export const MODELS: Record<string, () => Uint8Array>;
export function loadModel(name: string, make: () => Uint8Array): Uint8Array;
