// F.ctc_loss of one sequence in log space, in PyTorch's order of operations (aten/src/ATen/native/LossCTC.cpp), in
// float64: the exact path, which ctc.ts takes where its scaled linear recursion cannot (a frame whose every state
// underflows, an impossible target, NaN).
//   α_t(s) = lse(α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2) where l'_s ≠ l'_{s−2}) + lp[t, l'_s]
//   β_t(s) = lse(β_{t+1}(s), β_{t+1}(s+1), β_{t+1}(s+2) where l'_{s+2} ≠ l'_s) + lp[t, l'_s]
//   nll = −lse(α_{T−1}(S−1), α_{T−1}(S−2))
//   grad[t, c] = (exp(lp[t, c]) − exp(lse_{s: l'_s = c}(α_t(s) + β_t(s)) + nll − lp[t, c])) · g
// lse(a, b, c) = log(e^(a−m) + e^(b−m) + e^(c−m)) + m with m the max, counted as 0 when it is −inf.
// The extended labels l' come as an i32 row (`labels`), and the skips as a row of f64 (1 where s may be entered
// from s − 2), as ctc.ts prepares them.

import { at } from '../math/rows';

/** Zeroes frames [from, to) of one sequence's gradient (float64 when `wide`, else float32). */
export function zeroFrames(out: usize, frameBytes: usize, C: i32, from: i32, to: i32, wide: bool): void {
  for (let t = from; t < to; t++) memory.fill(out + <usize>t * frameBytes, 0, <usize>C << (wide ? 3 : 2));
}

/** Element i of log-probabilities: float64 when `wide`, else float32 (the paths that are not per-dtype code). */
// @ts-ignore: decorator
@inline export function valueAt(p: usize, i: i32, wide: bool): f64 {
  return wide ? load<f64>(p + (<usize>i << 3)) : <f64>load<f32>(p + (<usize>i << 2));
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

/** The extended label of position s. */
// @ts-ignore: decorator
@inline function labelOf(labels: usize, s: i32): i32 {
  return load<i32>(labels + (<usize>s << 2));
}

/**
 * One row of α (`step` 1, from frame t − 1's `from`) or β (`step` −1, from frame t + 1's); with no `from` (the first
 * frame of its direction) −inf but at the two positions a path starts at.
 */
function logRow(
  from: usize, row: usize, frame: usize, S: i32, step: i32, labels: usize, skip: usize, wide: bool,
): void {
  for (let s = 0; s < S; s++) {
    const e = valueAt(frame, labelOf(labels, s), wide);
    if (!from) {
      const starts = step > 0 ? s < 2 : s >= S - 2;
      store<f64>(at<f64>(row, s), starts ? e : -Infinity);
      continue;
    }
    const near = s - step;
    const b = near >= 0 && near < S ? load<f64>(at<f64>(from, near)) : -Infinity;
    // (α: enter s from s − 2 where s may be; β: leave s for s + 2 where s + 2 may be entered from s)
    const far = s - 2 * step;
    const skips = far >= 0 && far < S && load<f64>(at<f64>(skip, step > 0 ? s : far)) != 0;
    const c = skips ? load<f64>(at<f64>(from, far)) : -Infinity;
    store<f64>(at<f64>(row, s), logAddExp3(load<f64>(at<f64>(from, s)), b, c) + e);
  }
}

/** One frame's gradient from α_t, β_t and the nll, through the per-class sums in `perClass`. */
function gradFrame(
  frame: usize, out: usize, C: i32, S: i32, labels: usize,
  alphaRow: usize, betaRow: usize, perClass: usize, nll: f64, g: f64, wide: bool,
): void {
  for (let c = 0; c < C; c++) store<f64>(at<f64>(perClass, c), -Infinity);
  for (let s = 0; s < S; s++) {
    const q = at<f64>(perClass, labelOf(labels, s));
    store<f64>(q, logAddExp2(load<f64>(q), load<f64>(at<f64>(alphaRow, s)) + load<f64>(at<f64>(betaRow, s))));
  }
  for (let c = 0; c < C; c++) {
    const v = valueAt(frame, c, wide);
    const grad = (Math.exp(v) - Math.exp(load<f64>(at<f64>(perClass, c)) + nll - v)) * g;
    if (wide) store<f64>(out + (<usize>c << 3), grad);
    else store<f32>(out + (<usize>c << 2), <f32>grad);
  }
}

/**
 * One sequence in log space: its nll stored at `lossOut`, and with `grad` its gradient (frames · C values,
 * frameBytes apart; float64 when `wide`, else float32). Scratch: `alpha` T · S values, `betas` 2 · S, `perClass` C.
 */
export function sequenceInLogSpace(
  lp: usize, frameBytes: usize, frames: i32, C: i32, T: i32, L: i32, labels: usize, skip: usize,
  alpha: usize, betas: usize, perClass: usize, lossOut: usize, grad: usize, g: f64, zeroInfinity: bool, wide: bool,
): void {
  const S = 2 * L + 1;
  let nll = L == 0 ? 0.0 : Infinity;
  if (T > 0) {
    for (let t = 0; t < T; t++) {
      const row = alpha + <usize>(t * S) * 8;
      logRow(t ? row - <usize>S * 8 : 0, row, lp + <usize>t * frameBytes, S, 1, labels, skip, wide);
    }
    const last = alpha + <usize>((T - 1) * S) * 8;
    nll = -logAddExp3(load<f64>(at<f64>(last, S - 1)), L > 0 ? load<f64>(at<f64>(last, S - 2)) : -Infinity, -Infinity);
  }
  store<f64>(lossOut, nll);
  if (!grad) return;
  const live = nll == Infinity && zeroInfinity ? 0 : T;
  zeroFrames(grad, frameBytes, C, live, frames, wide);
  for (let t = live - 1; t >= 0; t--) {
    const frame = lp + <usize>t * frameBytes;
    const row = betas + <usize>((t & 1) * S) * 8;
    const next: usize = t == T - 1 ? 0 : betas + <usize>(((t + 1) & 1) * S) * 8;
    logRow(next, row, frame, S, -1, labels, skip, wide);
    const alphaRow = alpha + <usize>(t * S) * 8;
    gradFrame(frame, grad + <usize>t * frameBytes, C, S, labels, alphaRow, row, perClass, nll, g, wide);
  }
}
