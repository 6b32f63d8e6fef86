export function serve(
  root: string,
  port?: number,
  options?: { isolated?: boolean; cacheable?: boolean },
): Promise<{ url: string; close: () => Promise<void> }>;
