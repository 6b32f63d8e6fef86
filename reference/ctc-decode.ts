// CTC decoding in float64, plainly: greedy (the most probable class of each frame, repeats collapsed, blanks dropped),
// the token spans of an alignment (torchaudio's merge_tokens), and prefix beam search over label sequences, where
// each prefix carries the log-probability of its alignments that end in a blank and in its last label.
import { logAddExp3 } from './ctc.js';

/** The most probable class of each of T frames (the first on ties), collapsed: repeats merged, blanks dropped. */
export function refCtcGreedyDecode(lp: ArrayLike<number>, T: number, C: number, blank = 0): number[] {
  const tokens: number[] = [];
  let previous = -1;
  for (let t = 0; t < T; t++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (lp[t * C + c] > lp[t * C + best]) best = c;
    if (best !== blank && best !== previous) tokens.push(best);
    previous = best;
  }
  return tokens;
}

export interface RefTokenSpan {
  token: number;
  /** The first frame. */
  start: number;
  /** One past the last frame. */
  end: number;
  /** The mean of the span's frame scores. */
  score: number;
}

/** The runs of equal labels other than the blank in a frame alignment, each with the mean of its frames' scores. */
export function refCtcTokenSpans(labels: ArrayLike<number>, scores: ArrayLike<number>, blank = 0): RefTokenSpan[] {
  const spans: RefTokenSpan[] = [];
  for (let start = 0; start < labels.length; ) {
    let end = start + 1;
    while (end < labels.length && labels[end] === labels[start]) end++;
    if (labels[start] !== blank) {
      let sum = 0;
      for (let t = start; t < end; t++) sum += scores[t];
      spans.push({ token: labels[start], start, end, score: sum / (end - start) });
    }
    start = end;
  }
  return spans;
}

const logAdd = (a: number, b: number) => logAddExp3(a, b, -Infinity);

export interface RefHypothesis {
  tokens: number[];
  /** log p(tokens | emissions): the log of the sum over its alignments (within the beam). */
  score: number;
}

/**
 * Prefix beam search: after each frame, the `beamWidth` prefixes of the highest total log-probability. With a beam as
 * wide as every prefix, each score is the exact log-probability of its label sequence.
 */
export function refCtcBeamSearch(
  lp: ArrayLike<number>,
  T: number,
  C: number,
  beamWidth: number,
  blank = 0,
): RefHypothesis[] {
  // prefix (labels joined) → [log p ending in a blank, log p ending in its last label]
  let beams = new Map<string, { tokens: number[]; blank: number; label: number }>([
    ['', { tokens: [], blank: 0, label: -Infinity }],
  ]);
  for (let t = 0; t < T; t++) {
    const next = new Map<string, { tokens: number[]; blank: number; label: number }>();
    const entry = (tokens: number[]) => {
      const key = tokens.join(',');
      const found = next.get(key);
      if (found) return found;
      const made = { tokens, blank: -Infinity, label: -Infinity };
      next.set(key, made);
      return made;
    };
    for (const { tokens, blank: pb, label: pl } of beams.values()) {
      const total = logAdd(pb, pl);
      const stay = entry(tokens);
      stay.blank = logAdd(stay.blank, total + lp[t * C + blank]);
      const last = tokens.at(-1);
      if (last !== undefined) stay.label = logAdd(stay.label, pl + lp[t * C + last]); // the last label repeated
      for (let c = 0; c < C; c++) {
        if (c === blank) continue;
        const grown = entry([...tokens, c]);
        // a repeat of the last label needs a blank between
        grown.label = logAdd(grown.label, (c === last ? pb : total) + lp[t * C + c]);
      }
    }
    const ranked = [...next.entries()].sort(
      ([ka, a], [kb, b]) => logAdd(b.blank, b.label) - logAdd(a.blank, a.label) || (ka < kb ? -1 : 1),
    );
    beams = new Map(ranked.slice(0, beamWidth));
  }
  return [...beams.values()].map(({ tokens, blank: pb, label: pl }) => ({ tokens, score: logAdd(pb, pl) }));
}
