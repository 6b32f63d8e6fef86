// F.ctc_loss over a batch of sequences, each in float64 whatever the input's dtype. Sequence n reads frame t's
// log-probabilities at logProbs + (t · frameStride + n · classes); its labels l_1…l_L come from its row of padded
// targets; the extended labels l' are blank, l_1, blank, …, l_L, blank (S = 2L + 1 positions).
//
// The recursion runs in linear space, scaled per frame (Rabiner's scaling), where PyTorch's runs in log space. With
// p̂_t(s) = exp(lp[t, l'_s] − m_t) (m_t the frame's largest), the forward values are
//   α̃_t(s) = (α̃_{t−1}(s) + α̃_{t−1}(s−1) + α̃_{t−1}(s−2) where l'_s ≠ l'_{s−2}) · p̂_t(s) / c_{t−1},
// c_t = Σ_s α̃_t(s), and nll = −(Σ_t m_t + Σ_{t<T−1} log c_t + log(α̃_{T−1}(S−1) + α̃_{T−1}(S−2))). Backwards,
//   β̃_t(s) = β̂_{t+1}(s) + β̂_{t+1}(s+1) + β̂_{t+1}(s+2) where l'_{s+2} ≠ l'_s   (β̂_t = β̃_t · p̂_t, rescaled),
// and position s's share of the alignments at frame t is w_t(s) / Σ_s w_t(s), w_t(s) = α̃_t(s) · β̃_t(s). PyTorch's
// gradient for the log-probabilities is then
//   grad[t, c] = (exp(lp[t, c]) − Σ_{s: l'_s = c} w_t(s) / Σ_s w_t(s)) · g_n,
// NaN where lp[t, c] = −inf, as PyTorch's exp(−inf + nll + inf) makes it. No exp or log per lattice cell: one exp per
// label and frame, one log per frame. A frame whose shares underflow (α̃ and β̃ each fine, their products not) takes
// them through logs. Where a frame's values all underflow (its labels' log-probabilities 745 below the best), the
// target is impossible, or a value is NaN or ±inf, the sequence is computed again in log space (ctc-log.ts), which
// gives PyTorch's answer there.

import { expF32x4, expNonPositiveF32x4, expNonPositiveF64x2, expScalar } from '../math/exp';
import { at } from '../math/rows';
import { sequenceInLogSpace, valueAt, zeroFrames } from './ctc-log';

/** Values of one row of the scaled recursion: two zeros, the S ≤ 2 · maxTarget + 1 positions, three zeros. */
// @ts-ignore: decorator
@inline function rowValues(maxTarget: i32): i32 {
  return 2 * maxTarget + 6;
}

/** The f64 values a sequence's scratch takes: α and p̂ for every frame, β's two rows, the skips, the labels (as
 * i32), the shares w, and one value per class. */
export function ctcScratchValues(frames: i32, maxTarget: i32, classes: i32): i32 {
  const R = rowValues(maxTarget);
  return 2 * frames * R + 5 * R + ((classes + 1) & ~1);
}

/** Where the current sequence's scratch holds what (byte addresses; rows' data start 2 values in). Globals, one set
 * per instance (so per thread), rather than an object: the kernels allocate nothing. */
let rowBytes: usize = 0;
let alphaAt: usize = 0;
let betasAt: usize = 0;
let emissionAt: usize = 0;
let skipAt: usize = 0;
let labelsAt: usize = 0;
let sharesAt: usize = 0;
let perClassAt: usize = 0;

function place(scratch: usize, frames: i32, maxTarget: i32): void {
  rowBytes = <usize>rowValues(maxTarget) * 8;
  alphaAt = scratch;
  emissionAt = scratch + <usize>frames * rowBytes;
  betasAt = emissionAt + <usize>frames * rowBytes;
  skipAt = betasAt + 2 * rowBytes;
  labelsAt = skipAt + rowBytes;
  sharesAt = labelsAt + rowBytes;
  perClassAt = sharesAt + rowBytes;
}

/**
 * Writes the extended labels (blank at even s, l_{(s+1)/2} at odd s) and the skips: 1 where s may be entered from
 * s − 2 (odd s ≥ 3 whose label differs from the one before), else 0.
 */
function prepare(labels: usize, L: i32, blank: i32): void {
  memory.fill(skipAt, 0, rowBytes);
  for (let s = 0; s < 2 * L + 1; s++) store<i32>(labelsAt + (<usize>s << 2), blank);
  for (let i = 0; i < L; i++) {
    const label = load<i32>(labels + (<usize>i << 2));
    store<i32>(labelsAt + (<usize>(2 * i + 1) << 2), label);
    if (i > 0 && label != load<i32>(labels + (<usize>(i - 1) << 2))) store<f64>(at<f64>(skipAt, 2 * i + 3), 1);
  }
}

/**
 * p̂(s) = exp(lp[t, l'_s] − m) into frame t's emission row, m the largest of them, returned (NaN, ±inf or −inf when
 * the frame has no finite largest: the caller leaves the fast path). One exp for the blank and one per label, the
 * labels' in the shares row first, then spread over the positions.
 */
function emissions(frame: usize, labels: usize, L: i32, blank: i32, t: i32, wide: bool): f64 {
  const e = emissionAt + <usize>t * rowBytes + 16;
  const held = sharesAt + 16;
  const lb = valueAt(frame, blank, wide);
  let m = lb;
  for (let i = 0; i < L; i++) {
    const v = valueAt(frame, load<i32>(labels + (<usize>i << 2)), wide);
    store<f64>(at<f64>(held, i), v);
    m = max(m, v);
  }
  if (!isFinite(m)) return m;
  if (ASC_FEATURE_SIMD) {
    // (an odd L's last vector takes one value past the labels, unused)
    const shift = f64x2.splat(m);
    for (let i = 0; i < L; i += 2) {
      v128.store(at<f64>(held, i), expNonPositiveF64x2(f64x2.sub(v128.load(at<f64>(held, i)), shift)));
    }
  } else {
    for (let i = 0; i < L; i++) store<f64>(at<f64>(held, i), Math.exp(load<f64>(at<f64>(held, i)) - m));
  }
  const pBlank = Math.exp(lb - m);
  for (let i = 0; i < L; i++) {
    store<f64>(at<f64>(e, 2 * i), pBlank);
    store<f64>(at<f64>(e, 2 * i + 1), load<f64>(at<f64>(held, i)));
  }
  store<f64>(at<f64>(e, 2 * L), pBlank);
  store<f64>(at<f64>(e, 2 * L + 1), 0); // (the vector loops' last lane)
  return m;
}

/**
 * α̃ of frame t from the row before (for frame 0 a row holding 1 at position 0: the path's start), scaled by
 * `scale`; returns the row's sum. Rows' data start 2 values in, after zeros, and have zeros after them: the vector
 * loop's last lane (S is odd) writes the zero at S, as p̂ is 0 there.
 */
function alphaStep(prev: usize, row: usize, e: usize, S: i32, scale: f64): f64 {
  const skip = skipAt + 16;
  let sum = 0.0;
  if (ASC_FEATURE_SIMD) {
    const k = f64x2.splat(scale);
    let total = f64x2.splat(0);
    for (let s = 0; s < S; s += 2) {
      const from = f64x2.add(
        f64x2.add(v128.load(at<f64>(prev, s)), v128.load(at<f64>(prev, s - 1))),
        f64x2.mul(v128.load(at<f64>(prev, s - 2)), v128.load(at<f64>(skip, s))),
      );
      const v = f64x2.mul(f64x2.mul(from, v128.load(at<f64>(e, s))), k);
      v128.store(at<f64>(row, s), v);
      total = f64x2.add(total, v);
    }
    return f64x2.extract_lane(total, 0) + f64x2.extract_lane(total, 1);
  }
  for (let s = 0; s < S; s++) {
    const from = load<f64>(at<f64>(prev, s)) + load<f64>(at<f64>(prev, s - 1)) +
      load<f64>(at<f64>(prev, s - 2)) * load<f64>(at<f64>(skip, s));
    const v = from * load<f64>(at<f64>(e, s)) * scale;
    store<f64>(at<f64>(row, s), v);
    sum += v;
  }
  return sum;
}

/** Zeroes a row's pads: two values before its S values, and those after them to the row's end. */
// @ts-ignore: decorator
@inline function padRow(row: usize, S: i32): void {
  store<f64>(row, 0);
  store<f64>(row + 8, 0);
  memory.fill(row + 16 + (<usize>S << 3), 0, rowBytes - 16 - (<usize>S << 3));
}

/** A row of zeros but 1 at position `s`: the row before frame 0 (s = 0), or after the last frame (s = S − 1). */
function startRow(row: usize, s: i32): usize {
  memory.fill(row, 0, rowBytes);
  store<f64>(at<f64>(row + 16, s), 1);
  return row + 16;
}

/** The forward pass: α̃ of frames [0, T); returns the nll, or NaN where the fast path cannot go on. */
function forward(lp: usize, frameBytes: usize, T: i32, labels: usize, L: i32, blank: i32, wide: bool): f64 {
  const S = 2 * L + 1;
  let logScale = 0.0;
  let sum = 1.0;
  let prev = startRow(betasAt, 0);
  for (let t = 0; t < T; t++) {
    const m = emissions(lp + <usize>t * frameBytes, labels, L, blank, t, wide);
    if (!isFinite(m)) return NaN;
    const row = alphaAt + <usize>t * rowBytes;
    padRow(row, S);
    logScale += Math.log(sum) + m;
    sum = alphaStep(prev, row + 16, emissionAt + <usize>t * rowBytes + 16, S, 1 / sum);
    if (!(sum > 0) || !isFinite(sum)) return NaN;
    prev = row + 16;
  }
  const end = load<f64>(at<f64>(prev, S - 1)) + (S > 1 ? load<f64>(at<f64>(prev, S - 2)) : 0);
  return end > 0 ? -(logScale + Math.log(end)) : NaN;
}

/**
 * β̃ of frame t from frame t + 1's β̂ (`next`; after the last frame a row holding 1 at position S − 1: the path's
 * end), the shares w = α̃_t · β̃, and into `row` β̂_t = β̃ · p̂_t · scale; their sums into wSum and betaSum.
 */
function betaStep(alphaRow: usize, next: usize, row: usize, e: usize, S: i32, scale: f64): void {
  const shares = sharesAt + 16;
  const skip = skipAt + 16;
  if (ASC_FEATURE_SIMD) {
    const k = f64x2.splat(scale);
    let wTotal = f64x2.splat(0);
    let bTotal = f64x2.splat(0);
    for (let s = 0; s < S; s += 2) {
      const to = f64x2.add(
        f64x2.add(v128.load(at<f64>(next, s)), v128.load(at<f64>(next, s + 1))),
        f64x2.mul(v128.load(at<f64>(next, s + 2)), v128.load(at<f64>(skip, s + 2))),
      );
      const w = f64x2.mul(v128.load(at<f64>(alphaRow, s)), to);
      v128.store(at<f64>(shares, s), w);
      const b = f64x2.mul(f64x2.mul(to, v128.load(at<f64>(e, s))), k);
      v128.store(at<f64>(row, s), b);
      wTotal = f64x2.add(wTotal, w);
      bTotal = f64x2.add(bTotal, b);
    }
    wSum = f64x2.extract_lane(wTotal, 0) + f64x2.extract_lane(wTotal, 1);
    betaSum = f64x2.extract_lane(bTotal, 0) + f64x2.extract_lane(bTotal, 1);
    return;
  }
  wSum = 0;
  betaSum = 0;
  for (let s = 0; s < S; s++) {
    const to = load<f64>(at<f64>(next, s)) + load<f64>(at<f64>(next, s + 1)) +
      load<f64>(at<f64>(next, s + 2)) * load<f64>(at<f64>(skip, s + 2));
    const w = load<f64>(at<f64>(alphaRow, s)) * to;
    store<f64>(at<f64>(shares, s), w);
    const b = to * load<f64>(at<f64>(e, s)) * scale;
    store<f64>(at<f64>(row, s), b);
    wSum += w;
    betaSum += b;
  }
}

/** betaStep's two sums: Σ w and Σ β̂ (globals: the kernels allocate nothing). */
let wSum: f64 = 0;
let betaSum: f64 = 0;

/**
 * 0, −inf and NaN in four f32 lanes each, read from memory: V8 13.6 (Node 24) rebuilds a v128 constant inside the
 * loop at each use (see math/exp.ts).
 */
const F32X4_SPECIAL = memory.data<f32>(
  [0, 0, 0, 0, -Infinity, -Infinity, -Infinity, -Infinity, NaN, NaN, NaN, NaN],
  16,
);

/**
 * grad[t, c] = (exp(lp[t, c]) − share[c] · invTotal) · g, NaN where lp[t, c] = −inf, for c in [0, C): in float32
 * (exp within 1.3 ulps) and four lanes for float32 log-probabilities; float64 ones one at a time (the download
 * budget had no room for a second vector exp here).
 */
function gradRow<T>(frame: usize, out: usize, perClass: usize, C: i32, invTotal: f64, g: f64): void {
  let c = 0;
  if (ASC_FEATURE_SIMD) {
    if (sizeof<T>() == 4) {
      // float32 throughout, as PyTorch's float32: the shares rounded once from their float64 sums
      const k4 = f32x4.splat(<f32>invTotal);
      const g4 = f32x4.splat(<f32>g);
      for (; c + 4 <= C; c += 4) {
        const x = v128.load(at<T>(frame, c));
        const nonPositive = !v128.any_true(f32x4.gt(x, v128.load(F32X4_SPECIAL)));
        const e = nonPositive ? expNonPositiveF32x4(x) : expF32x4(x);
        const share = v128.shuffle<i64>(
          f32x4.demote_f64x2_zero(v128.load(at<f64>(perClass, c))),
          f32x4.demote_f64x2_zero(v128.load(at<f64>(perClass, c + 2))),
          0,
          2,
        );
        const v = f32x4.mul(f32x4.sub(e, f32x4.mul(share, k4)), g4);
        const minusInf = f32x4.eq(x, v128.load(F32X4_SPECIAL + 16));
        v128.store(at<T>(out, c), v128.bitselect(v128.load(F32X4_SPECIAL + 32), v, minusInf));
      }
    }
  }
  for (; c < C; c++) {
    const x = load<T>(at<T>(frame, c));
    const share = <T>load<f64>(at<f64>(perClass, c));
    const v = x == <T>-Infinity ? <T>NaN : (expScalar<T>(x) - share * <T>invTotal) * <T>g;
    store<T>(at<T>(out, c), v);
  }
}

/** Below this Σ w the shares may have underflowed (α̃ and β̃ each fine, their products not). */
// @ts-ignore: decorator
@inline const TINY: f64 = 1e-280;

/**
 * The shares of a frame whose products α̃ · β̃ underflow, taken through logs: w(s) = exp(log α̃(s) + log β̃(s) − M),
 * M the largest; their sum into wSum (0 when every α̃ · β̃ is 0: the sequence then goes to log space).
 */
function sharesInLogSpace(alphaRow: usize, next: usize, S: i32): void {
  const shares = sharesAt + 16;
  const skip = skipAt + 16;
  let M = -Infinity;
  for (let s = 0; s < S; s++) {
    const to = load<f64>(at<f64>(next, s)) + load<f64>(at<f64>(next, s + 1)) +
      load<f64>(at<f64>(next, s + 2)) * load<f64>(at<f64>(skip, s + 2));
    const lw = Math.log(load<f64>(at<f64>(alphaRow, s))) + Math.log(to);
    store<f64>(at<f64>(shares, s), lw);
    M = max(M, lw);
  }
  wSum = 0;
  if (!(M > -Infinity)) return;
  for (let s = 0; s < S; s++) {
    const w = Math.exp(load<f64>(at<f64>(shares, s)) - M);
    store<f64>(at<f64>(shares, s), w);
    wSum += w;
  }
}

/** The backward pass and the gradient of frames [0, T); false where the fast path cannot go on. */
function backward(lp: usize, frameBytes: usize, T: i32, C: i32, S: i32, grad: usize, g: f64, wide: bool): bool {
  memory.fill(perClassAt, 0, <usize>C << 3);
  let scale = 1.0;
  startRow(betasAt + <usize>(T & 1) * rowBytes, S - 1);
  for (let t = T - 1; t >= 0; t--) {
    const frame = lp + <usize>t * frameBytes;
    const row = betasAt + <usize>(t & 1) * rowBytes;
    const next = betasAt + <usize>((t + 1) & 1) * rowBytes + 16;
    padRow(row, S);
    const alphaRow = alphaAt + <usize>t * rowBytes + 16;
    betaStep(alphaRow, next, row + 16, emissionAt + <usize>t * rowBytes + 16, S, scale);
    if (!(betaSum > 0) || !isFinite(betaSum) || !isFinite(wSum)) return false;
    if (!(wSum > TINY)) sharesInLogSpace(alphaRow, next, S);
    if (!(wSum > 0)) return false;
    scale = 1 / betaSum;
    for (let s = 0; s < S; s++) {
      const c = at<f64>(perClassAt, load<i32>(labelsAt + (<usize>s << 2)));
      store<f64>(c, load<f64>(c) + load<f64>(at<f64>(sharesAt + 16, s)));
    }
    const out = grad + <usize>t * frameBytes;
    if (wide) gradRow<f64>(frame, out, perClassAt, C, 1 / wSum, g);
    else gradRow<f32>(frame, out, perClassAt, C, 1 / wSum, g);
    for (let s = 0; s < S; s++) store<f64>(at<f64>(perClassAt, load<i32>(labelsAt + (<usize>s << 2))), 0);
  }
  return true;
}

/**
 * One sequence: its nll stored at `lossOut`, and with `grad` its gradient (frames · C values, frameBytes apart;
 * float64 when `wide`, else float32).
 */
function sequence(
  lp: usize, frameBytes: usize, frames: i32, C: i32, T: i32, labels: usize, L: i32, blank: i32,
  lossOut: usize, grad: usize, g: f64, zeroInfinity: bool, wide: bool,
): void {
  const S = 2 * L + 1;
  if (T > 0) {
    prepare(labels, L, blank);
    const nll = forward(lp, frameBytes, T, labels, L, blank, wide);
    if (nll == nll) {
      store<f64>(lossOut, nll);
      if (!grad) return;
      zeroFrames(grad, frameBytes, C, T, frames, wide);
      if (backward(lp, frameBytes, T, C, S, grad, g, wide)) return;
    }
  }
  // (with T = 0 it reads no label: the rows need no preparing)
  sequenceInLogSpace(
    lp, frameBytes, frames, C, T, L, labelsAt, skipAt + 16, alphaAt, betasAt, perClassAt, lossOut, grad, g,
    zeroInfinity, wide,
  );
}

/**
 * `batch` sequences of F.ctc_loss: each one's nll (f64) into lossOut, and with `grad` PyTorch's gradient times
 * gradScales[n]. Sequence n's log-probabilities start at logProbs + n · classes values, its frames frameStride values
 * apart (the same layout for grad); its labels are row n of `targets` (maxTarget i32 each), its lengths
 * inputLengths[n] ≤ frames and targetLengths[n] ≤ maxTarget; its scratch is ctcScratchValues f64 from
 * scratch + n · that (16-byte aligned).
 */
export function ctcLossRows<T>(
  logProbs: usize, batch: i32, classes: i32, frameStride: i32, frames: i32,
  targets: usize, maxTarget: i32, inputLengths: usize, targetLengths: usize, scratch: usize,
  lossOut: usize, grad: usize, gradScales: usize, blank: i32, zeroInfinity: i32,
): void {
  const wide = sizeof<T>() == 8;
  const frameBytes = <usize>frameStride << (wide ? 3 : 2);
  const scratchBytes = <usize>ctcScratchValues(frames, maxTarget, classes) * 8;
  for (let n = 0; n < batch; n++) {
    place(scratch + <usize>n * scratchBytes, frames, maxTarget);
    const offset = <usize>(n * classes) << (wide ? 3 : 2);
    const g = grad ? load<f64>(gradScales + (<usize>n << 3)) : 0;
    const T = load<i32>(inputLengths + (<usize>n << 2));
    const L = load<i32>(targetLengths + (<usize>n << 2));
    const labels = targets + (<usize>(n * maxTarget) << 2);
    const out = grad ? grad + offset : 0;
    sequence(logProbs + offset, frameBytes, frames, classes, T, labels, L, blank, lossOut + (<usize>n << 3), out, g,
      zeroInfinity != 0, wide);
  }
}
