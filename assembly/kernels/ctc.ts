// F.ctc_loss over a batch of sequences, each in float64 whatever the input's dtype, in PyTorch's order of
// operations (aten/src/ATen/native/LossCTC.cpp). Sequence n reads frame t's log-probabilities at
// logProbs + (t · frameStride + n · classes) and its labels l_1…l_L from its row of padded targets; the extended
// labels l' are blank, l_1, blank, …, l_L, blank (S = 2L + 1 positions).
//   α_t(s) = lse(α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2) where l'_s ≠ l'_{s−2}) + lp[t, l'_s]
//   nll = −lse(α_{T−1}(S−1), α_{T−1}(S−2))
// and with `grad`, β the same from the end, and PyTorch's gradient for the log-probabilities
//   grad[t, c] = (exp(lp[t, c]) − exp(lse_{s: l'_s = c}(α_t(s) + β_t(s)) + nll − lp[t, c])) · g_n
// (frames at or past the input length get 0; with zeroInfinity an infinite nll gives 0 everywhere).
// lse(a, b, c) = log(e^(a−m) + e^(b−m) + e^(c−m)) + m with m the max, counted as 0 when it is −inf.
// Scratch per sequence: α for every frame (frames · S), two rows of β (2 · S) and one value per class.

import { at } from '../math/rows';

/** The f64 values a sequence's scratch takes. */
export function ctcScratchValues(frames: i32, maxTarget: i32, classes: i32): i32 {
  const positions = 2 * maxTarget + 1;
  return frames * positions + 2 * positions + classes;
}

// @ts-ignore: decorator
@inline function logAddExp3(a: f64, b: f64, c: f64): f64 {
  let m = max(a, max(b, c));
  if (m == -Infinity) m = 0;
  return Math.log(Math.exp(a - m) + Math.exp(b - m) + Math.exp(c - m)) + m;
}

/** log(e^a + e^b) as PyTorch accumulates it per class: a −inf sum takes b as it is. */
// @ts-ignore: decorator
@inline function logAddExp2(a: f64, b: f64): f64 {
  if (a == -Infinity) return b;
  const m = max(a, b);
  return Math.log(Math.exp(a - m) + Math.exp(b - m)) + m;
}

/** Label of extended position s (blank at even s). */
// @ts-ignore: decorator
@inline function labelAt(labels: usize, blank: i32, s: i32): i32 {
  return s & 1 ? load<i32>(labels + (<usize>(s >> 1) << 2)) : blank;
}

/** Whether position s may be entered from s − 2 (or, backwards, s + 2 from s: the same condition). */
// @ts-ignore: decorator
@inline function skips(labels: usize, s: i32): bool {
  // odd s ≥ 3: l'_s = l_{(s−1)/2}, l'_{s−2} = l_{(s−3)/2}
  if ((s & 1) == 0 || s < 3) return false;
  const at = labels + (<usize>(s >> 1) << 2);
  return load<i32>(at) != load<i32>(at - 4);
}

/** One sequence's α over frames [0, T) into `alpha` (rows of S values); returns the nll. */
function forward<T>(lp: usize, frameBytes: usize, T: i32, labels: usize, L: i32, blank: i32, alpha: usize): f64 {
  const S = 2 * L + 1;
  for (let s = 0; s < S; s++) store<f64>(at<f64>(alpha, s), -Infinity);
  store<f64>(alpha, <f64>load<T>(at<T>(lp, blank)));
  if (L > 0) store<f64>(at<f64>(alpha, 1), <f64>load<T>(at<T>(lp, labelAt(labels, blank, 1))));
  for (let t = 1; t < T; t++) {
    const frame = lp + <usize>t * frameBytes;
    const prev = alpha + <usize>((t - 1) * S) * 8;
    const row = prev + <usize>S * 8;
    for (let s = 0; s < S; s++) {
      const a = load<f64>(at<f64>(prev, s));
      const b = s > 0 ? load<f64>(at<f64>(prev, s - 1)) : -Infinity;
      const c = skips(labels, s) ? load<f64>(at<f64>(prev, s - 2)) : -Infinity;
      const e = <f64>load<T>(at<T>(frame, labelAt(labels, blank, s)));
      store<f64>(at<f64>(row, s), logAddExp3(a, b, c) + e);
    }
  }
  const last = alpha + <usize>((T - 1) * S) * 8;
  const beforeLast = L > 0 ? load<f64>(at<f64>(last, S - 2)) : -Infinity;
  return -logAddExp3(load<f64>(at<f64>(last, S - 1)), beforeLast, -Infinity);
}

/** β of frame t into `row` from frame t + 1's `next` (t = T − 1: the last frame's start values). */
function betaRow<T>(frame: usize, t: i32, T: i32, labels: usize, L: i32, blank: i32, next: usize, row: usize): void {
  const S = 2 * L + 1;
  if (t == T - 1) {
    for (let s = 0; s < S; s++) store<f64>(at<f64>(row, s), -Infinity);
    store<f64>(at<f64>(row, S - 1), <f64>load<T>(at<T>(frame, blank)));
    if (L > 0) store<f64>(at<f64>(row, S - 2), <f64>load<T>(at<T>(frame, labelAt(labels, blank, S - 2))));
    return;
  }
  for (let s = 0; s < S; s++) {
    const a = load<f64>(at<f64>(next, s));
    const b = s < S - 1 ? load<f64>(at<f64>(next, s + 1)) : -Infinity;
    const c = s < S - 2 && skips(labels, s + 2) ? load<f64>(at<f64>(next, s + 2)) : -Infinity;
    store<f64>(at<f64>(row, s), logAddExp3(a, b, c) + <f64>load<T>(at<T>(frame, labelAt(labels, blank, s))));
  }
}

/** One frame's gradient from α_t, β_t and the nll, through the per-class sums in `perClass`. */
function gradFrame<T>(
  frame: usize, out: usize, C: i32, labels: usize, L: i32, blank: i32,
  alphaRow: usize, betaRow: usize, perClass: usize, nll: f64, g: f64,
): void {
  const S = 2 * L + 1;
  for (let c = 0; c < C; c++) store<f64>(at<f64>(perClass, c), -Infinity);
  for (let s = 0; s < S; s++) {
    const q = at<f64>(perClass, labelAt(labels, blank, s));
    store<f64>(q, logAddExp2(load<f64>(q), load<f64>(at<f64>(alphaRow, s)) + load<f64>(at<f64>(betaRow, s))));
  }
  for (let c = 0; c < C; c++) {
    const v = <f64>load<T>(at<T>(frame, c));
    store<T>(at<T>(out, c), <T>((Math.exp(v) - Math.exp(load<f64>(at<f64>(perClass, c)) + nll - v)) * g));
  }
}

/** Zeroes frames [from, to) of one sequence's gradient. */
function zeroFrames<T>(out: usize, frameBytes: usize, C: i32, from: i32, to: i32): void {
  for (let t = from; t < to; t++) memory.fill(out + <usize>t * frameBytes, 0, <usize>C << alignof<T>());
}

/** One sequence: its nll stored at `lossOut`, and with `grad` its gradient (frames · C values, frameBytes apart). */
function sequence<T>(
  lp: usize, frameBytes: usize, frames: i32, C: i32, T: i32, labels: usize, L: i32, blank: i32,
  scratch: usize, positions: i32, lossOut: usize, grad: usize, g: f64, zeroInfinity: bool,
): void {
  const nll = T == 0 ? (L == 0 ? 0.0 : Infinity) : forward<T>(lp, frameBytes, T, labels, L, blank, scratch);
  store<f64>(lossOut, nll);
  if (!grad) return;
  const live = nll == Infinity && zeroInfinity ? 0 : T;
  zeroFrames<T>(grad, frameBytes, C, live, frames);
  const S = 2 * L + 1;
  const betas = scratch + <usize>frames * positions * 8;
  const perClass = betas + <usize>positions * 16;
  for (let t = live - 1; t >= 0; t--) {
    const frame = lp + <usize>t * frameBytes;
    const row = betas + <usize>(t & 1) * positions * 8;
    const next = betas + <usize>((t + 1) & 1) * positions * 8;
    betaRow<T>(frame, t, T, labels, L, blank, next, row);
    const alphaRow = scratch + <usize>(t * S) * 8;
    gradFrame<T>(frame, grad + <usize>t * frameBytes, C, labels, L, blank, alphaRow, row, perClass, nll, g);
  }
}

/**
 * `batch` sequences of F.ctc_loss: each one's nll (f64) into lossOut, and with `grad` PyTorch's gradient times
 * gradScales[n]. Sequence n's log-probabilities start at logProbs + n · classes values, its frames frameStride values
 * apart (the same layout for grad); its labels are row n of `targets` (maxTarget i32 each), its lengths
 * inputLengths[n] ≤ frames and targetLengths[n] ≤ maxTarget; its scratch is ctcScratchValues f64 from
 * scratch + n · that.
 */
export function ctcLossRows<T>(
  logProbs: usize, batch: i32, classes: i32, frameStride: i32, frames: i32,
  targets: usize, maxTarget: i32, inputLengths: usize, targetLengths: usize, scratch: usize,
  lossOut: usize, grad: usize, gradScales: usize, blank: i32, zeroInfinity: i32,
): void {
  const frameBytes = <usize>frameStride << alignof<T>();
  const scratchBytes = <usize>ctcScratchValues(frames, maxTarget, classes) * 8;
  const positions = 2 * maxTarget + 1;
  for (let n = 0; n < batch; n++) {
    const offset = <usize>(n * classes) << alignof<T>();
    sequence<T>(
      logProbs + offset, frameBytes, frames, classes,
      load<i32>(inputLengths + (<usize>n << 2)),
      targets + (<usize>(n * maxTarget) << 2),
      load<i32>(targetLengths + (<usize>n << 2)),
      blank, scratch + <usize>n * scratchBytes, positions,
      lossOut + (<usize>n << 3), grad ? grad + offset : 0,
      grad ? load<f64>(gradScales + (<usize>n << 3)) : 0, zeroInfinity != 0,
    );
  }
}
