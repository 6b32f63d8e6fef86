// Plain float64 reference implementations, written straight from the PyTorch formulas with no
// attention to speed. The property tests and the benchmarks check the library against them.

export interface RefCrossEntropyOptions {
  weight?: ArrayLike<number>;
  ignoreIndex?: number;
  reduction?: 'none' | 'mean' | 'sum';
  labelSmoothing?: number;
}

/** log-softmax of each contiguous row of `cols` values. */
export function refLogSoftmaxRows(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, x[r * cols + j]);
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[r * cols + j] - m);
    for (let j = 0; j < cols; j++) out[r * cols + j] = x[r * cols + j] - m - Math.log(s);
  }
  return out;
}

/** Row r of (outer, C, inner) as the list of its C flat positions. */
function classPositions(shape: readonly number[]): { rows: number; classes: number; position: (r: number, c: number) => number } {
  const classes = shape.length === 1 ? shape[0] : shape[1];
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const outer = shape.length === 1 ? 1 : shape[0];
  return {
    rows: outer * inner,
    classes,
    position: (r, c) => Math.floor(r / inner) * classes * inner + c * inner + (r % inner),
  };
}

/**
 * F.cross_entropy in float64 with its gradient (of the reduced loss, or of Σ loss for 'none').
 * `target` holds class indices (one per row) or probabilities (the input's shape).
 */
export function refCrossEntropy(
  input: ArrayLike<number>, shape: readonly number[], target: ArrayLike<number>, probabilities: boolean,
  options: RefCrossEntropyOptions = {},
): { loss: number | Float64Array; grad: Float64Array } {
  const { weight, ignoreIndex = -100, reduction = 'mean', labelSmoothing: eps = 0 } = options;
  const { rows, classes, position } = classPositions(shape);
  const w = (c: number) => (weight ? weight[c] : 1);
  const losses = new Float64Array(rows);
  const grad = new Float64Array(input.length);
  let divisor = probabilities ? rows : 0;
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: classes }, (_, c) => input[position(r, c)]);
    const logp = refLogSoftmaxRows(x, 1, classes);
    // q: the weighted, smoothed target of this row; the loss is −Σ q_c logp_c.
    const q = new Float64Array(classes);
    if (probabilities) {
      for (let c = 0; c < classes; c++) q[c] = ((1 - eps) * target[position(r, c)] + eps / classes) * w(c);
    } else {
      const t = target[r];
      if (t === ignoreIndex) continue;
      divisor += w(t);
      for (let c = 0; c < classes; c++) q[c] = (eps / classes) * w(c);
      q[t] += (1 - eps) * w(t);
    }
    let loss = 0;
    let qSum = 0;
    for (let c = 0; c < classes; c++) {
      loss -= q[c] * logp[c];
      qSum += q[c];
    }
    losses[r] = loss;
    for (let c = 0; c < classes; c++) grad[position(r, c)] = Math.exp(logp[c]) * qSum - q[c];
  }
  if (reduction === 'none') return { loss: losses, grad };
  const sum = losses.reduce((a, b) => a + b, 0);
  const scale = reduction === 'mean' ? 1 / divisor : 1;
  // Ignored rows keep a zero gradient even when 'mean' divides by a zero weight sum (PyTorch's answer).
  for (let r = 0; r < rows; r++) {
    if (probabilities || target[r] !== ignoreIndex) for (let c = 0; c < classes; c++) grad[position(r, c)] *= scale;
  }
  return { loss: sum * scale, grad };
}
