// A user's project: a temporary folder whose node_modules holds this package (a symlink), as `npm install` would.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs `use` on a fresh project folder, then removes it. */
export function inProject<T>(use: (folder: string) => T): T {
  const project = mkdtempSync(join(tmpdir(), 'xentropy-project-'));
  try {
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(fileURLToPath(new URL('../..', import.meta.url)), join(project, 'node_modules', 'xentropy'), 'dir');
    return use(project);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
