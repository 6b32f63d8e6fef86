// The benchmarks' timing helpers.

/** The median of xs (the mean of the middle two for an even count). */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Milliseconds per call of `fn`, called (and awaited, when it returns a promise) for at least `minMs`. */
export async function timeOnce(fn, minMs) {
  let reps = 0;
  const start = performance.now();
  do {
    await fn();
    reps++;
  } while (performance.now() - start < minMs);
  return (performance.now() - start) / reps;
}
