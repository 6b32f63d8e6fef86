// CTC forced alignment in float64: the Viterbi path of one sequence through the extended target l' (blanks around and
// between the labels), as torchaudio's forced_align (CPU) chooses it:
//   δ_t(s) = max(δ_{t−1}(s), δ_{t−1}(s − 1), δ_{t−1}(s − 2) where l'_s ≠ blank and l'_s ≠ l'_{s−2}) + lp[t, l'_s],
// the path ending on the last label unless the final blank scores strictly more. Ties among predecessors go to staying,
// then advancing one state, then skipping the blank, as torchaudio's comparisons do; where those would take a smaller
// predecessor (advancing and skipping tie above staying), the advance is taken, so the path always scores the maximum.

export interface RefCtcAlignment {
  /** The label of each frame (the blank or a target label). */
  labels: Int32Array;
  /** lp[t, labels[t]] of each frame. */
  frameLogProbs: Float64Array;
  /** The path's score: the sum of frameLogProbs. */
  score: number;
}

/** Stay (0), advance (1) or skip (2): the best predecessor, ties going to the smaller move. */
function bestMove(stay: number, advance: number, skip: number): 0 | 1 | 2 {
  if (skip > advance && skip > stay) return 2;
  if (advance > stay) return 1;
  return 0;
}

/**
 * The Viterbi alignment of `targets` (labels other than the blank) to the log-probabilities `lp` of one sequence,
 * [T, C] row-major; undefined where no alignment exists (T < L + the number of repeated neighbours).
 */
export function refCtcForcedAlign(
  lp: ArrayLike<number>,
  T: number,
  C: number,
  targets: readonly number[],
  blank = 0,
): RefCtcAlignment | undefined {
  const L = targets.length;
  const S = 2 * L + 1;
  const repeats = targets.filter((label, i) => i > 0 && label === targets[i - 1]).length;
  if (T < L + repeats || T === 0) return undefined;
  const label = (s: number) => (s % 2 === 0 ? blank : targets[(s - 1) / 2]);
  const canSkip = (s: number) => s % 2 === 1 && s > 1 && label(s) !== label(s - 2);
  let delta = new Float64Array(S).fill(-Infinity);
  delta[0] = lp[blank];
  if (L > 0) delta[1] = lp[label(1)];
  const moves = Array.from({ length: T }, () => new Uint8Array(S));
  for (let t = 1; t < T; t++) {
    const next = new Float64Array(S).fill(-Infinity);
    for (let s = 0; s < S; s++) {
      const advance = s > 0 ? delta[s - 1] : -Infinity;
      const skip = canSkip(s) ? delta[s - 2] : -Infinity;
      const move = bestMove(delta[s], advance, skip);
      moves[t][s] = move;
      next[s] = [delta[s], advance, skip][move] + lp[t * C + label(s)];
    }
    delta = next;
  }
  let s = L > 0 && !(delta[S - 1] > delta[S - 2]) ? S - 2 : S - 1;
  if (delta[s] === -Infinity) return undefined;
  const labels = new Int32Array(T);
  const frameLogProbs = new Float64Array(T);
  for (let t = T - 1; t >= 0; t--) {
    labels[t] = label(s);
    frameLogProbs[t] = lp[t * C + labels[t]];
    s -= moves[t][s];
  }
  return { labels, frameLogProbs, score: frameLogProbs.reduce((a, v) => a + v, 0) };
}
