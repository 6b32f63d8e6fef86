// The demo's CTC panel in Node, with the library under test: its emission matrix is a distribution per frame, and
// the path it draws (each frame's position in the extended labels, from ctcForcedAlign's labels) is an alignment:
// it starts at the first blank or the first letter, moves by 0, 1 or 2 (2 only onto a letter that differs from the
// one before), spells the transcript, ends on the last letter or the blank after it, and scores the alignment's sum.
import { beforeAll, describe, expect, it } from 'vitest';
import { ALPHABET, emissions, labelsOf, positionsOf } from '../../demo/ctc/lattice.js';
import * as lib from '../../src/index.js';

beforeAll(() => lib.init());

describe('the CTC panel', () => {
  const lp = emissions();
  const [T, C] = lp.shape;

  it('has a distribution over the classes at each frame', () => {
    expect(C).toBe(ALPHABET.length);
    for (let t = 0; t < T; t++) {
      const sum = Array.from(lp.data.subarray(t * C, (t + 1) * C), Math.exp).reduce((a, p) => a + p, 0);
      expect(sum).toBeCloseTo(1, 6);
    }
  });

  it.each(['hello', 'helo', 'hallo', 'oh', 'l', 'hellllo'])('draws an alignment of “%s”', (text) => {
    const { labels } = labelsOf(text) as { labels: number[] };
    const S = 2 * labels.length + 1;
    const extended = Array.from({ length: S }, (_, s) => (s % 2 ? labels[(s - 1) / 2] : 0));
    const aligned = lib.ctcForcedAlign(lp, labels);
    const path = positionsOf(aligned.labels);
    expect(path).toHaveLength(T);
    expect(path[0]).toBeLessThanOrEqual(1);
    expect(path[T - 1]).toBeGreaterThanOrEqual(S - 2);
    path.forEach((s, t) => {
      expect(extended[s], `frame ${t}`).toBe(aligned.labels[t]);
      if (t === 0) return;
      const step = s - path[t - 1];
      expect([0, 1, 2], `frame ${t}`).toContain(step);
      if (step === 2) expect(extended[s] !== 0 && extended[s] !== extended[s - 2], `frame ${t}`).toBe(true);
    });
    const score = path.reduce((a, s, t) => a + lp.data[t * C + extended[s]], 0);
    expect(aligned.score).toBeCloseTo(score, 10);
  });

  it('names the first character the classes lack', () => {
    expect(labelsOf('help')).toEqual({ missing: 'p' });
    expect(labelsOf('Hello')).toEqual({ labels: [3, 2, 4, 4, 5] });
  });
});
