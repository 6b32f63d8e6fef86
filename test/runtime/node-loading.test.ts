// How Node gets a build's bytes: the .wasm file beside the entry (dist/wasm/), read directly; where it is missing
// (the entry bundled into an app), the embedded module. Each way alone, in a copy of dist/.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** A copy of dist/ without the files `drop` picks; the loss of one row computed there, through each build. */
function lossesWithout(drop: (file: string) => boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'xentropy-dist-'));
  copies.push(dir);
  cpSync(fileURLToPath(new URL('../../dist/', import.meta.url)), dir, { recursive: true });
  for (const file of readdirSync(join(dir, 'wasm'))) if (drop(file)) rmSync(join(dir, 'wasm', file));
  const script = `const x = await import(${JSON.stringify(new URL(`file://${dir}/index.js`).href)});
const out = [];
for (const options of [{ simd: false }, { simd: true, relaxedSimd: false }]) {
  await x.init(options);
  out.push(x.wasmBuild() + ' ' + x.crossEntropy({ data: new Float32Array([2, 1, 0.1]), shape: [1, 3] }, [0]));
}
console.log(out.join(', '));`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script]).toString().trim();
}

it('reads the .wasm files when they are there, else the embedded modules: the same results', () => {
  const whole = lossesWithout(() => false);
  expect(whole).toMatch(/^scalar 0\.41703\d*, simd 0\.41703\d*$/);
  expect(lossesWithout((file) => file.endsWith('.js'))).toBe(whole); // the .wasm files alone
  expect(lossesWithout((file) => file.endsWith('.wasm'))).toBe(whole); // the embedded modules alone
});
