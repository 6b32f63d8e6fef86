// Closeness in units of the dtype's epsilon. NaN must meet NaN and ±inf the same ±inf; a failure
// names the first bad indices, the values and the seed (when there is one) to reproduce it.

export const EPS = { float32: 2 ** -23, float64: 2 ** -52 } as const;
export type DTypeName = keyof typeof EPS;
const FLOAT32_MAX = 3.4028234663852886e38;

const special = (v: number): string | undefined =>
  Number.isNaN(v) ? 'NaN' : v === Infinity ? '+inf' : v === -Infinity ? '-inf' : undefined;

/** The largest finite |v| of an array (0 when none): the scale of absolute tolerances. */
export function finiteScale(values: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) scale = Math.max(scale, Math.abs(values[i]));
  return scale;
}

export interface CloseOptions {
  /** Allowed error at index i, given the expected value there. */
  bound: (expected: number, i: number) => number;
  label: string;
  seed?: number;
}

export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { bound, label, seed }: CloseOptions,
): void {
  const where = `${label}${seed === undefined ? '' : ` (seed ${seed})`}`;
  if (actual.length !== expected.length) {
    throw new Error(`${where}: length ${actual.length}, expected ${expected.length}`);
  }
  const bad: string[] = [];
  for (let i = 0; i < expected.length && bad.length < 5; i++) {
    const a = actual[i];
    const e = expected[i];
    const sa = special(a);
    const se = special(e);
    if (sa !== undefined || se !== undefined) {
      if (sa !== se) bad.push(`[${i}] ${a} vs ${e}`);
    } else if (!(Math.abs(a - e) <= bound(e, i))) {
      bad.push(`[${i}] ${a} vs ${e} (error ${Math.abs(a - e).toExponential(3)} > ${bound(e, i).toExponential(3)})`);
    }
  }
  if (bad.length > 0) throw new Error(`${where}: not close at ${bad.join('; ')}`);
}

/** |a − e| ≤ k·ε·(|e| + scale): k ulps relative, with an absolute floor of k ulps of the tensor's scale. */
export function assertUlpClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  ulps: number,
  dtype: DTypeName,
  label: string,
  seed?: number,
): void {
  const tol = ulps * EPS[dtype];
  const scale = finiteScale(expected);
  assertClose(actual, expected, { bound: (e) => tol * (Math.abs(e) + scale), label, seed });
}

/**
 * Results at least as accurate as PyTorch's: against a more precise truth (float64 for float32 results, 80-bit
 * extended for float64 ones where the generator has it), our error at each element is at most twice PyTorch's
 * plus k ulps. The k ulps are of the element, with a floor of k ulps of the tensor's scale unless `perElement`
 * (independent elements, such as an elementwise loss with reduction 'none'). Where PyTorch gives NaN or ±inf we
 * must too (or give the truth's own NaN or ±inf), unless the truth is finite there (PyTorch's own rounding made it
 * NaN): then we may be within k ulps of the truth instead.
 */
export function assertAsAccurateAsTorch(
  ours: ArrayLike<number>,
  torch: ArrayLike<number>,
  truth: ArrayLike<number>,
  ulps: number,
  label: string,
  perElement = false,
  dtype: DTypeName = 'float32',
): void {
  const tol = ulps * EPS[dtype];
  const scale = perElement ? 0 : finiteScale(truth);
  if (ours.length !== torch.length) throw new Error(`${label}: length ${ours.length}, expected ${torch.length}`);
  const bad: string[] = [];
  for (let i = 0; i < torch.length && bad.length < 5; i++) {
    // a truth beyond float32's range is ±inf in a float32 result
    const e = dtype === 'float32' && Math.abs(truth[i]) > FLOAT32_MAX ? Math.fround(truth[i]) : truth[i];
    const [o, t] = [ours[i], torch[i]];
    const ulpBound = tol * (Math.abs(e) + scale);
    const sameSpecial = special(o) !== undefined && (special(o) === special(t) || special(o) === special(e));
    const ok = Number.isFinite(t)
      ? Number.isFinite(e)
        ? Math.abs(o - e) <= 2 * Math.abs(t - e) + ulpBound
        : Math.abs(o - t) <= tol * (Math.abs(t) + scale)
      : sameSpecial || (Number.isFinite(e) && Math.abs(o - e) <= ulpBound);
    if (!ok) bad.push(`[${i}] ${o} vs ${e} (PyTorch ${t})`);
  }
  if (bad.length > 0) throw new Error(`${label}: not close at ${bad.join('; ')}`);
}

/**
 * The relaxed-SIMD build against the plain one (their fused roundings): within 8 ulps, a perplexity's in its
 * logarithm, the mean −log p, whose rounding exp(·) carries times |mean| into the perplexity's own ulps.
 */
export function assertBuildsClose(
  key: string,
  ours: ArrayLike<number>,
  theirs: ArrayLike<number>,
  dtype: DTypeName,
  label: string,
): void {
  const scale = /erplexity/.test(key)
    ? (v: ArrayLike<number>) => Float64Array.from(v, Math.log)
    : (v: ArrayLike<number>) => v;
  assertUlpClose(scale(ours), scale(theirs), 8, dtype, label);
}
