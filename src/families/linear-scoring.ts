// Scoring from hidden states as a chunk program, never holding the [N, V] logits. Per chunk of rows:
//   each row's target logit z_t = x · w_t (+ b_t), softcapped, rounded as the tiles round it (rowDots);
//   per tile of the vocabulary: logitsᵀ [tile × n] = W_tile · X_chunkᵀ (+ bias), moved to rows [n × tile], and
//   the score kernel adds the tile to each row's running max, Σ exp, Σ e·d, k best and rank count (the online
//   log-sum-exp), and after the last tile writes each row's results.
// WebAssembly memory beyond the inputs: the chunk's rows, their transpose, two tiles and the rows' running values.

import type { Dtype } from '../core/kernels.js';
import { type Chunk, callKernel, type Program, type Slot } from '../core/pipeline/index.js';
import { type HeadCall, headProgram, matmul, rowsOf, slotMakers } from './linear.js';

/** What a call computes, read and checked by score-call.ts. */
export interface ScoringCall extends HeadCall {
  /** One per row: the token to score, or −1. */
  targets?: Int32Array;
  scale: number;
  softcap: number;
  k: number;
  wants: { token: boolean; entropy: boolean; lse: boolean; rank: boolean };
  tileColumns: number;
}

/** Columns of the vocabulary per tile: a multiple of 4 (the matmul's row tile), the same for every call, so that a
 * row's results do not depend on the rows scored with it. 256 rows of them fill 1 MiB in float32. */
const TILE_COLUMNS = 1024;
let tileColumns = TILE_COLUMNS;

/** Sets the tile's columns (tests use few, to exercise tiling); without an argument, the default. */
export function setTileColumns(columns = TILE_COLUMNS): void {
  tileColumns = columns;
}

/** Columns per tile for a vocabulary of V. */
export const tileColumnsFor = (vocab: number): number => Math.min(tileColumns, vocab);

function scoringSlots(call: ScoringCall): Slot[] {
  const { width: d, vocab: V, k, wants, chunkRows, tileColumns } = call;
  const { unit, whole, Float } = slotMakers(call.input);
  const slots: Slot[] = [
    unit('x', d, { label: 'input.data', source: call.input }),
    whole('w', 'linearWeight.data', V * d, call.linearWeight),
    unit('state', 5, { Type: Float64Array }),
    unit('xT', d),
    whole('tileT', 'tileT', tileColumns * chunkRows),
    whole('tile', 'tile', tileColumns * chunkRows),
  ];
  if (call.bias) {
    slots.push(whole('bias', 'options.linearBias', V, call.bias));
    slots.push(whole('ones', 'ones', chunkRows, new Float(chunkRows).fill(1)));
  }
  if (call.targets) {
    slots.push(unit('targets', 1, { label: 'target', Type: Int32Array, source: call.targets, fresh: true }));
    slots.push(unit('targetLogits', 1));
  }
  if (k > 0) {
    slots.push(unit('values', k, { output: {} }));
    slots.push(unit('indices', k, { Type: Int32Array, output: {} }));
  }
  if (wants.token) slots.push(unit('tokenOut', 1, { output: {} }));
  if (wants.entropy) slots.push(unit('entropyOut', 1, { output: {} }));
  if (wants.lse) slots.push(unit('lseOut', 1, { output: {} }));
  if (wants.rank) slots.push(unit('rankOut', 1, { Type: Int32Array, output: {} }));
  return slots;
}

/** One chunk: the targets' logits, every tile of the vocabulary, then the rows' results. */
function scoringStep(call: ScoringCall, dtype: Dtype, chunk: Chunk): undefined {
  const { caller, width: d, vocab: V, k, tileColumns } = call;
  const eb = call.input.BYTES_PER_ELEMENT;
  const n = chunk.units;
  const at = (name: string) => chunk.at(name).address;
  const perRow = (name: string) => rowsOf(chunk, name);
  const common = { k, scale: call.scale, targets: perRow('targets'), targetLogits: perRow('targetLogits') };
  const heap = { state: perRow('state'), values: perRow('values'), indices: perRow('indices') };
  callKernel(caller, 'swapLastTwoDims', dtype, 1, 0, { x: at('x'), out: at('xT'), outer: 1, a: n, b: d });
  if (call.targets) {
    const bias = call.bias ? at('bias') : 0;
    const { softcap } = call;
    const rows = { x: perRow('x'), k: d, w: at('w'), bias, softcap, targets: common.targets, out: common.targetLogits };
    callKernel(caller, 'rowDots', dtype, n, d, rows);
  }
  const flags = (call.wants.entropy ? 1 : 0) | (call.wants.rank ? 2 : 0);
  const outputs = {
    tokenOut: perRow('tokenOut'),
    entropyOut: perRow('entropyOut'),
    lseOut: perRow('lseOut'),
    rankOut: perRow('rankOut'),
  };
  for (let start = 0; start < V; start += tileColumns) {
    const columns = Math.min(tileColumns, V - start);
    const last = start + columns === V;
    matmul(call, dtype, at('w') + start * d * eb, d, 1, at('xT'), at('tileT'), columns, n, d, false);
    if (call.bias) matmul(call, dtype, at('bias') + start * eb, 1, 1, at('ones'), at('tileT'), columns, n, 1, true);
    const swap = { x: at('tileT'), out: at('tile'), outer: 1, a: columns, b: n };
    callKernel(caller, 'swapLastTwoDims', dtype, 1, 0, swap);
    // the last tile writes the rows' results (WANTS_FINISH)
    callKernel(caller, 'score', dtype, n, columns, {
      x: { address: at('tile'), rowBytes: columns * eb },
      cols: columns,
      tileStart: start,
      softcap: call.softcap,
      wants: flags | (last ? 4 : 0),
      ...common,
      ...heap,
      ...(last ? outputs : {}),
    });
  }
  return undefined;
}

/** The program of one call: its slots, its chunk size and its step. */
export function scoringProgram(call: ScoringCall): Program {
  return headProgram(call, scoringSlots(call), (dtype, chunk) => scoringStep(call, dtype, chunk));
}
