/** The failures (at most 20) of a math build's row Σ exp, in words: none when it holds (sum-exp.mjs). */
export function sumExpFailures(build: 'simd' | 'relaxed'): string[];
