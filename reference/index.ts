// Plain float64 reference implementations, written straight from PyTorch's formulas (in PyTorch's
// order of operations, so that ±inf and NaN come out where PyTorch's do) with no attention to speed.
// The property tests, the fuzz tests and the benchmarks check the library against them.

export { makeRandom } from './random.js';

export interface RefCrossEntropyOptions {
  weight?: ArrayLike<number>;
  ignoreIndex?: number;
  reduction?: 'none' | 'mean' | 'sum';
  labelSmoothing?: number;
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const rowMax = (row: number[]) =>
  row.reduce((m, v) => (Number.isNaN(m) || Number.isNaN(v) ? NaN : Math.max(m, v)), -Infinity);

/** log-softmax of one row: (x − m) − log Σ exp(x − m). */
export function refLogSoftmaxRow(row: number[]): number[] {
  const m = rowMax(row);
  const logSum = Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - m - logSum);
}

/** softmax of one row: exp(x − m) · (1 / Σ exp(x − m)). */
export function refSoftmaxRow(row: number[]): number[] {
  const m = rowMax(row);
  const e = row.map((v) => Math.exp(v - m));
  const inv = 1 / e.reduce((a, b) => a + b, 0);
  return e.map((v) => v * inv);
}

/** torch.logsumexp of one row: an infinite max is replaced by 0. */
export function refLogSumExpRow(row: number[]): number {
  let m = rowMax(row);
  if (Math.abs(m) === Infinity) m = 0;
  return Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) + m;
}

/** Categorical(probs=row).entropy(): normalise, clamp to [ε, 1 − ε] inside the log. */
export function refEntropyRow(row: number[], eps = 2 ** -52): number {
  const total = row.reduce((a, b) => a + b, 0);
  return -row.reduce((h, v) => {
    const q = v / total;
    return h + q * Math.log(Math.min(Math.max(q, eps), 1 - eps));
  }, 0);
}

/** log-softmax of each contiguous row of `cols` values. */
export function refLogSoftmaxRows(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++)
    out.set(refLogSoftmaxRow(Array.from({ length: cols }, (_, j) => x[r * cols + j])), r * cols);
  return out;
}

/** Applies a row function along `dim`: a row result (same length) or one value per row. */
export function refAlongDim(
  x: ArrayLike<number>,
  shape: readonly number[],
  dim: number,
  fn: (row: number[]) => number[] | number,
): Float64Array {
  const dims = shape.length === 0 ? [1] : shape;
  const d = dim < 0 ? dim + dims.length : dim;
  const size = dims[d];
  const inner = product(dims.slice(d + 1));
  const outer = product(dims.slice(0, d));
  const rows: number[][] = [];
  const results: (number[] | number)[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const row = Array.from({ length: size }, (_, c) => x[o * size * inner + c * inner + i]);
      rows.push(row);
      results.push(fn(row));
    }
  }
  if (typeof results[0] === 'number' || (results.length === 0 && size === 0))
    return Float64Array.from(results as number[]);
  const out = new Float64Array(x.length);
  results.forEach((res, r) => {
    const o = Math.floor(r / inner);
    const i = r % inner;
    (res as number[]).forEach((v, c) => {
      out[o * size * inner + c * inner + i] = v;
    });
  });
  return out;
}

/** Row r of (outer, C, inner) as its C flat positions. */
function classPositions(shape: readonly number[]) {
  const classes = shape.length === 1 ? shape[0] : shape[1];
  const inner = product(shape.slice(2));
  const outer = shape.length === 1 ? 1 : shape[0];
  return {
    rows: outer * inner,
    classes,
    position: (r: number, c: number) => Math.floor(r / inner) * classes * inner + c * inner + (r % inner),
  };
}

/**
 * F.cross_entropy in float64 with its gradient (of the reduced loss, or of Σ loss for 'none') and the
 * reduced loss's terms (their magnitudes bound the rounding of the sum), as
 * PyTorch computes it: class indices as (1 − ε)·nll + (ε/C)·smooth, probabilities as −Σ logp·q·w.
 */
export function refCrossEntropy(
  input: ArrayLike<number>,
  shape: readonly number[],
  target: ArrayLike<number>,
  probabilities: boolean,
  options: RefCrossEntropyOptions = {},
): { loss: number | Float64Array; grad: Float64Array; terms: Float64Array } {
  const { weight, ignoreIndex = -100, reduction = 'mean', labelSmoothing: eps = 0 } = options;
  const { rows, classes, position } = classPositions(shape);
  const w = (c: number) => (weight ? weight[c] : 1);
  const losses = new Float64Array(rows);
  const grad = new Float64Array(input.length);
  const ignored: boolean[] = [];
  // probabilities: PyTorch's numel / C (0 / 0 = NaN without classes)
  let divisor = probabilities ? (classes === 0 ? Number.NaN : rows) : 0;
  for (let r = 0; r < rows; r++) {
    const logp = refLogSoftmaxRow(Array.from({ length: classes }, (_, c) => input[position(r, c)]));
    // q: the weighted, smoothed target; ∂loss/∂x_c = softmax_c · Σq − q_c
    const q = new Float64Array(classes);
    if (probabilities) {
      let loss = 0;
      for (let c = 0; c < classes; c++) {
        const t = eps > 0 ? target[position(r, c)] * (1 - eps) + eps / classes : target[position(r, c)];
        loss -= logp[c] * t * w(c);
        q[c] = t * w(c);
      }
      losses[r] = loss;
    } else {
      const t = target[r];
      ignored[r] = t === ignoreIndex;
      if (ignored[r]) {
        // PyTorch's log-softmax backward of a zero upstream gradient: 0 − exp(logp)·0, NaN where logp is
        for (let c = 0; c < classes; c++) grad[position(r, c)] = 0 - Math.exp(logp[c]) * 0;
        continue;
      }
      divisor += w(t);
      let loss = -w(t) * logp[t];
      if (eps > 0) {
        let smooth = 0;
        for (let c = 0; c < classes; c++) smooth -= logp[c] * w(c);
        loss = (1 - eps) * loss + (eps / classes) * smooth;
      }
      losses[r] = loss;
      for (let c = 0; c < classes; c++) q[c] = (eps / classes) * w(c);
      q[t] += (1 - eps) * w(t);
    }
    const qSum = q.reduce((a, b) => a + b, 0);
    for (let c = 0; c < classes; c++) grad[position(r, c)] = Math.exp(logp[c]) * qSum - q[c];
  }
  if (reduction === 'none') return { loss: losses, grad, terms: losses };
  const sum = losses.reduce((a, b) => a + b, 0);
  const scale = reduction === 'mean' ? 1 / divisor : 1;
  // Ignored rows keep a zero gradient even when 'mean' divides by a zero weight sum (PyTorch's answer).
  for (let r = 0; r < rows; r++) {
    if (!ignored[r]) for (let c = 0; c < classes; c++) grad[position(r, c)] *= scale;
  }
  return { loss: sum * scale, grad, terms: losses.map((l) => l * scale) };
}

/** F.nll_loss in float64 with its gradient. */
export function refNllLoss(
  input: ArrayLike<number>,
  shape: readonly number[],
  target: ArrayLike<number>,
  options: Omit<RefCrossEntropyOptions, 'labelSmoothing'> = {},
): { loss: number | Float64Array; grad: Float64Array; terms: Float64Array } {
  const { weight, ignoreIndex = -100, reduction = 'mean' } = options;
  const { rows, position } = classPositions(shape);
  const w = (c: number) => (weight ? weight[c] : 1);
  const losses = new Float64Array(rows);
  const grad = new Float64Array(input.length);
  let divisor = 0;
  for (let r = 0; r < rows; r++) {
    const t = target[r];
    if (t === ignoreIndex) continue;
    losses[r] = -w(t) * input[position(r, t)];
    divisor += w(t);
    grad[position(r, t)] = -w(t);
  }
  if (reduction === 'none') return { loss: losses, grad, terms: losses };
  const scale = reduction === 'mean' ? 1 / divisor : 1;
  const terms = losses.map((l) => l * scale);
  return { loss: losses.reduce((a, b) => a + b, 0) * scale, grad: grad.map((g) => (g === 0 ? 0 : g * scale)), terms };
}

export type RefElementwiseOp =
  | 'bce'
  | 'bceWithLogits'
  | 'klDiv'
  | 'klDivLogTarget'
  | 'mse'
  | 'sigmoidFocal'
  | 'huber'
  | 'smoothL1'
  | 'l1';

/**
 * One element of an elementwise loss and its derivative w.r.t. x, PyTorch's formulas (pw = posWeight; `threshold`
 * is huber's δ and smoothL1's β).
 */
export function refElementwise(
  op: RefElementwiseOp,
  x: number,
  y: number,
  pw = 1,
  alpha = 0.25,
  gamma = 2,
  threshold = 1,
): { loss: number; grad: number } {
  const [d, z, t] = [x - y, Math.abs(x - y), threshold];
  switch (op) {
    // PyTorch 1.13's CPU kernels; a NaN d fails every comparison
    case 'huber': {
      const grad = d <= -t ? -t : Math.min(d, t); // (Math.min keeps a NaN d as NaN, as PyTorch's d ≥ δ ? δ : d)
      return { loss: z < t ? 0.5 * z * z : t * (z - 0.5 * t), grad };
    }
    case 'smoothL1':
      return { loss: z < t ? (0.5 * z * z) / t : z - 0.5 * t, grad: d <= -t ? -1 : d >= t ? 1 : d / t };
    case 'l1':
      return { loss: z, grad: d > 0 ? 1 : d < 0 ? -1 : 0 };
    case 'bce':
      return {
        loss: (y - 1) * Math.max(Math.log1p(-x), -100) - y * Math.max(Math.log(x), -100),
        grad: (x - y) / Math.max((1 - x) * x, Math.fround(1e-12)),
      };
    case 'bceWithLogits': {
      const m = Math.max(-x, 0);
      const logWeight = (pw - 1) * y + 1;
      const sigmoid = 1 / (1 + Math.exp(-x));
      return {
        loss: (1 - y) * x + logWeight * (Math.log(Math.exp(-m) + Math.exp(-x - m)) + m),
        grad: (pw * y + 1 - y) * sigmoid - pw * y,
      };
    }
    case 'klDiv':
      return { loss: (y === 0 ? 0 : y * Math.log(y)) - y * x, grad: -y };
    case 'klDivLogTarget':
      return { loss: Math.exp(y) * (y - x), grad: -Math.exp(y) };
    case 'mse':
      return { loss: (x - y) * (x - y), grad: 2 * (x - y) };
    case 'sigmoidFocal': {
      // torchvision.ops.sigmoid_focal_loss, and PyTorch's autograd through it (pow's gradient is 0 for γ = 0),
      // with 1 − p_t = σ(−x)·y + σ(x)·(1 − y): torchvision's 1 − p_t rounds to 0 (and its gradient to NaN)
      // where this does not, and xentropy keeps the finite value
      const sigmoid = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
      const p = sigmoid(x);
      const ce = refElementwise('bceWithLogits', x, y).loss;
      const u = Number.isNaN(x) ? NaN : sigmoid(-x) * y + p * (1 - y);
      const alphaT = alpha >= 0 ? alpha * y + (1 - alpha) * (1 - y) : 1;
      const powGrad = gamma === 0 ? 0 : gamma * u ** (gamma - 1);
      return {
        loss: alphaT * ce * u ** gamma,
        grad: alphaT * ((p - y) * u ** gamma - ce * powGrad * (2 * y - 1) * p * (1 - p)),
      };
    }
  }
}

/** An elementwise loss over whole arrays with per-element weights, reduced; gradient of the reduced loss. */
export function refElementwiseLoss(
  op: RefElementwiseOp,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  reduction: 'none' | 'mean' | 'sum' | 'batchmean',
  batch: number,
  weight?: ArrayLike<number>,
  posWeight?: ArrayLike<number>,
  alpha?: number,
  gamma?: number,
  threshold?: number,
): { loss: number | Float64Array; grad: Float64Array; terms: Float64Array } {
  const losses = new Float64Array(x.length);
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const w = weight ? weight[i] : 1;
    const e = refElementwise(op, x[i], y[i], posWeight ? posWeight[i] : 1, alpha, gamma, threshold);
    losses[i] = w * e.loss;
    grad[i] = w * e.grad;
  }
  if (reduction === 'none') return { loss: losses, grad, terms: losses };
  const divisor = reduction === 'mean' ? x.length : reduction === 'batchmean' ? batch : 1;
  const terms = losses.map((l) => l / divisor);
  return { loss: losses.reduce((a, b) => a + b, 0) / divisor, grad: grad.map((g) => g / divisor), terms };
}

/** Σ values, compensated (Neumaier): a reference that long rows do not blur. */
function accurateSum(values: number[]): number {
  let [sum, compensation] = [0, 0];
  for (const v of values) {
    const t = sum + v;
    compensation += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return Number.isFinite(sum) ? sum + compensation : sum;
}

/** log-softmax of a row at temperature T, from the max-shifted logits: (x − m) / T − log Σ exp((x − m) / T). */
export function refLogSoftmaxAt(row: number[], temperature = 1): number[] {
  const m = rowMax(row);
  const d = row.map((v) => (v - m) / temperature);
  const logSum = Math.log(accurateSum(d.map(Math.exp)));
  return d.map((v) => v - logSum);
}

/** tokenLogProbs: each row's log-probability of its token (0 where the token is ignoreIndex). */
export function refTokenLogProbs(
  x: ArrayLike<number>,
  vocab: number,
  targets: ArrayLike<number>,
  temperature = 1,
  ignoreIndex = -100,
): Float64Array {
  return Float64Array.from(targets, (t, r) =>
    t === ignoreIndex
      ? 0
      : refLogSoftmaxAt(
          Array.from({ length: vocab }, (_, j) => x[r * vocab + j]),
          temperature,
        )[t],
  );
}

/** softmaxEntropy: −Σ p log p of softmax(row / T), 0 · log 0 = 0. */
export function refSoftmaxEntropy(x: ArrayLike<number>, vocab: number, temperature = 1): Float64Array {
  return Float64Array.from({ length: x.length / vocab }, (_, r) => {
    const lp = refLogSoftmaxAt(
      Array.from({ length: vocab }, (_, j) => x[r * vocab + j]),
      temperature,
    );
    return -accurateSum(lp.map((v) => (v === -Infinity ? 0 : Math.exp(v) * v)));
  });
}

/** topK: a stable sort of each row's log-probs, descending (a NaN row: NaN at indices 0 … k − 1). */
export function refTopK(x: ArrayLike<number>, vocab: number, k: number, temperature = 1) {
  const rows = x.length / vocab;
  const indices = new Int32Array(rows * k);
  const logProbs = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const lp = refLogSoftmaxAt(
      Array.from({ length: vocab }, (_, j) => x[r * vocab + j]),
      temperature,
    );
    const key = (i: number) => (Number.isNaN(lp[i]) ? Infinity : lp[i]);
    const order = lp.map((_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
    for (let i = 0; i < k; i++) {
      indices[r * k + i] = order[i];
      logProbs[r * k + i] = lp[order[i]];
    }
  }
  return { indices, logProbs };
}

export interface RefLanguageModelOptions extends RefCrossEntropyOptions {
  /** c of c · tanh(x / c) applied to every logit first. */
  softcap?: number;
  /** s of the z-loss s · lse² of every row not ignored. */
  lseSquareScale?: number;
}

/**
 * crossEntropy with Liger-Kernel's softcap and z-loss, composed from refCrossEntropy on [rows, classes]: the
 * loss (z-loss included), the z-loss alone, each row's log-sum-exp (of the softcapped logits) and the gradient
 * through the softcap. 'mean' divides the cross-entropy by Σ weight[t] and the z-loss by the rows counted.
 */
export function refLanguageModelCrossEntropy(
  input: ArrayLike<number>,
  rows: number,
  classes: number,
  target: ArrayLike<number>,
  options: RefLanguageModelOptions = {},
) {
  const { softcap: cap, lseSquareScale: s = 0, ignoreIndex = -100, reduction = 'mean' } = options;
  const logits = Float64Array.from(input, (v) => (cap ? cap * Math.tanh(v / cap) : v));
  const ce = refCrossEntropy(logits, [rows, classes], target, false, options);
  const lse = new Float64Array(rows);
  const z = new Float64Array(rows);
  const zGrad = new Float64Array(rows * classes);
  let counted = 0;
  for (let r = 0; r < rows; r++) {
    const row = Array.from(logits.subarray(r * classes, (r + 1) * classes));
    lse[r] = refLogSumExpRow(row);
    if (target[r] === ignoreIndex) continue;
    counted++;
    z[r] = s * lse[r] * lse[r];
    row.forEach((v, c) => {
      zGrad[r * classes + c] = 2 * s * lse[r] * Math.exp(v - lse[r]);
    });
  }
  const zScale = reduction === 'mean' ? 1 / counted : 1;
  const grad = ce.grad.map((g, i) => {
    const total = zGrad[i] === 0 ? g : g + zGrad[i] * zScale; // (no rows counted: no z-loss gradient, not 0 · inf)
    const t = cap ? Math.tanh(input[i] / cap) : 0;
    return cap ? total * (1 - t * t) : total;
  });
  const zSum = z.reduce((a, b) => a + b, 0) * zScale;
  const loss = reduction === 'none' ? (ce.loss as Float64Array).map((l, r) => l + z[r]) : (ce.loss as number) + zSum;
  return { loss, zLoss: reduction === 'none' ? z : zSum, lse, grad };
}
export { type RefCtcOptions, type RefCtcResult, refCtcLoss } from './ctc.js';
export { type RefCtcAlignment, refCtcForcedAlign } from './ctc-align.js';
export {
  type RefHypothesis,
  type RefTokenSpan,
  refCtcBeamSearch,
  refCtcGreedyDecode,
  refCtcTokenSpans,
} from './ctc-decode.js';
export { type RefDistillOptions, type RefDivergence, refDistill } from './distill.js';
