// The float64 CTC references (reference/ctc.ts, reference/ctc-align.ts) that the CTC kernels will be held to. The loss
// gives PyTorch's F.ctc_loss and autograd gradient on every golden case (test/golden/ctc_loss.json: both target
// layouts, every reduction, empty and repeated targets, impossible ones with and without zeroInfinity, C = 2 and 5000,
// T = 1), and its gradient is the derivative of the loss of logSoftmax(logits) with respect to the logits (central
// differences). The forced alignment is the best of every alignment (by enumeration), with torchaudio's tie-breaking.
// Prefix beam search as wide as every prefix scores each label sequence as the loss does and finds the most probable.
import { describe, expect, it } from 'vitest';
import {
  makeRandom,
  refCtcBeamSearch,
  refCtcForcedAlign,
  refCtcGreedyDecode,
  refCtcLoss,
  refCtcTokenSpans,
  refLogSoftmaxRow,
} from '../../reference/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { ctcGolden as golden, values } from '../helpers/ctc-golden.js';
import { decode } from '../helpers/golden.js';

describe('the CTC reference against PyTorch', () => {
  it('covers the cases the CTC issue lists', () => {
    const names = golden.cases.map((c) => c.name).join('\n');
    for (const topic of [
      'empty targets',
      'repeated labels',
      'target length = input length',
      'zeroInfinity true',
      'zeroInfinity false',
      'concatenated',
      'padded',
      'C = 2',
      'C = 5000',
      'T = 1',
      'none',
      'sum',
      'mean',
    ]) {
      expect(names).toContain(topic);
    }
  });

  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const lp = decode(c.logProbs);
    const [T, N, C] = lp.shape.length === 3 ? lp.shape : [lp.shape[0], 1, lp.shape[1]];
    const gradOutput = typeof c.gradOutput === 'number' ? c.gradOutput : values(c.gradOutput);
    const ref = refCtcLoss(
      lp.data,
      [T, N, C],
      decode(c.targets).data,
      c.targets.shape,
      decode(c.inputLengths).data,
      decode(c.targetLengths).data,
      { ...c.options, gradOutput },
    );
    const want = c.truth ?? c; // float64 cases are their own truth
    const bound = (e: number) => 1e-12 * (Math.abs(e) + 1);
    const loss = typeof ref.loss === 'number' ? [ref.loss] : Array.from(ref.loss);
    assertClose(loss, values(want.loss), { bound, label: `${c.name}: loss` });
    assertClose(ref.grad, values(want.grad), { bound, label: `${c.name}: grad` });
  });
});

describe('the CTC reference’s gradient', () => {
  it('is the derivative of the loss of logSoftmax(logits) with respect to the logits', () => {
    const random = makeRandom(26);
    for (const [T, N, C, reduction] of [
      [6, 2, 4, 'mean'],
      [5, 3, 3, 'sum'],
      [1, 1, 2, 'none'],
    ] as const) {
      const logits = Float64Array.from({ length: T * N * C }, () => random.uniform(-1.5, 1.5));
      const targetLengths = Array.from({ length: N }, (_, b) => Math.min(b + 1, Math.floor((T + 1) / 2)));
      const targets = targetLengths.flatMap((L) => Array.from({ length: L }, () => 1 + random.int(C - 1)));
      const inputLengths = Array.from({ length: N }, (_, b) => T - (b % 2));
      const lossOf = (z: Float64Array) => {
        const lp = new Float64Array(z.length);
        for (let r = 0; r < T * N; r++) lp.set(refLogSoftmaxRow(Array.from(z.subarray(r * C, (r + 1) * C))), r * C);
        const out = refCtcLoss(lp, [T, N, C], targets, [targets.length], inputLengths, targetLengths, { reduction });
        return { total: typeof out.loss === 'number' ? out.loss : out.loss.reduce((a, v) => a + v, 0), out };
      };
      const { grad } = lossOf(logits).out;
      const h = 1e-6;
      const numeric = Array.from(logits, (_, i) => {
        const [up, down] = [Float64Array.from(logits), Float64Array.from(logits)];
        up[i] += h;
        down[i] -= h;
        return (lossOf(up).total - lossOf(down).total) / (2 * h);
      });
      assertClose(grad, numeric, {
        bound: (e) => 1e-7 * (Math.abs(e) + 1),
        label: `T ${T} N ${N} C ${C} ${reduction}`,
      });
    }
  });
});

/** Every alignment of `targets` to T frames over C classes, by enumeration: the best score and its labels. */
function bruteForceAlign(lp: Float64Array, T: number, C: number, targets: number[]) {
  let best = { score: -Infinity, labels: [] as number[] };
  for (let code = 0; code < C ** T; code++) {
    const labels = Array.from({ length: T }, (_, t) => Math.floor(code / C ** t) % C);
    const collapsed = labels.filter((l, t) => l !== 0 && (t === 0 || l !== labels[t - 1]));
    if (collapsed.join() !== targets.join()) continue;
    const score = labels.reduce((sum, l, t) => sum + lp[t * C + l], 0);
    if (score > best.score) best = { score, labels };
  }
  return best;
}

describe('the CTC alignment reference', () => {
  it('finds the best of every alignment (by enumeration) on random emissions', () => {
    const random = makeRandom(261);
    for (let trial = 0; trial < 60; trial++) {
      const [T, C] = [1 + random.int(6), 2 + random.int(2)];
      const targets = Array.from({ length: random.int(Math.min(T, 3) + 1) }, () => 1 + random.int(C - 1));
      const lp = emissions(random, T, C);
      const best = bruteForceAlign(lp, T, C, targets);
      const found = refCtcForcedAlign(lp, T, C, targets);
      const label = `trial ${trial}: T ${T}, C ${C}, targets [${targets}]`;
      if (best.score === -Infinity) {
        expect(found, label).toBeUndefined();
        continue;
      }
      expect(Array.from(found?.labels ?? []), label).toEqual(best.labels);
      expect(found?.score, label).toBeCloseTo(best.score, 12);
      expect(Array.from(found?.frameLogProbs ?? []), label).toEqual(best.labels.map((l, t) => lp[t * C + l]));
    }
  });

  it('breaks ties as torchaudio does: staying before advancing, the last label before the final blank', () => {
    const uniform = new Float64Array(4 * 3);
    expect(Array.from(refCtcForcedAlign(uniform, 4, 3, [1, 2])?.labels ?? [])).toEqual([1, 2, 2, 2]);
    expect(Array.from(refCtcForcedAlign(uniform, 3, 3, [1])?.labels ?? [])).toEqual([1, 1, 1]);
    expect(Array.from(refCtcForcedAlign(uniform, 2, 3, [])?.labels ?? [])).toEqual([0, 0]);
  });

  it('needs a blank between repeats: no alignment when the frames are too few', () => {
    expect(refCtcForcedAlign(new Float64Array(2 * 3), 2, 3, [1, 1])).toBeUndefined();
    expect(Array.from(refCtcForcedAlign(new Float64Array(3 * 3), 3, 3, [1, 1])?.labels ?? [])).toEqual([1, 0, 1]);
    expect(refCtcForcedAlign(new Float64Array(0), 0, 3, [])).toBeUndefined();
  });
});

/** Random log-softmax emissions [T, C]; with `peak`, each frame's most probable class holds at least that mass. */
function emissions(random: ReturnType<typeof makeRandom>, T: number, C: number, peak = 0) {
  const lp = new Float64Array(T * C);
  for (let t = 0; t < T; t++) {
    const p = Array.from({ length: C }, () => random.next());
    const top = random.int(C);
    const rest = p.reduce((a, v, c) => a + (c === top ? 0 : v), 0);
    const row = p.map((v, c) => (c === top ? Math.max(peak, v / (rest + v)) : ((1 - Math.max(peak, 0)) * v) / rest));
    const sum = row.reduce((a, v) => a + v, 0);
    lp.set(
      row.map((v) => Math.log(v / sum)),
      t * C,
    );
  }
  return lp;
}

/** −nll of `tokens` under emissions [T, C]: the exact log-probability of the label sequence. */
const logProbOf = (lp: Float64Array, T: number, C: number, tokens: number[]) =>
  -refCtcLoss(lp, [T, 1, C], tokens, [tokens.length], [T], [tokens.length], { reduction: 'sum' }).nll[0];

describe('the CTC decoding references', () => {
  it('beam search as wide as every prefix scores each label sequence exactly and finds the most probable', () => {
    const random = makeRandom(262);
    for (let trial = 0; trial < 20; trial++) {
      const [T, C] = [1 + random.int(4), 2 + random.int(2)];
      const lp = emissions(random, T, C);
      const hypotheses = refCtcBeamSearch(lp, T, C, 1e9);
      for (const h of hypotheses.filter((h) => h.score > -Infinity)) {
        expect(h.score, `trial ${trial} [${h.tokens}]`).toBeCloseTo(logProbOf(lp, T, C, h.tokens), 12);
      }
      // every label sequence of up to T labels, scored exactly
      let best = { score: -Infinity, tokens: [] as number[] };
      for (let n = 0; n <= T; n++) {
        for (let code = 0; code < (C - 1) ** n; code++) {
          const tokens = Array.from({ length: n }, (_, i) => 1 + (Math.floor(code / (C - 1) ** i) % (C - 1)));
          const score = logProbOf(lp, T, C, tokens);
          if (score > best.score) best = { score, tokens };
        }
      }
      expect(hypotheses[0].tokens, `trial ${trial}`).toEqual(best.tokens);
    }
  });

  it('beam search of width 1 equals greedy decoding on peaked emissions where no label repeats', () => {
    const random = makeRandom(263);
    let compared = 0;
    for (let trial = 0; trial < 200; trial++) {
      const [T, C] = [1 + random.int(12), 2 + random.int(5)];
      const lp = emissions(random, T, C, 0.6);
      const greedy = refCtcGreedyDecode(lp, T, C);
      // a label repeated after a blank: the beam may keep the blank-separated pair as one (both are alignments)
      if (greedy.some((token, i) => i > 0 && token === greedy[i - 1])) continue;
      const [top] = refCtcBeamSearch(lp, T, C, 1);
      expect(top.tokens, `trial ${trial}`).toEqual(greedy);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('greedy decoding collapses repeats and drops blanks; spans are the runs of labels, scored by their mean', () => {
    const frames = [0, 1, 1, 0, 1, 2, 2, 0];
    const lp = new Float64Array(frames.flatMap((c) => [0, 1, 2].map((k) => (k === c ? -0.1 : -3))));
    expect(refCtcGreedyDecode(lp, frames.length, 3)).toEqual([1, 1, 2]);
    expect(refCtcGreedyDecode(lp, frames.length, 3, 1)).toEqual([0, 0, 2, 0]); // blank 1
    const scores = frames.map((_, t) => t / 10);
    expect(refCtcTokenSpans(frames, scores)).toEqual([
      { token: 1, start: 1, end: 3, score: 0.15000000000000002 },
      { token: 1, start: 4, end: 5, score: 0.4 },
      { token: 2, start: 5, end: 7, score: 0.55 },
    ]);
  });
});
