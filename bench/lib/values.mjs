// Seeded inputs for the benchmarks: the same numbers in every run and every build compared.

/** `n` float32 values in [-4, 4) from a linear congruential sequence seeded by `seed`. */
export function seededValues(n, seed) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 8 - 4;
  }
  return out;
}
