// CTC decoding of one sequence: greedy (each frame's most probable class, repeats merged, blanks dropped) and
// prefix beam search, where each prefix carries the log-probability of its alignments ending in a blank and in its
// last label, and the beam keeps the `width` prefixes of the highest score after every frame.
import type { Emissions } from './ctc-align.js';

/** The most probable class of each frame (the first of equals; NaN counts as the most, as in torch.argmax). */
function argmax(data: ArrayLike<number>, from: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) {
    const v = data[from + c];
    if (v > data[from + best] || (Number.isNaN(v) && !Number.isNaN(data[from + best]))) best = c;
  }
  return best;
}

/** Greedy decoding of one sequence, its labels appended to `out`. */
export function greedyTokens(e: Emissions, classes: number, blank: number, out: number[]): void {
  let previous = -1;
  for (let t = 0; t < e.frames; t++) {
    const best = argmax(e.data, e.offset + t * e.frameStride, classes);
    if (best !== blank && best !== previous) out.push(best);
    previous = best;
  }
}

/** A prefix: its last label and parent (the empty prefix has none), its length, the bonus its labels got from the
 * prior and the hook, and its extensions made so far (so that a prefix is one object however it is reached). */
interface Prefix {
  parent?: Prefix;
  token: number;
  length: number;
  bonus: number;
  kids?: Map<number, Prefix>;
}

/** A prefix in the beam after a frame: the log-probability of its alignments ending in a blank and in its label. */
interface Entry {
  prefix: Prefix;
  blank: number;
  label: number;
}

/** The labels of a prefix, first to last. */
function tokensOf(p: Prefix): Int32Array {
  const tokens = new Int32Array(p.length);
  for (let q: Prefix | undefined = p; q?.parent; q = q.parent) tokens[q.length - 1] = q.token;
  return tokens;
}

/** What the search adds to a prefix's score when it appends a label. */
export interface BeamBonus {
  prior?: Float64Array;
  hook?: (prefix: Int32Array, token: number) => number;
}

/** The prefix `p` followed by `c`: made once, its bonus asked of the prior and the hook then. */
function extension(p: Prefix, c: number, bonus: BeamBonus): Prefix {
  p.kids ??= new Map();
  let child = p.kids.get(c);
  if (!child) {
    const lm: unknown = bonus.hook ? bonus.hook(tokensOf(p), c) : 0;
    if (typeof lm !== 'number' || Number.isNaN(lm) || lm === Infinity) {
      throw new TypeError(
        'ctcBeamSearch: options.languageModel must return a log-score (a number, not NaN or +Infinity), ' +
          `received ${String(lm)}`,
      );
    }
    child = { parent: p, token: c, length: p.length + 1, bonus: p.bonus + (bonus.prior ? bonus.prior[c] : 0) + lm };
    p.kids.set(c, child);
  }
  return child;
}

/** The frame's `count` most probable labels other than the blank (by log-probability plus prior). */
function candidates(e: Emissions, t: number, classes: number, blank: number, count: number, prior?: Float64Array) {
  const at = e.offset + t * e.frameStride;
  const score = (c: number) => e.data[at + c] + (prior ? prior[c] : 0);
  const top: number[] = [];
  for (let c = 0; c < classes; c++) {
    if (c === blank || !(score(c) > -Infinity)) continue;
    if (top.length === count && !(score(c) > score(top[count - 1]))) continue;
    let i = top.length;
    while (i > 0 && score(c) > score(top[i - 1])) i--;
    top.splice(i, 0, c);
    if (top.length > count) top.pop();
  }
  return top;
}

/**
 * Prefix beam search of one sequence: the `width` best prefixes, best first, with their score (log p of the
 * alignments kept plus the bonuses) and log-probability. Each prefix is extended by the frame's `width` + 1 most
 * probable labels (no other extension can rank among the width best), and by any label that makes a prefix already in
 * the beam (so that no alignment of a kept prefix is lost). `logAdd`: log(e^a + e^b).
 */
export function beamSearch(
  e: Emissions,
  classes: number,
  blank: number,
  width: number,
  bonus: BeamBonus,
  logAdd: (a: number, b: number) => number,
) {
  const total = (p: Entry) => logAdd(p.blank, p.label);
  const rank = (p: Entry) => total(p) + p.prefix.bonus;
  let beam: Entry[] = [{ prefix: { token: -1, length: 0, bonus: 0 }, blank: 0, label: -Infinity }];
  for (let t = 0; t < e.frames && beam.length > 0; t++) {
    const at = e.offset + t * e.frameStride;
    const next = new Map<Prefix, Entry>();
    const entry = (prefix: Prefix) => {
      let found = next.get(prefix);
      if (!found) {
        found = { prefix, blank: -Infinity, label: -Infinity };
        next.set(prefix, found);
      }
      return found;
    };
    for (const p of beam) {
      // the prefix stays itself: a blank, or its last label again
      const stay = entry(p.prefix);
      stay.blank = logAdd(stay.blank, total(p) + e.data[at + blank]);
      if (p.prefix.length > 0) stay.label = logAdd(stay.label, p.label + e.data[at + p.prefix.token]);
    }
    // the width best labels besides a prefix's last (whose extension needs a blank between) are among these
    const top = candidates(e, t, classes, blank, width + 1, bonus.prior);
    for (const p of beam) {
      const labels = new Set(top);
      for (const q of beam) if (q.prefix.parent === p.prefix) labels.add(q.prefix.token);
      for (const c of labels) {
        const grown = entry(extension(p.prefix, c, bonus));
        // a repeat of the last label needs a blank between
        const from = c === p.prefix.token ? p.blank : total(p);
        grown.label = logAdd(grown.label, from + e.data[at + c]);
      }
    }
    beam = [...next.values()]
      .filter((p) => rank(p) > -Infinity)
      .sort((a, b) => rank(b) - rank(a))
      .slice(0, width);
  }
  return beam.map((p) => ({ tokens: tokensOf(p.prefix), score: rank(p), logProb: total(p) }));
}
