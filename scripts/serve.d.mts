export function serve(
  root: string,
  port?: number,
  options?: { isolated?: boolean },
): Promise<{ url: string; close: () => Promise<void> }>;
