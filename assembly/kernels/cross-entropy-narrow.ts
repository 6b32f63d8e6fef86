// crossEntropyIndexRows's common case on short rows (f32, at most GROUP_WIDEST classes; class indices without label
// smoothing, z-loss, softcap, shards or log-sum-exps out), sixteen rows a run: rowGroupSumExp's max, Σ exp and log
// Σ exp, then each row's loss, and with a gradient its factor and its target's element, four rows a vector, each
// lane's arithmetic the row path's, in its order; then the gradient rows in one pass (e_j times the row's factor,
// transposed back into the rows), and the targets' elements written over them.

import {
  GROUP_FACTOR, GROUP_LOG_SUM, GROUP_MAX, GROUP_PATCH, GROUP_PATCH_AT, GROUP_SUM, groupExpsAt, groupLane, groupLaneAt,
  groupLanes, groupPatchAt, groupStoreScaled, NO_PATCH, rowGroupSumExp,
} from '../math/group-rows';
import { rowAffine } from '../math/rows';

/** A row's patch that makes it all NaN (an ignored row's gradient where its log-softmax is NaN). */
// @ts-ignore: decorator
@inline const NAN_ROW: i32 = -2;

/** The f32 at p0 … p3, one a lane. */
// @ts-ignore: decorator
@inline function gathered(p0: usize, p1: usize, p2: usize, p3: usize): v128 {
  let v = f32x4.splat(load<f32>(p0));
  v = f32x4.replace_lane(v, 1, load<f32>(p1));
  v = f32x4.replace_lane(v, 2, load<f32>(p2));
  return f32x4.replace_lane(v, 3, load<f32>(p3));
}

/** The 32-bit values at p, `lanes` (1 … 4) of them; lanes past those repeat the last. */
// @ts-ignore: decorator
@inline function loadLanes(p: usize, lanes: i32): v128 {
  if (lanes == 4) return v128.load(p);
  let v = v128.load32_splat(p + (<usize>(lanes - 1) << 2));
  if (lanes > 1) v = v128.load32_lane(p, v, 0);
  if (lanes > 2) v = v128.load32_lane(p, v, 1, 4);
  return v;
}

/** Lanes 0 … lanes − 1 of v to p. */
// @ts-ignore: decorator
@inline function storeLanes(p: usize, v: v128, lanes: i32): void {
  if (lanes == 4) {
    v128.store(p, v);
    return;
  }
  v128.store32_lane(p, v, 0);
  if (lanes > 1) v128.store32_lane(p, v, 1, 4);
  if (lanes > 2) v128.store32_lane(p, v, 2, 8);
}

/** Each lane's f32 element `index` of its array (lane k's `stride` bytes on from lane k − 1's; lanes past `lanes`
 * read the last lane's). */
// @ts-ignore: decorator
@inline function gatheredAt(p: usize, stride: usize, lanes: i32, index: v128): v128 {
  const p1 = p + <usize>min(1, lanes - 1) * stride, p2 = p + <usize>min(2, lanes - 1) * stride;
  const p3 = p + <usize>min(3, lanes - 1) * stride;
  return gathered(
    p + (<usize>i32x4.extract_lane(index, 0) << 2),
    p1 + (<usize>i32x4.extract_lane(index, 1) << 2),
    p2 + (<usize>i32x4.extract_lane(index, 2) << 2),
    p3 + (<usize>i32x4.extract_lane(index, 3) << 2),
  );
}

/**
 * Losses (and with `grad`, gradient rows) of the `count` (1 … GROUP_ROWS) rows of `classes` from row `first`, as
 * crossEntropyIndexRows's row path gives them, bit for bit. `keep` is 1 − smoothing and `q0` smoothing / C · Σ w, as
 * that path has them (1 and 0 here; q0 is NaN where Σ w is not finite, as there).
 */
export function narrowRun(
  x: usize, first: i32, count: i32, classes: i32, targets: usize, weight: usize, keep: f32, q0: f32,
  lossOut: usize, grad: usize, gradScale: f64, gradOutput: usize,
): void {
  rowGroupSumExp(x + (<usize>(first * classes) << 2), count, classes, 0);
  const zero = f32x4.splat(0);
  for (let g = 0; g < count; g += 4) {
    const lanes = min(4, count - g);
    const r = first + g;
    const t = loadLanes(targets + (<usize>r << 2), lanes);
    const ignored = i32x4.lt_s(t, i32x4.splat(0));
    // (an ignored row reads its element 0, and lanes past `count` the last row, whose values they discard)
    const index = i32x4.max_s(t, i32x4.splat(0));
    const xt = gatheredAt(x + (<usize>(r * classes) << 2), <usize>classes << 2, lanes, index);
    const wt = weight ? gatheredAt(weight, 0, lanes, index) : f32x4.splat(1);
    const m = groupLanes(GROUP_MAX, g), logSum = groupLanes(GROUP_LOG_SUM, g);
    const loss = f32x4.mul(f32x4.neg(wt), f32x4.sub(f32x4.sub(xt, m), logSum));
    storeLanes(lossOut + (<usize>r << 2), v128.bitselect(zero, loss, ignored), lanes);
    if (!grad) continue;
    // g · (keep · w_t + q0) / Σ exp, and the target's (a · e_t + 0 − g · keep · w_t) + 0 · e_t, as the row path
    const gv = gradOutput ? rowScales(gradOutput + (<usize>r << 2), lanes, gradScale) : f32x4.splat(<f32>gradScale);
    const q = f32x4.add(f32x4.mul(f32x4.splat(keep), wt), f32x4.splat(q0));
    const a = f32x4.div(f32x4.mul(gv, q), groupLanes(GROUP_SUM, g));
    const et = groupExpsAt(g, index);
    const patch = f32x4.sub(f32x4.add(f32x4.mul(a, et), zero), f32x4.mul(f32x4.mul(gv, f32x4.splat(keep)), wt));
    v128.store(groupLaneAt(GROUP_FACTOR, g), v128.bitselect(zero, f32x4.add(a, zero), ignored));
    v128.store(groupLaneAt(GROUP_PATCH, g), f32x4.add(patch, f32x4.mul(zero, et)));
    // an ignored row: zeros, or NaN where its log-sum-exp is not finite (PyTorch's)
    const lse = f32x4.add(m, logSum);
    const finite = f32x4.eq(f32x4.sub(lse, lse), zero);
    const skip = v128.bitselect(i32x4.splat(NO_PATCH), i32x4.splat(NAN_ROW), finite);
    v128.store(groupLaneAt(GROUP_PATCH_AT, g), v128.bitselect(skip, t, ignored));
  }
  if (grad) storeNarrowGradients(grad + (<usize>(first * classes) << 2), count, classes);
}

/** Each lane's g = gradScale · gradOutput[r] in f64, rounded to f32 (the row path's rowGradScale). */
// @ts-ignore: decorator
@inline function rowScales(p: usize, lanes: i32, gradScale: f64): v128 {
  const v = loadLanes(p, lanes), scale = f64x2.splat(gradScale);
  const low = f64x2.mul(scale, f64x2.promote_low_f32x4(v));
  const high = f64x2.mul(scale, f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 2, 3)));
  return v128.shuffle<i64>(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 2);
}

/** The gradient rows of a run of `count` rows of n from `rows`: e_j times each row's factor, then its patch (the
 * target's element, or a row of NaN). */
function storeNarrowGradients(rows: usize, count: i32, n: i32): void {
  groupStoreScaled(rows, count, n);
  for (let lane = 0; lane < count; lane++) {
    const j = groupPatchAt(lane);
    const row = rows + (<usize>(lane * n) << 2);
    if (j >= 0) store<f32>(row + (<usize>j << 2), groupLane<f32>(GROUP_PATCH, lane));
    else if (j == NAN_ROW) rowAffine<f32>(row, n, 0, NaN);
  }
}
