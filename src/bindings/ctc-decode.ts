// CTC alignment and decoding: ctcForcedAlign (one sequence's Viterbi path and its token spans), ctcGreedyDecode
// (every sequence, concatenated) and ctcBeamSearch (one sequence's best label sequences). Plain loops over the
// log-probabilities where they lie, whose exp and log-add-exp are the WebAssembly build's: the same bits in every
// engine (Math.exp's last bit differs between them).
import { wasm } from '../core/instance.js';
import { freshResult } from '../core/pipeline/index.js';
import { checkInteger, describe, readOptions, shapeString } from '../core/validate.js';
import { tokenSpans, viterbiLabels } from '../families/ctc-align.js';
import { beamSearch, greedyTokens } from '../families/ctc-decode.js';
import { type CtcLayout, checkLabel, readBlank, readCtcInput, readLengths } from '../families/ctc-read.js';
import { readIndices } from '../families/targets.js';
import type {
  CtcAlignment,
  CtcBeamSearchOptions,
  CtcForcedAlignOptions,
  CtcGreedyDecodeOptions,
  CtcGreedyDecoding,
  CtcHypothesis,
  CtcTokenSpan,
  FloatArray,
  IndexTarget,
  TensorLike,
} from '../types.js';

/** One sequence's log-probabilities: (T, C), or torchaudio's (1, T, C). */
function oneSequence(caller: string, value: unknown): CtcLayout {
  const x = readCtcInput(caller, value);
  if (!x.batched) return x;
  if (x.shape[0] !== 1) {
    throw new RangeError(`${caller}: logProbs must be (T, C) or (1, T, C), received shape ${shapeString(x.shape)}`);
  }
  return { ...x, frames: x.shape[1], batch: 1, classes: x.shape[2], batched: false };
}

const emissionsOf = (x: CtcLayout, n = 0, frames = x.frames) => ({
  data: x.data,
  offset: n * x.classes,
  frameStride: x.batch * x.classes,
  frames,
});

/** A target's labels: (L) or (1, L), each a class other than the blank. */
function readLabels(caller: string, value: unknown, classes: number, blank: number): Int32Array {
  const t = readIndices(caller, value, 'targets');
  if (t.shape.length > 2 || (t.shape.length === 2 && t.shape[0] !== 1)) {
    throw new RangeError(`${caller}: targets must be (L) or (1, L), received shape ${shapeString(t.shape)}`);
  }
  return Int32Array.from({ length: t.data.length }, (_, i) => checkLabel(caller, t.data[i], i, classes, blank));
}

/**
 * torchaudio's `forced_align`: the most probable alignment (Viterbi path) of a transcript to the frames of one
 * sequence, each frame labelled with the blank or a target label, with torchaudio's tie-breaking; and its token
 * spans, as torchaudio's `merge_tokens` gives them.
 * @param logProbs - log-probabilities (T, C), or (1, T, C) as torchaudio takes them.
 * @param targets - the transcript's labels (L) or (1, L), none of them the blank.
 * @param options - `blank` (0).
 * @returns `{ labels, frameLogProbs, score, spans }`: each frame's label and its log-probability, the path's total
 * log-probability, and per target token its frames [start, end) and their mean probability.
 * @throws TypeError for a wrong kind of argument; RangeError for a shape, a label that is the blank or out of range,
 * and a transcript no alignment fits (too few frames: repeated labels need a blank between). Where every alignment
 * has probability 0, the path is the one the ties choose, and its score is -Infinity.
 * @example
 * ```ts
 * // 5 frames over (blank, a, b): align "ab"
 * const p = [0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.3, 0.6, 0.1, 0.7, 0.1, 0.2, 0.1, 0.1, 0.8];
 * const { labels, spans } = ctcForcedAlign({ data: Float32Array.from(p, Math.log), shape: [5, 3] }, [1, 2]);
 * console.log(Array.from(labels).join(' ')); // → 0 1 1 0 2
 * console.log(spans.map((s) => `${s.token}: ${s.start}-${s.end}`).join(', ')); // → 1: 1-3, 2: 4-5
 * ```
 * @group CTC
 */
export function ctcForcedAlign<T extends FloatArray>(
  logProbs: TensorLike<T>,
  targets: IndexTarget,
  options?: CtcForcedAlignOptions,
): CtcAlignment<T> {
  const caller = 'ctcForcedAlign';
  const o = readOptions(caller, options, ['blank']);
  const x = oneSequence(caller, logProbs);
  const blank = readBlank(caller, o.blank, x.classes);
  const labels = readLabels(caller, targets, x.classes, blank);
  const repeats = labels.filter((v, i) => i > 0 && v === labels[i - 1]).length;
  if (x.frames < labels.length + repeats) {
    throw new RangeError(
      `${caller}: the targets need at least ${labels.length + repeats} frames (a blank between ` +
        `repeated labels), and logProbs has ${x.frames}`,
    );
  }
  const path = viterbiLabels(emissionsOf(x), labels, blank);
  const frameLogProbs = new (x.data.constructor as new (n: number) => T)(x.frames);
  let score = 0;
  for (let t = 0; t < x.frames; t++) {
    frameLogProbs[t] = x.data[t * x.classes + path[t]];
    score += frameLogProbs[t];
  }
  const spans: CtcTokenSpan[] = tokenSpans(path, frameLogProbs, blank, wasm(caller).exp);
  return { labels: path, frameLogProbs, score, spans };
}

/**
 * Greedy CTC decoding: each frame's most probable class (the first of equals), repeats merged, blanks dropped.
 * @param logProbs - (T, N, C) or (T, C), as `ctcLoss` takes them (logits give the same labels).
 * @param options - `blank` (0), `inputLengths` (one per sequence: the frames to decode, T each by default).
 * @returns `{ tokens, lengths }`: every sequence's labels concatenated (as ctcLoss's concatenated targets) and how
 * many each has.
 * @throws TypeError for a wrong kind of argument; RangeError for a shape, a blank outside [0, C) or lengths out of
 * range or of the wrong count.
 * @example
 * ```ts
 * const frames = [0, 1, 1, 0, 1, 2, 2, 0]; // each frame's most probable class over (blank, a, b)
 * const lp = Float32Array.from(frames.flatMap((c) => [0, 1, 2].map((k) => (k === c ? -0.1 : -3))));
 * const { tokens, lengths } = ctcGreedyDecode({ data: lp, shape: [8, 3] });
 * console.log(Array.from(tokens).join(' '), Array.from(lengths).join(' ')); // → 1 1 2 3
 * ```
 * @group CTC
 */
export function ctcGreedyDecode(logProbs: TensorLike<FloatArray>, options?: CtcGreedyDecodeOptions): CtcGreedyDecoding {
  const caller = 'ctcGreedyDecode';
  wasm(caller); // (as every function: after init, though it needs none of the WebAssembly)
  const o = readOptions(caller, options, ['blank', 'inputLengths']);
  const x = readCtcInput(caller, logProbs);
  const blank = readBlank(caller, o.blank, x.classes);
  const frames =
    o.inputLengths === undefined ? undefined : readLengths(caller, 'options.inputLengths', o.inputLengths, x, x.frames);
  const tokens: number[] = [];
  const lengths = freshResult(caller, Int32Array, x.batch) as Int32Array;
  for (let n = 0; n < x.batch; n++) {
    const before = tokens.length;
    greedyTokens(emissionsOf(x, n, frames ? frames[n] : x.frames), x.classes, blank, tokens);
    lengths[n] = tokens.length - before;
  }
  return { tokens: Int32Array.from(tokens), lengths };
}

/**
 * Prefix beam search over the label sequences of one sequence's frames: after each frame, the `beamWidth` prefixes
 * of the highest score, each scored by the log-probability of all its alignments the beam kept (every alignment of
 * it, when the beam is as wide as the prefixes), plus an optional per-label log-prior and a language-model hook.
 * @param logProbs - (T, C), or (1, T, C).
 * @param options - {@link CtcBeamSearchOptions}: `beamWidth` (16), `blank` (0), `tokenLogPrior` (C values added when
 * a label is appended), `languageModel` ((prefix, label) → a log-score added when `label` is appended to `prefix`;
 * asked for each frame's `beamWidth` most probable labels).
 * @returns up to `beamWidth` hypotheses, best first: `{ tokens, score, logProb }`, `score` = logProb + the bonuses.
 * @throws TypeError for a wrong kind of argument or a languageModel that is not a function; RangeError for a shape,
 * a beamWidth that is not a positive integer, a tokenLogPrior of the wrong length or holding NaN, and a NaN bonus.
 * @example
 * ```ts
 * const p = [0.6, 0.3, 0.1, 0.2, 0.7, 0.1, 0.5, 0.2, 0.3, 0.3, 0.1, 0.6];
 * // wide enough to keep every alignment: logProb is −ctcLoss of "1 2"
 * const [best] = ctcBeamSearch({ data: Float32Array.from(p, Math.log), shape: [4, 3] }, { beamWidth: 8 });
 * console.log(Array.from(best.tokens).join(' '), best.logProb.toFixed(4)); // → 1 2 -0.7014
 * ```
 * @group CTC
 */
export function ctcBeamSearch(logProbs: TensorLike<FloatArray>, options?: CtcBeamSearchOptions): CtcHypothesis[] {
  const caller = 'ctcBeamSearch';
  const o = readOptions(caller, options, ['beamWidth', 'blank', 'tokenLogPrior', 'languageModel']);
  const x = oneSequence(caller, logProbs);
  const width = checkInteger(caller, 'beamWidth', o.beamWidth, 16);
  if (width < 1 || width > 65_536) {
    throw new RangeError(`${caller}: options.beamWidth must be an integer in [1, 65536], received ${width}`);
  }
  const blank = readBlank(caller, o.blank, x.classes);
  const prior = o.tokenLogPrior === undefined ? undefined : readPrior(caller, o.tokenLogPrior, x.classes);
  const hook = o.languageModel;
  if (hook !== undefined && typeof hook !== 'function') {
    throw new TypeError(
      `${caller}: options.languageModel must be a function (prefix, label) → number, received ${describe(hook)}`,
    );
  }
  const bonus = { prior, hook: hook as ((prefix: Int32Array, token: number) => number) | undefined };
  return beamSearch(emissionsOf(x), x.classes, blank, width, bonus, wasm(caller).logAddExp);
}

function readPrior(caller: string, value: unknown, classes: number): Float64Array {
  if (!Array.isArray(value) && !(value instanceof Float32Array) && !(value instanceof Float64Array)) {
    throw new TypeError(
      `${caller}: options.tokenLogPrior must be a Float32Array, Float64Array or number[], received ${describe(value)}`,
    );
  }
  if (value.length !== classes) {
    throw new RangeError(
      `${caller}: options.tokenLogPrior must have one value per class (${classes}), received ${value.length}`,
    );
  }
  const prior = Float64Array.from(value as ArrayLike<number>);
  if (prior.some((v) => Number.isNaN(v) || v === Infinity)) {
    throw new RangeError(
      `${caller}: options.tokenLogPrior must hold log-priors (finite, or -Infinity), not NaN or +Infinity`,
    );
  }
  return prior;
}
