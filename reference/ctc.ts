// CTC loss in float64, written from PyTorch's CPU implementation (aten/src/ATen/native/LossCTC.cpp) in its order of
// operations: the forward (α) and backward (β) recursions over the extended target l' (blanks around and between the
// labels) in log space, and the gradient PyTorch's autograd returns for the log-probabilities,
//   ∂/∂lp[t, c] = (exp(lp[t, c]) − exp(log Σ_{s: l'_s = c} α_t(s) β_t(s) + nll − lp[t, c])) · g,
// which is the gradient with respect to the logits when lp = logSoftmax(logits) (it is not the derivative of the loss
// with respect to lp alone, whose first term would be missing). Frames at or past a sequence's input length get 0.

export interface RefCtcOptions {
  blank?: number;
  reduction?: 'none' | 'mean' | 'sum';
  zeroInfinity?: boolean;
  /** The upstream gradient: a number for 'mean' and 'sum', one per sequence for 'none'. @defaultValue 1 */
  gradOutput?: number | ArrayLike<number>;
}

export interface RefCtcResult {
  /** The reduced loss, or one per sequence for 'none'. */
  loss: number | Float64Array;
  /** Each sequence's −log p(target), before zeroInfinity. */
  nll: Float64Array;
  grad: Float64Array;
}

/** log(exp(a) + exp(b) + exp(c)) as PyTorch computes it: shifted by the max, which counts as 0 when it is −inf. */
export function logAddExp3(a: number, b: number, c: number): number {
  let max = Math.max(a, b, c);
  if (max === -Infinity) max = 0;
  return Math.log(Math.exp(a - max) + Math.exp(b - max) + Math.exp(c - max)) + max;
}

/** Sequence b's labels: a row of padded (N, S) targets, or its stretch of concatenated ones. */
function labelsOf(targets: ArrayLike<number>, targetShape: readonly number[], lengths: ArrayLike<number>, b: number) {
  const L = lengths[b];
  let start = 0;
  if (targetShape.length === 2) start = b * targetShape[1];
  else for (let i = 0; i < b; i++) start += lengths[i];
  return Array.from({ length: L }, (_, i) => targets[start + i]);
}

/** One sequence: its nll, and its gradient (scaled by g) written into grad. */
function sequence(
  lp: (t: number, c: number) => number,
  labels: number[],
  T: number,
  blank: number,
  g: number,
  gradAt: (t: number, c: number, v: number) => void,
  C: number,
): number {
  const L = labels.length;
  const S = 2 * L + 1;
  if (T === 0) return L === 0 ? 0 : Infinity;
  const label = (s: number) => (s % 2 === 0 ? blank : labels[(s - 1) / 2]);
  const skip = (s: number, to: number) => to >= 0 && to < S && label(to) !== label(s);
  const alpha = Array.from({ length: T }, () => new Float64Array(S).fill(-Infinity));
  const beta = Array.from({ length: T }, () => new Float64Array(S).fill(-Infinity));
  alpha[0][0] = lp(0, blank);
  if (L > 0) alpha[0][1] = lp(0, label(1));
  for (let t = 1; t < T; t++) {
    for (let s = 0; s < S; s++) {
      const la2 = s > 0 ? alpha[t - 1][s - 1] : -Infinity;
      const la3 = s > 1 && skip(s, s - 2) ? alpha[t - 1][s - 2] : -Infinity;
      alpha[t][s] = logAddExp3(alpha[t - 1][s], la2, la3) + lp(t, label(s));
    }
  }
  const last = alpha[T - 1][S - 1];
  const beforeLast = L > 0 ? alpha[T - 1][S - 2] : -Infinity;
  const nll = -logAddExp3(last, beforeLast, -Infinity);
  beta[T - 1][S - 1] = lp(T - 1, blank);
  if (L > 0) beta[T - 1][S - 2] = lp(T - 1, label(S - 2));
  for (let t = T - 2; t >= 0; t--) {
    for (let s = 0; s < S; s++) {
      const lb2 = s < S - 1 ? beta[t + 1][s + 1] : -Infinity;
      const lb3 = s < S - 2 && skip(s, s + 2) ? beta[t + 1][s + 2] : -Infinity;
      beta[t][s] = logAddExp3(beta[t + 1][s], lb2, lb3) + lp(t, label(s));
    }
  }
  for (let t = 0; t < T; t++) {
    const lcab = new Float64Array(C).fill(-Infinity);
    for (let s = 0; s < S; s++) {
      const c = label(s);
      const ab = alpha[t][s] + beta[t][s];
      if (lcab[c] === -Infinity) lcab[c] = ab;
      else {
        const max = Math.max(lcab[c], ab);
        lcab[c] = Math.log(Math.exp(lcab[c] - max) + Math.exp(ab - max)) + max;
      }
    }
    for (let c = 0; c < C; c++) gradAt(t, c, (Math.exp(lp(t, c)) - Math.exp(lcab[c] + nll - lp(t, c))) * g);
  }
  return nll;
}

/**
 * F.ctc_loss and its autograd gradient. `logProbs` is (T, N, C) laid out as PyTorch lays it (or (T, C): N = 1);
 * `targets` padded (N, S) or concatenated ([Σ targetLengths], `targetShape` of length 1).
 */
export function refCtcLoss(
  logProbs: ArrayLike<number>,
  [T, N, C]: readonly [number, number, number],
  targets: ArrayLike<number>,
  targetShape: readonly number[],
  inputLengths: ArrayLike<number>,
  targetLengths: ArrayLike<number>,
  { blank = 0, reduction = 'mean', zeroInfinity = false, gradOutput = 1 }: RefCtcOptions = {},
): RefCtcResult {
  const grad = new Float64Array(T * N * C);
  const nll = new Float64Array(N);
  const losses = new Float64Array(N);
  for (let b = 0; b < N; b++) {
    const at = (t: number, c: number) => (t * N + b) * C + c;
    const g =
      reduction === 'none'
        ? typeof gradOutput === 'number'
          ? gradOutput
          : gradOutput[b]
        : reduction === 'sum'
          ? (gradOutput as number)
          : (gradOutput as number) / Math.max(targetLengths[b], 1) / N;
    const labels = labelsOf(targets, targetShape, targetLengths, b);
    const lp = (t: number, c: number) => logProbs[at(t, c)];
    nll[b] = sequence(lp, labels, inputLengths[b], blank, g, (t, c, v) => (grad[at(t, c)] = v), C);
    const infinite = nll[b] === Infinity && zeroInfinity;
    losses[b] = infinite ? 0 : nll[b];
    if (infinite) for (let t = 0; t < T; t++) grad.fill(0, at(t, 0), at(t, C));
  }
  let loss: number | Float64Array = losses;
  if (reduction === 'sum') loss = losses.reduce((a, v) => a + v, 0);
  if (reduction === 'mean') loss = losses.reduce((a, v, b) => a + v / Math.max(targetLengths[b], 1), 0) / N;
  return { loss, nll, grad };
}
