// Language-model scoring, from logits (one kernel over rows) or from hidden states (the chunk program of
// ./linear-scoring.ts): the arguments read and checked once, and the per-row results shaped alike.

import { freshResult, type Ran, repeated, run, runProgram } from '../core/pipeline/index.js';
import type { Values, ValuesType } from '../core/pipeline/program.js';
import { runProgramAsync } from '../core/pipeline/run-async.js';
import { checkBoolean, checkInteger, checkPositive, describe } from '../core/validate.js';
import type { FloatArray, LinearScores, ScoreName, TopK } from '../types.js';
import { readChunkRows, readOperands, vocabVector } from './linear-call.js';
import { type ScoringCall, scoringProgram, tileColumnsFor } from './linear-scoring.js';
import {
  dropLastPositions,
  type Logits,
  perplexityOf,
  readAverage,
  readLogits,
  readScale,
  type ScoredTargets,
  scoredTargets,
} from './scoring.js';

/** The options every linear… scoring function takes. */
export const LINEAR_SCORING_OPTIONS = ['linearBias', 'temperature', 'softcap', 'chunkSize'] as const;

const SCORE_NAMES: readonly ScoreName[] = [
  'tokenLogProbs',
  'targetRank',
  'accuracy',
  'perplexity',
  'topK',
  'entropy',
  'logSumExp',
];
/** The results that need a target: the first four. */
const NEEDS_TARGET = SCORE_NAMES.slice(0, 4);
/** The option a result needs, if any. */
const needsOf = (name: ScoreName) => (name === 'topK' ? 'k' : NEEDS_TARGET.includes(name) ? 'target' : undefined);
/** A chunk's scratch by default: its rows, their transpose, two tiles and the rows' running values. At d = 896 that
 * is ~260 rows, each tile of the weight read once per chunk (2 · 260 flops per element read). */
const CHUNK_SCRATCH_BYTES = 4 * 2 ** 20;

type Read = Readonly<Partial<Record<string, unknown>>>;

/** What a call asks: its target and k (undefined when not given) and the results it wants. */
export interface ScoringAsk {
  target?: unknown;
  targetName?: string;
  k?: unknown;
  /** k's name in errors: 'k' (an argument) or 'options.k'. */
  kName?: string;
  names: ReadonlySet<ScoreName>;
}

/** k: an integer in [1, V]. */
export function readK(caller: string, k: unknown, vocab: number, name = 'k'): number {
  if (typeof k !== 'number' || !Number.isInteger(k)) {
    throw new TypeError(`${caller}: ${name} must be a positive integer, received ${describe(k)}`);
  }
  if (k < 1 || k > vocab) {
    throw new RangeError(`${caller}: ${name} must be in [1, ${vocab}] (the vocabulary's size), received ${k}`);
  }
  return k;
}

/** linearScore's options.outputs: the names asked, or every one the options allow. */
export function readOutputs(caller: string, value: unknown, o: Read): Set<ScoreName> {
  const given = (name: ScoreName) => {
    const needs = needsOf(name);
    return !needs || o[needs] !== undefined;
  };
  if (value === undefined) return new Set(SCORE_NAMES.filter(given));
  if (!Array.isArray(value)) {
    throw new TypeError(`${caller}: options.outputs must be an array of result names, received ${describe(value)}`);
  }
  const names = new Set<ScoreName>();
  for (const name of value) {
    if (!SCORE_NAMES.includes(name)) {
      throw new RangeError(
        `${caller}: options.outputs holds ${describe(name)}; the results are '${SCORE_NAMES.join("', '")}'`,
      );
    }
    if (!given(name)) {
      throw new TypeError(`${caller}: options.outputs asks for ${name}, which needs options.${needsOf(name)}`);
    }
    names.add(name);
  }
  return names;
}

/** The options and targets both forms read alike, for rows of `logits` (or of the logits hidden states give). */
function readCommon(caller: string, logits: Logits, o: Read, ask: ScoringAsk, input: string) {
  const scale = readScale(caller, o.temperature, logits.data);
  const shift = checkBoolean(caller, 'shift', o.shift, false);
  const ignoreIndex = checkInteger(caller, 'ignoreIndex', o.ignoreIndex, -100);
  const k = ask.k === undefined ? 0 : readK(caller, ask.k, logits.vocab, ask.kName);
  // perplexity's own option (linearScore's perplexity is always token-weighted: it takes no options.average)
  const average = readAverage(caller, o.average);
  // last: the values (token ids in range)
  const name = ask.targetName ?? 'options.target';
  const targets =
    ask.target === undefined ? undefined : scoredTargets(caller, ask.target, logits, ignoreIndex, shift, name, input);
  return { scale, shift, k, targets, lead: logits.shape.slice(0, -1), average };
}

/** The call's arguments and options, read and checked once; the targets last. */
function readScoring(caller: string, input: unknown, linearWeight: unknown, o: Read, ask: ScoringAsk) {
  const ops = readOperands(caller, input, linearWeight);
  const { x, vocab, rows } = ops;
  if (vocab === 0) throw new RangeError(`${caller}: linearWeight must have V ≥ 1 rows, received [0, ${ops.width}]`);
  const asLogits = { data: x.data, shape: [...x.shape.slice(0, -1), vocab], rows, vocab };
  const softcap = checkPositive(caller, 'softcap', o.softcap, 0);
  const bias = vocabVector(caller, 'linearBias', o.linearBias, vocab, x.data);
  const common = readCommon(caller, asLogits, o, ask, 'input');
  const eb = x.data.BYTES_PER_ELEMENT;
  const perRow = (2 * ops.width + 2 * tileColumnsFor(vocab) + common.k + 4) * eb + 4 * common.k + 48;
  const chunkRows = readChunkRows(caller, o.chunkSize, Math.floor(CHUNK_SCRATCH_BYTES / perRow), rows);
  return { ...ops, softcap, bias, chunkRows, ...common };
}

type ReadScoring = ReturnType<typeof readScoring>;

/** Which of the kernels' per-row results the names need. */
function wantsOf(names: ReadonlySet<ScoreName>) {
  return {
    token: names.has('tokenLogProbs') || names.has('perplexity'),
    entropy: names.has('entropy'),
    lse: names.has('logSumExp'),
    rank: names.has('targetRank') || names.has('accuracy'),
  };
}

function plan(caller: string, r: ReadScoring, names: ReadonlySet<ScoreName>): ScoringCall {
  return {
    caller,
    input: r.x.data,
    rows: r.rows,
    width: r.width,
    linearWeight: r.w.data,
    vocab: r.vocab,
    bias: r.bias,
    targets: r.targets?.indices,
    scale: r.scale,
    softcap: r.softcap,
    k: names.has('topK') ? r.k : 0,
    wants: wantsOf(names),
    chunkRows: r.chunkRows,
    tileColumns: tileColumnsFor(r.vocab),
  };
}

type Common = ReturnType<typeof readCommon>;

/** Positions per sequence: the dim before the last of the logits (or hidden states); 1 for a single row. */
const positionsOf = (lead: number[]) => (lead.length >= 1 ? lead[lead.length - 1] : 1);

/** A per-position result as the target's outputs have it: without each sequence's last position when shifted. */
function perTarget<A extends FloatArray | Int32Array | Uint8Array>(values: A, r: Common) {
  const data = r.shift ? dropLastPositions(values as unknown as FloatArray, positionsOf(r.lead)) : values;
  return { data: data as unknown as A, shape: (r.targets as ScoredTargets).shape };
}

/** The positions' ranks as correct (1) or not (0), and the share of scored targets that are correct. */
function accuracyOf(ranks: Int32Array, targets: ScoredTargets) {
  const correct = new Uint8Array(ranks.length);
  let hits = 0;
  for (let i = 0; i < ranks.length; i++) {
    correct[i] = ranks[i] === 1 ? 1 : 0;
    hits += correct[i];
  }
  return { correct, accuracy: hits / targets.count };
}

/** The kernels' per-row results shaped as the names ask. */
function shapeScores<T extends FloatArray>(
  caller: string,
  outputs: Ran['outputs'],
  r: Common,
  names: ReadonlySet<ScoreName>,
) {
  const result: LinearScores<T> = {};
  const t = r.targets as ScoredTargets;
  if (names.has('tokenLogProbs')) result.tokenLogProbs = perTarget(outputs.tokenOut as T, r);
  const ranks = outputs.rankOut as unknown as Int32Array;
  if (names.has('targetRank')) result.targetRank = perTarget(ranks, r);
  if (names.has('accuracy')) {
    const { correct, accuracy } = accuracyOf(ranks, t);
    result.correct = perTarget(correct, r);
    result.accuracy = accuracy;
  }
  if (names.has('perplexity')) {
    const values = outputs.tokenOut as T;
    result.perplexity = perplexityOf(caller, values, t.indices, positionsOf(r.lead), r.average);
    result.sequencePerplexity = perplexityOf(caller, values, t.indices, positionsOf(r.lead), 'sequences');
  }
  if (names.has('topK')) {
    const shape = [...r.lead, r.k];
    const indices = { data: outputs.indices as unknown as Int32Array, shape };
    result.topK = { indices, logProbs: { data: outputs.values as T, shape } };
  }
  if (names.has('entropy')) result.entropy = { data: outputs.entropyOut as T, shape: r.lead };
  if (names.has('logSumExp')) result.logSumExp = { data: outputs.lseOut as T, shape: r.lead };
  return result;
}

/** Scores from hidden states: runs the chunk program, and shapes every result asked for. */
export function scoreHiddenStates<T extends FloatArray>(
  caller: string,
  input: unknown,
  linearWeight: unknown,
  o: Read,
  ask: ScoringAsk,
): LinearScores<T> {
  return scoreHidden(caller, input, linearWeight, o, ask, false) as LinearScores<T>;
}

/**
 * Scores from hidden states, as scoreHiddenStates; with `async`, a promise of them, the program run asynchronously
 * and steered by o.signal and o.onProgress (the arguments are read before this returns).
 */
export function scoreHidden<T extends FloatArray>(
  caller: string,
  input: unknown,
  linearWeight: unknown,
  o: Read,
  ask: ScoringAsk,
  async: boolean,
): LinearScores<T> | Promise<LinearScores<T>> {
  const r = readScoring(caller, input, linearWeight, o, ask);
  const shape = (outputs: Ran['outputs']) => shapeScores<T>(caller, outputs, r, ask.names);
  // d = 0, more than one row: every row's logits are alike, one row is scored for all
  if (r.width === 0 && r.rows > 1) return shape(alikeRows(caller, r, ask.names));
  const program = scoringProgram(plan(caller, r, ask.names));
  return async
    ? runProgramAsync(program, o, 'score').then((ran) => shape(ran.outputs))
    : shape(runProgram(program).outputs);
}

/**
 * Hidden states of d = 0 (a shape that holds nothing): every row's logits are the bias (or 0), so one row is scored,
 * with its full order, and each row takes its target's values from it (its rank: the target's place in that order).
 * The call's cost does not grow with the rows.
 */
function alikeRows(caller: string, r: ReadScoring, names: ReadonlySet<ScoreName>): Ran['outputs'] {
  const Float = r.x.data.constructor as ValuesType;
  const x = { data: new Float(0) as FloatArray, shape: [1, 0], size: 0 };
  const single = { ...r, x, rows: 1, k: r.vocab, targets: undefined, chunkRows: 1 };
  const one = runProgram(scoringProgram(plan(caller, single, new Set(['topK', 'entropy', 'logSumExp'])))).outputs;
  const order = one.indices as unknown as Int32Array;
  const each = (pattern: Values, width = 1) =>
    repeated(caller, pattern.subarray(0, width), r.rows * width) as FloatArray;
  // a table of every token's value, read at each row's target (0 where it is ignored)
  const byTarget = (Type: ValuesType, valueAt: (place: number) => number) => {
    const table = new Type(r.vocab);
    order.forEach((token, place) => {
      table[token] = valueAt(place);
    });
    const out = freshResult(caller, Type, r.rows);
    r.targets?.indices.forEach((t, i) => {
      if (t >= 0) out[i] = table[t];
    });
    return out as FloatArray;
  };
  const wants = wantsOf(names);
  return {
    entropyOut: wants.entropy ? each(one.entropyOut) : undefined,
    lseOut: wants.lse ? each(one.lseOut) : undefined,
    values: each(one.values, r.k),
    indices: each(order, r.k) as FloatArray,
    tokenOut: wants.token ? byTarget(Float, (place) => one.values[place]) : undefined,
    rankOut: wants.rank ? byTarget(Int32Array, (place) => place + 1) : undefined,
  } as Ran['outputs'];
}

/** Scores from logits [..., V]: one kernel over the rows, and every result asked for shaped alike. */
export function scoreLogits<T extends FloatArray>(
  caller: string,
  logits: unknown,
  o: Read,
  ask: ScoringAsk,
): LinearScores<T> {
  const x = readLogits(caller, logits);
  const r = readCommon(caller, x, o, ask, 'logits');
  const wants = wantsOf(ask.names);
  const row = { per: 'row' } as const;
  const k = ask.names.has('topK') ? r.k : 0;
  const { outputs } = run({
    caller,
    kernel: 'score',
    input: x.data,
    outer: x.rows,
    cols: x.vocab,
    inner: 1,
    operands: { targets: r.targets && { label: 'target', data: r.targets.indices, per: 'row', fresh: true } },
    outputs: {
      values: k ? { per: 'row', width: k } : undefined,
      indices: k ? { per: 'row', width: k, type: 'int32' } : undefined,
      tokenOut: wants.token ? row : undefined,
      entropyOut: wants.entropy ? row : undefined,
      lseOut: wants.lse ? row : undefined,
      rankOut: wants.rank ? { per: 'row', type: 'int32' } : undefined,
    },
    scalars: { scale: r.scale, k, tileStart: 0, softcap: 0, wants: (wants.entropy ? 1 : 0) | (wants.rank ? 2 : 0) },
  });
  return shapeScores<T>(caller, outputs, r, ask.names);
}

/** topK's result from the scores: the top k, with the targets' log-probabilities when there are targets. */
export function topKOf<T extends FloatArray>(scores: LinearScores<T>): TopK<T> {
  const top = scores.topK as TopK<T>;
  if (scores.tokenLogProbs) top.targetLogProbs = scores.tokenLogProbs;
  return top;
}
