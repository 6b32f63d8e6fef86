// Matrix multiply for the fused linear + cross-entropy: C[m × n] = A(m × k) · B[k × n] (+ C when accumulating),
// B and C row-major, A read through strides (A(i, p) at a + i · rowStride + p · innerStride elements), so one
// kernel makes all three products: logits = X · Wᵀ (B = Wᵀ, packed once), gradInput = G · W and
// gradWeight += Gᵀ · X (A = G read transposed).
// The SIMD path is XNNPACK's GEMM layout: a tile of 4 rows × 2 vectors of C (8 columns of f32) held in 8
// accumulators; each step of p loads 2 vectors of B's row p and load-splats A(i, p) of the 4 rows, 8 multiply-adds
// (fused in the relaxed-SIMD build). Leftover columns take 4-row × 1-vector tiles, then a scalar tail; leftover
// rows take 1-row tiles. Every path rounds each element alike (one madd per p, from 0, per block of KC), so an element
// does not depend on where it falls in a tile: rowDots repeats it for single elements. The scalar build runs the
// plain triple loop, the reference the SIMD path is tested against.
// Sums run in T along p in blocks of KC (k up to the chunk or the vocabulary), each block added onto C.
// Measured: gradWeight, summed over N in float32 chunk after chunk, is within 4.2 float32 ulps of its scale
// of the float64 product at N 512, 2.2 at 4096 and 2.5 at 16,384 (d 16, V 300): no float64 accumulation.

import { madd, maddScalar } from '../math/madd';
import { addInto, at } from '../math/rows';
import { softcapOne } from '../math/tanh';

// @ts-ignore: decorator
@inline function aAt<T>(a: usize, i: i32, p: i32, rowStride: i32, innerStride: i32): T {
  return load<T>(at<T>(a, i * rowStride + p * innerStride));
}

/** The element at `address` in every lane. */
// @ts-ignore: decorator
@inline function splatAt<T>(address: usize): v128 {
  return sizeof<T>() == 4 ? v128.load32_splat(address) : v128.load64_splat(address);
}

/** A(i, p) in every lane: one load-and-splat instruction. */
// @ts-ignore: decorator
@inline function aSplat<T>(a: usize, i: i32, p: i32, rowStride: i32, innerStride: i32): v128 {
  return splatAt<T>(at<T>(a, i * rowStride + p * innerStride));
}

// @ts-ignore: decorator
@inline function storeTile<T>(c: usize, v: v128, accumulate: bool): void {
  v128.store(c, accumulate ? v128.add<T>(v128.load(c), v) : v);
}

/** Rows [i, i + 4) × columns [j, j + 2L), summed over p in [p0, p1): 8 accumulators. */
// @ts-ignore: decorator
@inline function tile4x2<T>(
  a: usize, rowStride: i32, innerStride: i32, b: usize, c: usize, n: i32, p0: i32, p1: i32, i: i32, j: i32,
  accumulate: bool,
): void {
  let c00 = v128.splat<T>(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  // pointers stepped along p (the addresses are not recomputed from i and p each step)
  const rowBytes = <usize>rowStride * sizeof<T>();
  const aStep = <usize>innerStride * sizeof<T>(), bStep = <usize>n * sizeof<T>();
  let pa = at<T>(a, i * rowStride + p0 * innerStride);
  let pb = at<T>(b, p0 * n + j);
  for (let p = p0; p < p1; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    const a0 = splatAt<T>(pa);
    const a1 = splatAt<T>(pa + rowBytes);
    const a2 = splatAt<T>(pa + 2 * rowBytes);
    const a3 = splatAt<T>(pa + 3 * rowBytes);
    c00 = madd<T>(a0, b0, c00);
    c01 = madd<T>(a0, b1, c01);
    c10 = madd<T>(a1, b0, c10);
    c11 = madd<T>(a1, b1, c11);
    c20 = madd<T>(a2, b0, c20);
    c21 = madd<T>(a2, b1, c21);
    c30 = madd<T>(a3, b0, c30);
    c31 = madd<T>(a3, b1, c31);
    pa += aStep;
    pb += bStep;
  }
  const q = at<T>(c, i * n + j);
  const step = <usize>n * sizeof<T>();
  storeTile<T>(q, c00, accumulate);
  storeTile<T>(q + 16, c01, accumulate);
  storeTile<T>(q + step, c10, accumulate);
  storeTile<T>(q + step + 16, c11, accumulate);
  storeTile<T>(q + 2 * step, c20, accumulate);
  storeTile<T>(q + 2 * step + 16, c21, accumulate);
  storeTile<T>(q + 3 * step, c30, accumulate);
  storeTile<T>(q + 3 * step + 16, c31, accumulate);
}

/** Rows [i, i + 4) × one vector of columns from j, summed over p in [p0, p1): 4 accumulators, so that the columns
 * left after the 2-vector tiles are not one chain of dependent multiply-adds per row. */
// @ts-ignore: decorator
@inline function tile4x1<T>(
  a: usize, rowStride: i32, innerStride: i32, b: usize, c: usize, n: i32, p0: i32, p1: i32, i: i32, j: i32,
  accumulate: bool,
): void {
  let c0 = v128.splat<T>(0), c1 = c0, c2 = c0, c3 = c0;
  const rowBytes = <usize>rowStride * sizeof<T>();
  const aStep = <usize>innerStride * sizeof<T>(), bStep = <usize>n * sizeof<T>();
  let pa = at<T>(a, i * rowStride + p0 * innerStride);
  let pb = at<T>(b, p0 * n + j);
  for (let p = p0; p < p1; p++) {
    const b0 = v128.load(pb);
    c0 = madd<T>(splatAt<T>(pa), b0, c0);
    c1 = madd<T>(splatAt<T>(pa + rowBytes), b0, c1);
    c2 = madd<T>(splatAt<T>(pa + 2 * rowBytes), b0, c2);
    c3 = madd<T>(splatAt<T>(pa + 3 * rowBytes), b0, c3);
    pa += aStep;
    pb += bStep;
  }
  const q = at<T>(c, i * n + j);
  const step = <usize>n * sizeof<T>();
  storeTile<T>(q, c0, accumulate);
  storeTile<T>(q + step, c1, accumulate);
  storeTile<T>(q + 2 * step, c2, accumulate);
  storeTile<T>(q + 3 * step, c3, accumulate);
}

/** Rows [i, i + rows) (rows ≤ 4) × one vector of columns from j, summed over p in [p0, p1). */
// @ts-ignore: decorator
@inline function tileRowsx1<T>(
  a: usize, rowStride: i32, innerStride: i32, b: usize, c: usize, n: i32, p0: i32, p1: i32, i: i32, rows: i32,
  j: i32, accumulate: bool,
): void {
  for (let r = 0; r < rows; r++) {
    let acc = v128.splat<T>(0);
    for (let p = p0; p < p1; p++) {
      acc = madd<T>(aSplat<T>(a, i + r, p, rowStride, innerStride), v128.load(at<T>(b, p * n + j)), acc);
    }
    storeTile<T>(at<T>(c, (i + r) * n + j), acc, accumulate);
  }
}

/** One element of C, summed along p in [p0, p1) in T. */
// @ts-ignore: decorator
@inline function element<T>(
  a: usize, rowStride: i32, innerStride: i32, b: usize, c: usize, n: i32, p0: i32, p1: i32, i: i32, j: i32,
  accumulate: bool,
): void {
  let sum = <T>0;
  for (let p = p0; p < p1; p++) {
    sum = maddScalar<T>(aAt<T>(a, i, p, rowStride, innerStride), load<T>(at<T>(b, p * n + j)), sum);
  }
  const q = at<T>(c, i * n + j);
  store<T>(q, accumulate ? load<T>(q) + sum : sum);
}

/** Rows of B per block of p: a panel of B (KC rows × 8 columns) stays in L1 while every tile of rows reads it. */
// @ts-ignore: decorator
@inline const KC: i32 = 256;
/** Rows of A per block (a multiple of the tile's 4): MC · KC elements of A stay in L2 across B's panels. */
// @ts-ignore: decorator
@inline const MC: i32 = 128;

/** Rows [i0, i1) of C, every column, summed over p in [p0, p1): 2-vector tiles, then 1-vector tiles, then single
 * elements (the scalar build: single elements only). */
// @ts-ignore: decorator
@inline function rowBlock<T>(
  a: usize, rowStride: i32, innerStride: i32, b: usize, c: usize, n: i32, p0: i32, p1: i32, i0: i32, i1: i32,
  add: bool,
): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const L = 16 / sizeof<T>();
    for (; j + 2 * L <= n; j += 2 * L) {
      let i = i0;
      for (; i + 4 <= i1; i += 4) tile4x2<T>(a, rowStride, innerStride, b, c, n, p0, p1, i, j, add);
      if (i < i1) {
        tileRowsx1<T>(a, rowStride, innerStride, b, c, n, p0, p1, i, i1 - i, j, add);
        tileRowsx1<T>(a, rowStride, innerStride, b, c, n, p0, p1, i, i1 - i, j + L, add);
      }
    }
    for (; j + L <= n; j += L) {
      let i = i0;
      for (; i + 4 <= i1; i += 4) tile4x1<T>(a, rowStride, innerStride, b, c, n, p0, p1, i, j, add);
      if (i < i1) tileRowsx1<T>(a, rowStride, innerStride, b, c, n, p0, p1, i, i1 - i, j, add);
    }
  }
  for (; j < n; j++) {
    for (let i = i0; i < i1; i++) element<T>(a, rowStride, innerStride, b, c, n, p0, p1, i, j, add);
  }
}

export function matmulRows<T>(
  a: usize, rowStride: i32, innerStride: i32, b: usize, c: usize, m: i32, n: i32, k: i32, accumulate: i32,
): void {
  // blocks of MC rows of A and C, each through every block of p, the later blocks added onto C: the block of C stays
  // in L2 between them (one pass of C through memory), B's panel is read from L1 by every tile of rows
  const rows = ASC_FEATURE_SIMD ? MC : max(m, 1);
  for (let i0 = 0; i0 < m; i0 += rows) {
    const i1 = min(m, i0 + rows);
    for (let p0 = 0; p0 < k || p0 == 0; p0 += KC) {
      rowBlock<T>(a, rowStride, innerStride, b, c, n, p0, min(k, p0 + KC), i0, i1, accumulate != 0 || p0 > 0);
      if (k == 0) break;
    }
  }
}

/** c_j (+)= Σ_i g[i, j] over `rows` rows of n: the bias's gradient (column sums of the logits' gradient). */
export function columnSums<T>(g: usize, rows: i32, n: i32, c: usize, accumulate: i32): void {
  if (!accumulate) memory.fill(c, 0, <usize>n << alignof<T>());
  for (let i = 0; i < rows; i++) addInto<T>(c, at<T>(g, i * n), n);
}

/**
 * out_r = x_r · w_{t_r} (+ bias_{t_r}) for t_r = targets[r] ≥ 0 (0 where t_r < 0): one element of X · Wᵀ per row of X
 * [rows × k], rounded exactly as matmulRows rounds it (madd along p from 0 per block of KC, the blocks added in
 * order, then the bias added), and softcapped (softcap > 0) as score.ts caps a tile: the logit a tile of the
 * vocabulary computes for the row's target.
 */
export function rowDots<T>(
  x: usize, rows: i32, k: i32, w: usize, bias: usize, softcap: T, targets: usize, out: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const t = load<i32>(targets + (<usize>r << 2));
    let c = <T>0;
    if (t >= 0) {
      const xr = at<T>(x, r * k), wt = at<T>(w, t * k);
      for (let p0 = 0; p0 < k; p0 += KC) {
        const p1 = min(k, p0 + KC);
        let sum = <T>0;
        for (let p = p0; p < p1; p++) sum = maddScalar<T>(load<T>(at<T>(wt, p)), load<T>(at<T>(xr, p)), sum);
        c = p0 == 0 ? sum : c + sum;
      }
      if (bias) c += load<T>(at<T>(bias, t));
      if (softcap > 0) c = softcapOne<T>(c, softcap);
    }
    store<T>(at<T>(out, r), c);
  }
}
