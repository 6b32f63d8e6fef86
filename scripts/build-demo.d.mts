export function buildDemo(outDir?: string): Promise<string>;
