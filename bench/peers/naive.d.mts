export function naiveCrossEntropyWithGrad(
  logits: Float32Array | Float64Array,
  targets: Int32Array,
  rows: number,
  classes: number,
  grad: Float32Array,
): number;
export function naiveCrossEntropy(
  logits: Float32Array | Float64Array,
  targets: Int32Array,
  rows: number,
  classes: number,
): number;
export function naiveSoftmax(
  logits: Float32Array | Float64Array,
  rows: number,
  classes: number,
  out: Float32Array,
): Float32Array;
export function naiveDistillWithGrad(
  kind: 'kl' | 'jsd' | 'tvd',
  student: Float32Array,
  teacher: Float32Array,
  rows: number,
  classes: number,
  temperature: number,
  grad: Float32Array,
): number;
