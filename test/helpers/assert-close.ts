// Closeness in units of the dtype's epsilon. NaN must meet NaN and ±inf the same ±inf; a failure
// names the first bad indices, the values and the seed (when there is one) to reproduce it.

export const EPS = { float32: 2 ** -23, float64: 2 ** -52 } as const;
export type DTypeName = keyof typeof EPS;

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
 * Float32 results at least as accurate as PyTorch's float32: against the float64 truth, our error at
 * each element is at most twice PyTorch's plus k ulps; where PyTorch gives NaN or ±inf we must too.
 */
export function assertAsAccurateAsTorch(
  ours: ArrayLike<number>,
  torch: ArrayLike<number>,
  truth: ArrayLike<number>,
  ulps: number,
  label: string,
): void {
  const tol = ulps * EPS.float32;
  const scale = finiteScale(truth);
  const expected = Array.from(torch, (t, i) => (Number.isFinite(t) ? truth[i] : t));
  assertClose(ours, expected, {
    bound: (e, i) => 2 * Math.abs(torch[i] - truth[i]) + tol * (Math.abs(e) + scale),
    label,
  });
}
