export function naiveCrossEntropyWithGrad(
  logits: Float32Array | Float64Array, targets: Int32Array, rows: number, classes: number, grad: Float32Array,
): number;
export function naiveCrossEntropy(logits: Float32Array | Float64Array, targets: Int32Array, rows: number, classes: number): number;
