export const GOLDEN_FILES: string[];
export const MAX_CASE_ELEMENTS: number;
export function runGolden(lib: unknown, golden: Record<string, unknown>): Record<string, string[]>;
export function fetchGolden(base: string): Promise<Record<string, unknown>>;
export function runCatalogue(lib: unknown, calls: unknown[]): Record<string, string[]>;
export function runAll(lib: unknown): Promise<Record<string, string[]>>;
