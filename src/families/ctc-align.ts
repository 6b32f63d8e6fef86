// CTC forced alignment of one sequence: the Viterbi path through the extended target (blanks around and between
// the labels), as torchaudio's forced_align chooses it:
//   δ_t(s) = max(δ_{t−1}(s), δ_{t−1}(s − 1), δ_{t−1}(s − 2) where l'_s ≠ l'_{s−2}) + lp[t, l'_s],
// ties among predecessors going to staying, then advancing, then skipping (where an advance and a skip tie above
// the stay, the advance), and the path ending on the last label unless the final blank scores strictly more.
// δ in float64, two rows; the moves one byte per frame and position.
import type { CtcTokenSpan } from '../types.js';

/** One sequence's log-probabilities: frame t's class c at data[offset + t · frameStride + c]. */
export interface Emissions {
  data: ArrayLike<number>;
  offset: number;
  frameStride: number;
  frames: number;
}

/** A Viterbi path: each frame's label (the frames must be at least the labels plus their repeated neighbours; where
 * every path has probability 0 the path the ties choose). */
export function viterbiLabels(e: Emissions, labels: ArrayLike<number>, blank: number): Int32Array {
  const { data, offset, frameStride, frames: T } = e;
  const L = labels.length;
  const S = 2 * L + 1;
  if (T === 0) return new Int32Array(0);
  const label = (s: number) => (s & 1 ? labels[s >> 1] : blank);
  let delta = new Float64Array(S).fill(-Infinity);
  let next = new Float64Array(S);
  delta[0] = data[offset + blank];
  if (L > 0) delta[1] = data[offset + label(1)];
  const moves = new Uint8Array(T * S);
  for (let t = 1; t < T; t++) {
    const frame = offset + t * frameStride;
    for (let s = 0; s < S; s++) {
      const stay = delta[s];
      const advance = s > 0 ? delta[s - 1] : -Infinity;
      const skip = s & 1 && s > 1 && labels[s >> 1] !== labels[(s >> 1) - 1] ? delta[s - 2] : -Infinity;
      const move = skip > advance && skip > stay ? 2 : advance > stay ? 1 : 0;
      moves[t * S + s] = move;
      next[s] = (move === 0 ? stay : move === 1 ? advance : skip) + data[frame + label(s)];
    }
    [delta, next] = [next, delta];
  }
  let s = L > 0 && !(delta[S - 1] > delta[S - 2]) ? S - 2 : S - 1;
  const path = new Int32Array(T);
  for (let t = T - 1; t >= 0; t--) {
    path[t] = label(s);
    s -= moves[t * S + s];
  }
  return path;
}

/** The runs of equal labels other than the blank (torchaudio's merge_tokens), scored by mean probability (`exp`:
 * the same bits in every engine). */
export function tokenSpans(
  path: Int32Array,
  frameLogProbs: ArrayLike<number>,
  blank: number,
  exp: (x: number) => number,
): CtcTokenSpan[] {
  const spans: CtcTokenSpan[] = [];
  for (let start = 0; start < path.length; ) {
    let end = start + 1;
    while (end < path.length && path[end] === path[start]) end++;
    if (path[start] !== blank) {
      let sum = 0;
      for (let t = start; t < end; t++) sum += exp(frameLogProbs[t]);
      spans.push({ token: path[start], start, end, score: sum / (end - start) });
    }
    start = end;
  }
  return spans;
}
