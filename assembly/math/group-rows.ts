// Short f32 rows side by side, for the kernels of rows of at most NARROW_ROW elements (crossEntropy, softmax,
// logSoftmax, logSumExp; SIMD builds; crossEntropy's common case up to GROUP_WIDEST): the max, Σ exp and log Σ exp of
// sixteen rows at a time, and their exps, softmax or logSoftmax. A short row alone is a chain of dependent steps (max,
// exps, sum, log) that leaves the vector unit idle and ends in scalar tails. Here four rows share a vector, one per
// lane: each row is read four elements at a time and each block of the four rows transposed in registers into columns
// (element j of every row), kept in a scratch; the max, the exps and their sum go column by column, and the results
// are transposed back into the rows.
// Each step runs on the four groups of a call before the next, so that their chains overlap (bench/NOTES.md).

import { f32ExpConstant, LN2_LO, LOG2E, NORMAL_MIN, ONE, Q0 } from './exp';
import { logVector } from './log';
import { expTerm, termLn2High, termMagic } from './sum-exp';

/** Rows of at most this many elements take rowGroupSumExp: below 32, where the row path has scalar tails and its
 * four-vector loop one step at most (bench/NOTES.md). */
// @ts-ignore: decorator
@inline export const NARROW_ROW: i32 = 31;
/** The widest rows the scratch holds: crossEntropy's common case takes rows up to this (kernels/cross-entropy.ts). */
// @ts-ignore: decorator
@inline export const GROUP_WIDEST: i32 = 63;

/** Rows per call of rowGroupSumExp: four groups of four, whose steps interleave. */
// @ts-ignore: decorator
@inline export const GROUP_ROWS: i32 = 16;
// @ts-ignore: decorator
@inline export const GROUP_MAX: i32 = 0;
// @ts-ignore: decorator
@inline export const GROUP_SUM: i32 = 1;
// @ts-ignore: decorator
@inline export const GROUP_LOG_SUM: i32 = 2;
/** Each row's factor for groupStoreScaled, and its patch: a value its caller writes over one element afterwards. */
// @ts-ignore: decorator
@inline export const GROUP_FACTOR: i32 = 3;
// @ts-ignore: decorator
@inline export const GROUP_PATCH: i32 = 4;
/** Where a row's patch goes (GROUP_PATCH_AT: an element's index, or NO_PATCH). */
// @ts-ignore: decorator
@inline export const GROUP_PATCH_AT: i32 = 5;
// @ts-ignore: decorator
@inline export const NO_PATCH: i32 = -1;
/** What rowGroupSumExp writes to `out`: e_j, e_j · (1 / Σ exp) (softmax), or (x_j − m) − log Σ exp (logSoftmax);
 * what groupStoreScaled writes: e_j times the row's factor. */
// @ts-ignore: decorator
@inline export const GROUP_EXPS: i32 = 0;
// @ts-ignore: decorator
@inline export const GROUP_SOFTMAX: i32 = 1;
// @ts-ignore: decorator
@inline export const GROUP_LOG_SOFTMAX: i32 = 2;
// @ts-ignore: decorator
@inline const GROUP_SCALED: i32 = 3;

/** Per-row arrays of a group scratch (GROUP_MAX … GROUP_PATCH_AT), 4 bytes an element. */
// @ts-ignore: decorator
@inline const LANE_ARRAYS: i32 = 6;
/** Bytes of a group scratch: the per-row arrays (the max, Σ exp and log Σ exp of each row; its factor and patch), then
 * each group's columns (GROUP_WIDEST vectors, then its exps). */
// @ts-ignore: decorator
@inline export const GROUP_SCRATCH_BYTES: i32 = LANE_ARRAYS * GROUP_ROWS * 4 + (GROUP_ROWS >> 2) * GROUP_WIDEST * 16;
/**
 * This instance's group scratch: static memory, or in a threads build, whose instances share their memory, part of
 * each instance's own block (../runtime.ts's setInstanceBlock, before its first call). Its address, in a global: each
 * instance has its own. (A threads build has no static block: each instance, as it starts, would write the block's
 * zeros over the memory.)
 */
let groupScratch: usize = ASC_FEATURE_THREADS ? 0 : memory.data(GROUP_SCRATCH_BYTES, 16);

/** Gives this instance a group scratch of its own (GROUP_SCRATCH_BYTES at `at`, 16-aligned): a threads build's. */
export function setGroupScratch(at: usize): void {
  groupScratch = at;
}

/** Where the scratch's columns of group g (rows 4g … 4g + 3 of a call) begin. */
// @ts-ignore: decorator
@inline function columnsAt(g: i32): usize {
  return groupScratch + LANE_ARRAYS * GROUP_ROWS * 4 + <usize>g * (GROUP_WIDEST << 4);
}

/** Where element `which` of row `lane` lies among the per-row arrays. */
// @ts-ignore: decorator
@inline export function groupLaneAt(which: i32, lane: i32): usize {
  return groupScratch + <usize>((which * GROUP_ROWS + lane) << 2);
}

/** The last rowGroupSumExp's max, Σ exp or log Σ exp (`which`) of its row `lane`. */
// @ts-ignore: decorator
@inline export function groupLane<T>(which: i32, lane: i32): T {
  return <T>load<f32>(groupLaneAt(which, lane));
}

/** Elements `which` of rows `lane` … lane + 3 (lane a multiple of 4). */
// @ts-ignore: decorator
@inline export function groupLanes(which: i32, lane: i32): v128 {
  return v128.load(groupLaneAt(which, lane));
}

/** e_j of rows `lane` … lane + 3 of the last rowGroupSumExp (called without `out`; lane a multiple of 4), j each
 * row's lane of `index`. */
// @ts-ignore: decorator
@inline export function groupExpsAt(lane: i32, index: v128): v128 {
  const group = columnsAt(lane >> 2);
  let v = f32x4.splat(load<f32>(group + (<usize>i32x4.extract_lane(index, 0) << 4)));
  v = f32x4.replace_lane(v, 1, load<f32>(group + (<usize>i32x4.extract_lane(index, 1) << 4), 4));
  v = f32x4.replace_lane(v, 2, load<f32>(group + (<usize>i32x4.extract_lane(index, 2) << 4), 8));
  return f32x4.replace_lane(v, 3, load<f32>(group + (<usize>i32x4.extract_lane(index, 3) << 4), 12));
}

/** Where row `lane`'s patch goes (NO_PATCH: nowhere); its value is groupLane(GROUP_PATCH, lane). */
// @ts-ignore: decorator
@inline export function groupPatchAt(lane: i32): i32 {
  return load<i32>(groupLaneAt(GROUP_PATCH_AT, lane));
}

/** Into the `count` rows of n elements from `out`: e_j of the last rowGroupSumExp (called without `out`, on as many
 * rows) times each row's factor (GROUP_FACTOR), as rowScale would, bit for bit. */
export function groupStoreScaled(out: usize, count: i32, n: i32): void {
  // lanes past `count` repeat the last row, its factor too
  const last = load<f32>(groupLaneAt(GROUP_FACTOR, count - 1));
  for (let lane = count; lane & 3; lane++) store<f32>(groupLaneAt(GROUP_FACTOR, lane), last);
  rowGroupSumExp(0, count, n, out, GROUP_SCALED);
}

/**
 * Row r's place in its run of GROUP_ROWS rows (of `rows`, r counted from the call's first row); at a run's first row
 * it runs rowGroupSumExp on the run, from `row` (and `out`, e_j's rows, when not 0). f32 rows only.
 */
// @ts-ignore: decorator
@inline export function groupRow<T>(r: i32, rows: i32, row: usize, n: i32, out: usize): i32 {
  const lane = r % GROUP_ROWS;
  if (lane == 0) rowGroupSumExp(row, min(GROUP_ROWS, rows - r), n, out);
  return lane;
}

/** Lanes 0 and 1 of a and b interleaved (a0 b0 a1 b1), or with `upper` lanes 2 and 3. */
// @ts-ignore: decorator
@inline function interleave(a: v128, b: v128, upper: bool): v128 {
  return upper ? v128.shuffle<f32>(a, b, 2, 6, 3, 7) : v128.shuffle<f32>(a, b, 0, 4, 1, 5);
}

/** Vector `k` (0 … 3) of the transpose of the 4 × 4 block whose rows are a0 … a3 (lane k of each). */
// @ts-ignore: decorator
@inline function transposed(k: i32, a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const ab = interleave(a0, a1, k >= 2), cd = interleave(a2, a3, k >= 2);
  return (k & 1) == 0 ? v128.shuffle<i64>(ab, cd, 0, 2) : v128.shuffle<i64>(ab, cd, 1, 3);
}

/** Elements 0 … 3 of a row at p, or its n (< 4) elements and zeros. */
// @ts-ignore: decorator
@inline function loadBlock(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  if (n == 1) return v128.load32_zero(p);
  const pair = v128.load64_zero(p);
  return n == 2 ? pair : v128.load32_lane(p, pair, 2, 8);
}

/** A row's block of elements 0 … 3 to p, or its n (< 4) elements. */
// @ts-ignore: decorator
@inline function storeBlock(p: usize, v: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, v);
    return;
  }
  if (n == 1) v128.store32_lane(p, v, 0);
  else v128.store64_lane(p, v, 0);
  if (n == 3) v128.store32_lane(p, v, 2, 8);
}

/**
 * The max m, Σ_j exp(x_j − m) and its log of `count` (1 … GROUP_ROWS) f32 rows of n (0 … GROUP_WIDEST) elements from
 * `row` (read them with groupLane), in groups of four, one row per lane; into the rows from `out`, when it is not 0,
 * what `mode` says (GROUP_EXPS: e_j = exp(x_j − m); the others as rowScale and rowSubtractTwice would, bit for bit).
 * Lanes past `count` repeat the last row (the same values to the same places). Every element is read before any is
 * written, so `out` may be `row`. Each step runs on every group before the next step, so that the groups' chains of
 * dependent steps overlap. The max and the sum go column by column, in order; the sum in f64 (two pairs of lanes),
 * rounded to f32 once, as rowSumExp's. (GROUP_SCALED, groupStoreScaled's mode, only stores: the last call's exps,
 * each row's times its factor.)
 */
export function rowGroupSumExp(row: usize, count: i32, n: i32, out: usize, mode: i32 = GROUP_EXPS): void {
  const stride = <usize>n << 2;
  const groups = (count + 3) >> 2;
  const results = groupScratch;
  if (mode != GROUP_SCALED) sumExps(row, count, n, mode);
  if (out) {
    for (let g = 0; g < groups; g++) {
      const group = columnsAt(g);
      storeRows(out + <usize>(g << 2) * stride, min(4, count - (g << 2)), n, group, results + (<usize>g << 4), mode);
    }
  }
}

/** rowGroupSumExp's max, exps, Σ exp and log Σ exp, into the scratch (the exps in place of their columns, but for
 * GROUP_LOG_SOFTMAX). */
// @ts-ignore: decorator
@inline function sumExps(row: usize, count: i32, n: i32, mode: i32): void {
  const stride = <usize>n << 2;
  const groups = (count + 3) >> 2;
  const results = groupScratch;
  for (let g = 0; g < groups; g++) {
    fillColumns(row + <usize>(g << 2) * stride, min(4, count - (g << 2)), n, columnsAt(g));
  }
  for (let g = 0; g < groups; g++) {
    const group = columnsAt(g);
    let m = n > 0 ? v128.load(group) : f32x4.splat(-Infinity);
    for (let j = 1; j < n; j++) m = f32x4.pmax(m, v128.load(group + (<usize>j << 4)));
    v128.store(results + (<usize>g << 4), m);
  }
  // (sum-exp.ts's exp, its constants in registers: the bits of expNonPositiveF32x4)
  const clamp = f32ExpConstant(NORMAL_MIN), log2e = f32ExpConstant(LOG2E), magic = termMagic();
  const ln2High = termLn2High(true), ln2Low = f32ExpConstant(LN2_LO), one = f32ExpConstant(ONE);
  const c6 = f32ExpConstant(Q0), c5 = f32ExpConstant(Q0 + 1), c4 = f32ExpConstant(Q0 + 2);
  const c3 = f32ExpConstant(Q0 + 3), c2 = f32ExpConstant(Q0 + 4);
  for (let g = 0; g < groups; g++) {
    const group = columnsAt(g);
    const m = v128.load(results + (<usize>g << 4));
    let low = f64x2.splat(0), high = low;
    for (let j = 0; j < n; j++) {
      const c = group + (<usize>j << 4);
      const d = f32x4.sub(v128.load(c), m);
      const e = expTerm(d, true, false, clamp, log2e, magic, ln2High, ln2Low, c6, c5, c4, c3, c2, one);
      low = f64x2.add(low, f64x2.promote_low_f32x4(e));
      high = f64x2.add(high, f64x2.promote_low_f32x4(v128.shuffle<i32>(e, e, 2, 3, 2, 3)));
      if (mode != GROUP_LOG_SOFTMAX) v128.store(c, e);
    }
    const s = v128.shuffle<i64>(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 2);
    v128.store(results + (<usize>(GROUP_ROWS + (g << 2)) << 2), s);
  }
  for (let g = 0; g < groups; g++) {
    const sums = results + (<usize>(GROUP_ROWS + (g << 2)) << 2);
    v128.store(sums, logVector<f32>(v128.load(sums)), GROUP_ROWS << 2);
  }
}

/** A column of exps (or of elements) as `mode` writes it. */
// @ts-ignore: decorator
@inline function rowValue(c: v128, mode: i32, m: v128, logSum: v128, inverse: v128): v128 {
  if (mode == GROUP_SOFTMAX || mode == GROUP_SCALED) return f32x4.mul(inverse, c);
  if (mode == GROUP_LOG_SOFTMAX) return f32x4.sub(f32x4.sub(c, m), logSum);
  return c;
}

/** Offset of lane k's row from the group's first: lanes past `count` repeat the last row. */
// @ts-ignore: decorator
@inline function laneOffset(k: i32, count: i32, stride: usize): usize {
  return <usize>min(k, count - 1) * stride;
}

/** A group's rows (`count` of them from `row`), transposed into its columns from `group`: blocks of four from 0, the
 * last from n − 4 (overlapping the one before), or the n < 4 elements and zeros. */
// @ts-ignore: decorator
@inline function fillColumns(row: usize, count: i32, n: i32, group: usize): void {
  const stride = <usize>n << 2;
  const r1 = laneOffset(1, count, stride), r2 = laneOffset(2, count, stride), r3 = laneOffset(3, count, stride);
  for (let b = 0; b < n; b += 4) {
    const o = <usize>max(0, min(b, n - 4)) << 2;
    const a0 = loadBlock(row + o, n), a1 = loadBlock(row + r1 + o, n);
    const a2 = loadBlock(row + r2 + o, n), a3 = loadBlock(row + r3 + o, n);
    const c = group + (o << 2);
    v128.store(c, transposed(0, a0, a1, a2, a3));
    v128.store(c, transposed(1, a0, a1, a2, a3), 16);
    v128.store(c, transposed(2, a0, a1, a2, a3), 32);
    v128.store(c, transposed(3, a0, a1, a2, a3), 48);
  }
}

/** A group's columns (its exps, or for GROUP_LOG_SOFTMAX its elements), as `mode` says, into its rows from `out`
 * (`results`: its max; its Σ exp, log Σ exp and factors GROUP_ROWS, twice and three times GROUP_ROWS floats on). */
// @ts-ignore: decorator
@inline function storeRows(out: usize, count: i32, n: i32, group: usize, results: usize, mode: i32): void {
  const stride = <usize>n << 2;
  const r1 = laneOffset(1, count, stride), r2 = laneOffset(2, count, stride), r3 = laneOffset(3, count, stride);
  const m = v128.load(results), logSum = v128.load(results, GROUP_ROWS << 3);
  const inverse = mode == GROUP_SCALED
    ? v128.load(results, GROUP_FACTOR * GROUP_ROWS * 4)
    : f32x4.div(f32x4.splat(1), v128.load(results, GROUP_ROWS << 2));
  // (the last block overlaps the one before with the same values)
  for (let b = 0; b < n; b += 4) {
    const o = <usize>max(0, min(b, n - 4)) << 2;
    const c = group + (o << 2);
    const e0 = rowValue(v128.load(c), mode, m, logSum, inverse);
    const e1 = rowValue(v128.load(c, 16), mode, m, logSum, inverse);
    const e2 = rowValue(v128.load(c, 32), mode, m, logSum, inverse);
    const e3 = rowValue(v128.load(c, 48), mode, m, logSum, inverse);
    storeBlock(out + o, transposed(0, e0, e1, e2, e3), n);
    storeBlock(out + r1 + o, transposed(1, e0, e1, e2, e3), n);
    storeBlock(out + r2 + o, transposed(2, e0, e1, e2, e3), n);
    storeBlock(out + r3 + o, transposed(3, e0, e1, e2, e3), n);
  }
}
