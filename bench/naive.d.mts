export function naiveCrossEntropyWithGrad(
  logits: Float32Array, targets: Int32Array, rows: number, classes: number, grad: Float32Array,
): number;
