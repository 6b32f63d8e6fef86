/** The failures (at most 20) of a math build's short rows side by side, in words: none when they hold (group-rows.mjs). */
export function groupRowsFailures(build: 'simd' | 'relaxed'): string[];
