// The published declarations compile in a Node-only TypeScript project: no DOM library, no skipLibCheck, with
// moduleResolution nodenext, node16 and bundler.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** What tsc prints for `source` in a fresh project of these options that installs the package ('' if it compiles). */
function compile(module: string, moduleResolution: string, lib: string[], source: string): string {
  const project = mkdtempSync(join(tmpdir(), 'xentropy-types-'));
  try {
    mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
    symlinkSync(root, join(project, 'node_modules', 'xentropy'), 'dir');
    symlinkSync(join(root, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'), 'dir');
    const compilerOptions = { target: 'ES2022', module, moduleResolution, lib, types: ['node'], strict: true };
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true } }),
    );
    writeFileSync(join(project, 'package.json'), '{ "type": "module" }');
    writeFileSync(join(project, 'main.ts'), source);
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      return execFileSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
    } catch (error) {
      return (error as { stdout: string }).stdout;
    }
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

it.each([
  ['nodenext', 'nodenext'],
  ['node16', 'node16'],
  ['esnext', 'bundler'],
])('module %s, moduleResolution %s', (module, moduleResolution) => {
  const source = `import { crossEntropyWithGrad, init, type Tensor } from 'xentropy';
await init();
const logits: Tensor<Float32Array> = { data: new Float32Array([1, 2, 3]), shape: [1, 3] };
const { loss, grad } = crossEntropyWithGrad(logits, [2]);
const check: [number, Float32Array] = [loss, grad.data];
console.log(check);\n`;
  expect(compile(module, moduleResolution, ['ES2022'], source)).toBe('');
});

it('Float16Array in and out where the library has it, results typed by the reduction, misspelt options refused', () => {
  const source = `import { crossEntropy, crossEntropyWithGrad, softmax } from 'xentropy';
const half = { data: new Float16Array([1, 2, 3]), shape: [1, 3] };
const perRow: Float16Array = crossEntropy(half, [2], { reduction: 'none' }).data;
const mean: number = crossEntropy(half, [2], { labelSmoothing: 0.1 });
const grad: Float16Array = crossEntropyWithGrad(half, [2], { out: new Float16Array(3) }).grad.data;
const probabilities: Float16Array = softmax(half).data;
// @ts-expect-error a misspelt option
crossEntropy(half, [2], { reductoin: 'sum' });
// @ts-expect-error a number result is not a Tensor
const wrong: Float16Array = crossEntropy(half, [2]).data;
console.log(perRow, mean, grad, probabilities, wrong);\n`;
  expect(compile('nodenext', 'nodenext', ['ES2022', 'ESNext.Float16'], source)).toBe('');
  // without the library's Float16Array, the rest still compiles
  expect(
    compile(
      'nodenext',
      'nodenext',
      ['ES2022'],
      'import { softmax } from "xentropy";\nsoftmax({ data: new Float32Array(1), shape: [1] });\n',
    ),
  ).toBe('');
});
