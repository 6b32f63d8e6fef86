// Section 7 of the demo page, "CTC: a transcript aligned to frames": a made-up emission matrix (24 frames of a
// spoken "hello" over the classes blank, a, e, h, l, o) and the lattice of a transcript's extended labels. Plain
// functions, shared with the tests.

/** The classes: the blank (shown as _) first. */
export const ALPHABET = ['_', 'a', 'e', 'h', 'l', 'o'];

/** What each frame "heard": the class most of its probability goes to. */
const HEARD = '__hhheee_lll__llooo_____';

/** The emission matrix: log-probabilities [24, 6], each frame's heard class at 0.6 to 0.95, the rest shared out. */
export function emissions() {
  const C = ALPHABET.length;
  const data = new Float32Array(HEARD.length * C);
  for (let t = 0; t < HEARD.length; t++) {
    const heard = ALPHABET.indexOf(HEARD[t]);
    const peak = 0.6 + 0.35 * (0.5 + 0.5 * Math.sin(1.7 * t + 0.3));
    const weights = ALPHABET.map((_, c) => (c === heard ? 0 : 1 + ((c * 7 + t * 3) % 5)));
    const total = weights.reduce((a, w) => a + w, 0);
    for (let c = 0; c < C; c++) data[t * C + c] = Math.log(c === heard ? peak : ((1 - peak) * weights[c]) / total);
  }
  return { data, shape: [HEARD.length, C] };
}

/** A transcript's labels, or the first character the alphabet lacks. */
export function labelsOf(text) {
  const labels = [];
  for (const ch of text.toLowerCase()) {
    const c = ALPHABET.indexOf(ch);
    if (c <= 0) return { missing: ch };
    labels.push(c);
  }
  return { labels };
}

/** Each frame's position in the extended labels (blank, l1, blank, …) along an alignment's per-frame labels. */
export function positionsOf(frameLabels, blank = 0) {
  const positions = [];
  let token = -1;
  let previous = blank;
  for (const label of frameLabels) {
    if (label !== blank && label !== previous) token++;
    positions.push(label === blank ? 2 * (token + 1) : 2 * token + 1);
    previous = label;
  }
  return positions;
}
