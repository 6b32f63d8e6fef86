// require('xentropy') from CommonJS: the exports map's default condition, and Node's require of an ES module.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/** What a CommonJS script prints, run in a project whose node_modules holds this package. */
function runInProject(script: string): string {
  const project = mkdtempSync(join(tmpdir(), 'xentropy-cjs-'));
  try {
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(fileURLToPath(new URL('../..', import.meta.url)), join(project, 'node_modules', 'xentropy'), 'dir');
    const out = execFileSync(process.execPath, ['-e', script], { cwd: project, stdio: ['ignore', 'pipe', 'ignore'] });
    return out.toString().trim();
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

it('a CommonJS script can require the package by name and compute a loss', () => {
  const script = `const x = require('xentropy');
x.init().then(() => {
  const loss = x.crossEntropy({ data: new Float32Array([2, 1, 0.1]), shape: [1, 3] }, [0]);
  console.log(loss.toFixed(4));
});`;
  expect(runInProject(script)).toBe('0.4170');
});

it('a CommonJS script can require the TensorFlow.js adapter', () => {
  const script = `const adapter = require('xentropy/tfjs');
console.log(typeof adapter.softmaxCrossEntropy, typeof adapter.sigmoidCrossEntropy);`;
  expect(runInProject(script)).toBe('function function');
});
