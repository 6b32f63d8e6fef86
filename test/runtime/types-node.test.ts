// The published declarations compile in a Node-only TypeScript project: no DOM library, no skipLibCheck, with
// moduleResolution nodenext, node16 and bundler.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

it.each([
  ['nodenext', 'nodenext'],
  ['node16', 'node16'],
  ['esnext', 'bundler'],
])('module %s, moduleResolution %s', (module, moduleResolution) => {
  const project = mkdtempSync(join(tmpdir(), 'xentropy-types-'));
  try {
    mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
    symlinkSync(root, join(project, 'node_modules', 'xentropy'), 'dir');
    symlinkSync(join(root, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'), 'dir');
    const compilerOptions = {
      target: 'ES2022',
      module,
      moduleResolution,
      lib: ['ES2022'],
      types: ['node'],
      strict: true,
    };
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true } }),
    );
    writeFileSync(join(project, 'package.json'), '{ "type": "module" }');
    writeFileSync(
      join(project, 'main.ts'),
      `import { crossEntropyWithGrad, init, type Tensor } from 'xentropy';
await init();
const logits: Tensor<Float32Array> = { data: new Float32Array([1, 2, 3]), shape: [1, 3] };
const { loss, grad } = crossEntropyWithGrad(logits, [2]);
const check: [number, Float32Array] = [loss, grad.data];
console.log(check);\n`,
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = (() => {
      try {
        return execFileSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
      } catch (error) {
        return (error as { stdout: string }).stdout;
      }
    })();
    expect(result).toBe('');
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
