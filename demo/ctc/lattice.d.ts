// Types of lattice.js, for the tests that import it.

/** The classes: the blank (shown as _) first. */
export declare const ALPHABET: readonly string[];
/** The emission matrix: log-probabilities [24, 6] of a made-up spoken "hello". */
export declare function emissions(): { data: Float32Array; shape: [number, number] };
/** A transcript's labels, or the first character the alphabet lacks. */
export declare function labelsOf(text: string): { labels: number[]; missing?: undefined } | { missing: string };
/** Each frame's position in the extended labels along an alignment's per-frame labels. */
export declare function positionsOf(frameLabels: ArrayLike<number>, blank?: number): number[];
