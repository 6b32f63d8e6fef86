// The benchmarks' one report writer: every report goes to results/<suite>/, headed by the machine and runtime that
// produced it, so that no figure is read without knowing where it came from.
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';

/** The CPU, its core count, the OS and architecture. */
export const machine = () => `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${platform()} ${arch()}`;

/** The JavaScript runtime running the suite. */
export function runtime() {
  const versions = globalThis.process?.versions ?? {};
  if (globalThis.Deno) return `Deno ${globalThis.Deno.version.deno}`;
  if (versions.bun) return `Bun ${versions.bun}`;
  return `Node ${versions.node} (V8 ${versions.v8})`;
}

/**
 * Writes `text` to results/<suite>/<file> with a line naming the machine, the runtime and the date after its
 * title (its first line), and returns the path written.
 */
export function writeReport(suite, file, text) {
  const dir = new URL(`../results/${suite}/`, import.meta.url);
  mkdirSync(dir, { recursive: true });
  const [title, ...rest] = text.split('\n');
  const head = `_${machine()}; ${runtime()}; ${new Date().toISOString().slice(0, 10)}._`;
  const url = new URL(file, dir);
  writeFileSync(url, [title, '', head, ...rest].join('\n'));
  return url.pathname;
}
