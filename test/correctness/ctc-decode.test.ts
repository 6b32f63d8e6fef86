// ctcForcedAlign, ctcGreedyDecode and ctcBeamSearch against the float64 references (reference/ctc-align.ts,
// reference/ctc-decode.ts): the same paths, token spans, labels and hypotheses on random emissions and on fixtures
// with repeated labels and long runs of blanks; the beam's scores against ctcLoss's exact log-probabilities.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  makeRandom,
  refCtcBeamSearch,
  refCtcForcedAlign,
  refCtcGreedyDecode,
  refCtcTokenSpans,
} from '../../reference/index.js';
import { ctcBeamSearch, ctcForcedAlign, ctcGreedyDecode, ctcLoss, init } from '../../src/index.js';

type Random = ReturnType<typeof makeRandom>;

beforeAll(() => init());

/** Random log-softmax emissions [T, C]; frames in `blankRuns` put most of their mass on the blank. */
function emissions(random: Random, T: number, C: number, blankRuns: (t: number) => boolean = () => false) {
  const lp = new Float64Array(T * C);
  for (let t = 0; t < T; t++) {
    const p = Array.from({ length: C }, (_, c) => random.next() + (c === 0 && blankRuns(t) ? 8 : 0));
    const sum = p.reduce((a, v) => a + v, 0);
    for (let c = 0; c < C; c++) lp[t * C + c] = Math.log(p[c] / sum);
  }
  return lp;
}

/** A transcript of L labels in [1, C), each repeating the one before it with probability 0.3. */
const transcript = (random: Random, L: number, C: number) => {
  const labels: number[] = [];
  for (let i = 0; i < L; i++) labels.push(i > 0 && random.next() < 0.3 ? labels[i - 1] : 1 + random.int(C - 1));
  return labels;
};

describe('ctcForcedAlign', () => {
  it('gives the reference Viterbi path, its frame log-probabilities and its token spans', () => {
    const random = makeRandom(2601);
    let compared = 0;
    for (let trial = 0; trial < 150; trial++) {
      const [T, C] = [1 + random.int(60), 2 + random.int(6)];
      const runs = trial % 2 === 0 ? (t: number) => t % 17 < 9 : undefined; // long blank runs, every other trial
      const lp = emissions(random, T, C, runs);
      const targets = transcript(random, random.int(Math.min(T, 12) + 1), C);
      const want = refCtcForcedAlign(lp, T, C, targets);
      const label = `trial ${trial}: T ${T}, C ${C}, targets [${targets}]`;
      if (!want) {
        expect(() => ctcForcedAlign({ data: lp, shape: [T, C] }, targets), label).toThrow(
          /ctcForcedAlign: the targets need/,
        );
        continue;
      }
      const got = ctcForcedAlign({ data: lp, shape: [T, C] }, Int32Array.from(targets));
      expect(Array.from(got.labels), label).toEqual(Array.from(want.labels));
      expect(Array.from(got.frameLogProbs), label).toEqual(Array.from(want.frameLogProbs));
      expect(got.score, label).toBeCloseTo(want.score, 12);
      const spans = refCtcTokenSpans(want.labels, Array.from(want.frameLogProbs, Math.exp));
      expect(
        got.spans.map(({ score, ...at }) => at),
        label,
      ).toEqual(spans.map(({ score, ...at }) => at));
      for (const [i, span] of got.spans.entries()) expect(span.score, label).toBeCloseTo(spans[i].score, 14);
      expect(
        got.spans.map((s) => s.token),
        label,
      ).toEqual(targets);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('takes torchaudio’s (1, T, C) and float32, and breaks ties as torchaudio does', () => {
    const uniform = new Float32Array(4 * 3);
    expect(Array.from(ctcForcedAlign({ data: uniform, shape: [1, 4, 3] }, [[1, 2]].flat()).labels)).toEqual([
      1, 2, 2, 2,
    ]);
    const one = ctcForcedAlign(
      { data: new Float32Array(3 * 3), shape: [3, 3] },
      { data: Int32Array.of(1, 1), shape: [1, 2] },
    );
    expect(Array.from(one.labels)).toEqual([1, 0, 1]);
    expect(one.frameLogProbs).toBeInstanceOf(Float32Array);
    expect(one.spans).toEqual([
      { token: 1, start: 0, end: 1, score: 1 },
      { token: 1, start: 2, end: 3, score: 1 },
    ]);
    const empty = ctcForcedAlign({ data: new Float64Array(0), shape: [0, 3] }, []);
    expect([empty.labels.length, empty.score, empty.spans]).toEqual([0, 0, []]);
  });

  it('aligns where every path has probability 0, with score −∞', () => {
    const lp = new Float64Array(3 * 3).fill(-Infinity);
    const got = ctcForcedAlign({ data: lp, shape: [3, 3] }, [2]);
    expect(got.score).toBe(-Infinity);
    expect(got.labels.length).toBe(3);
  });
});

describe('ctcGreedyDecode', () => {
  it('decodes each sequence of a batch as the reference does, up to its input length', () => {
    const random = makeRandom(2602);
    const [T, N, C] = [30, 5, 4];
    const lp = new Float64Array(T * N * C);
    const seqs = Array.from({ length: N }, () => emissions(random, T, C, (t) => t % 5 < 2));
    for (let t = 0; t < T; t++)
      for (let n = 0; n < N; n++) lp.set(seqs[n].subarray(t * C, (t + 1) * C), (t * N + n) * C);
    const inputLengths = [30, 0, 7, 29, 1];
    const got = ctcGreedyDecode({ data: Float32Array.from(lp), shape: [T, N, C] }, { inputLengths });
    const want = seqs.map((s, n) => refCtcGreedyDecode(Float32Array.from(s), inputLengths[n], C));
    expect(Array.from(got.lengths)).toEqual(want.map((w) => w.length));
    expect(Array.from(got.tokens)).toEqual(want.flat());
    const blankLast = ctcGreedyDecode({ data: seqs[0], shape: [T, C] }, { blank: C - 1 });
    expect(Array.from(blankLast.tokens)).toEqual(refCtcGreedyDecode(seqs[0], T, C, C - 1));
  });
});

describe('ctcBeamSearch', () => {
  it('keeps the reference prefix beam search’s hypotheses and scores at every width', () => {
    const random = makeRandom(2603);
    for (let trial = 0; trial < 80; trial++) {
      const [T, C, width] = [1 + random.int(9), 2 + random.int(5), 1 + random.int(5)];
      const lp = emissions(random, T, C);
      // (the reference keeps impossible prefixes, of probability 0, where the beam has room; ctcBeamSearch drops them)
      const want = refCtcBeamSearch(lp, T, C, width).filter((h) => h.score > -Infinity);
      const got = ctcBeamSearch({ data: lp, shape: [T, C] }, { beamWidth: width });
      const label = `trial ${trial}: T ${T}, C ${C}, width ${width}`;
      expect(
        got.map((h) => Array.from(h.tokens)),
        label,
      ).toEqual(want.map((h) => h.tokens));
      got.forEach((h, i) => {
        expect(h.logProb, label).toBeCloseTo(want[i].score, 12);
        expect(h.score, label).toBe(h.logProb);
      });
    }
  });

  it('of width 1 reads what greedy decoding reads on peaked emissions where no label repeats', () => {
    const random = makeRandom(2606);
    let compared = 0;
    for (let trial = 0; trial < 200; trial++) {
      const [T, C] = [1 + random.int(15), 2 + random.int(6)];
      // each frame's best class at 0.6 or more: the one-prefix beam follows it
      const lp = new Float64Array(T * C);
      for (let t = 0; t < T; t++) {
        const top = random.int(C);
        const rest = Array.from({ length: C }, (_, c) => (c === top ? 0 : 0.05 + random.next()));
        const total = rest.reduce((a, v) => a + v, 0);
        for (let c = 0; c < C; c++) lp[t * C + c] = Math.log(c === top ? 0.6 : (0.4 * rest[c]) / total);
      }
      const greedy = Array.from(ctcGreedyDecode({ data: lp, shape: [T, C] }).tokens);
      if (greedy.some((token, i) => i > 0 && token === greedy[i - 1])) continue;
      const [best] = ctcBeamSearch({ data: lp, shape: [T, C] }, { beamWidth: 1 });
      expect(Array.from(best.tokens), `trial ${trial}`).toEqual(greedy);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('scores each label sequence by its exact log-probability when the beam holds every prefix', () => {
    const random = makeRandom(2604);
    const [T, C] = [6, 3];
    const lp = emissions(random, T, C);
    for (const h of ctcBeamSearch({ data: lp, shape: [T, C] }, { beamWidth: 1000 })) {
      const nll = ctcLoss({ data: lp, shape: [T, C] }, h.tokens, T, h.tokens.length, { reduction: 'sum' });
      expect(h.logProb, `[${h.tokens}]`).toBeCloseTo(-(nll as number), 12);
    }
  });

  it('adds a log-prior and a language model’s score to each appended label', () => {
    const random = makeRandom(2605);
    const [T, C] = [8, 4];
    const lp = emissions(random, T, C);
    const tokenLogPrior = [0, -0.5, -1, -2];
    const asked: string[] = [];
    const languageModel = (prefix: Int32Array, token: number) => {
      asked.push(`${Array.from(prefix)}|${token}`);
      return -0.25 * (prefix.length + 1);
    };
    const got = ctcBeamSearch({ data: lp, shape: [T, C] }, { beamWidth: 6, tokenLogPrior, languageModel });
    for (const h of got) {
      const tokens = Array.from(h.tokens);
      const bonus = tokens.reduce((a, c, i) => a + tokenLogPrior[c] - 0.25 * (i + 1), 0);
      expect(h.score).toBeCloseTo(h.logProb + bonus, 12);
    }
    expect(new Set(asked).size).toBe(asked.length); // each prefix and label asked once
    expect(got.map((h) => h.score)).toEqual(got.map((h) => h.score).sort((a, b) => b - a));
    // a prior of −∞ on a label keeps it out of every hypothesis
    const without = ctcBeamSearch({ data: lp, shape: [T, C] }, { tokenLogPrior: [0, -Infinity, 0, 0] });
    expect(without.every((h) => !h.tokens.includes(1))).toBe(true);
  });
});
