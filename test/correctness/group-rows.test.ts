// Short rows side by side (assembly/math/group-rows.ts: rows of at most 31 elements, four per vector, transposed in
// registers) give the bits of what they stand for: each row's max, its vector exps, their sum in float64 rounded once,
// its vector log; softmax, logSoftmax and logSumExp from them, in place or not, writing nothing past their arrays:
// test/runtimes/group-rows.mjs, in the SIMD build here and in the relaxed-SIMD build on the runtimes that have it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { groupRowsFailures } from '../runtimes/group-rows.mjs';

const script = fileURLToPath(new URL('../runtimes/group-rows.mjs', import.meta.url));
const node = (major: number) =>
  fileURLToPath(new URL(`../../runtimes/node_modules/node${major}/bin/node`, import.meta.url));

describe('short rows side by side', () => {
  it('SIMD build: softmax, logSoftmax and logSumExp of every width up to 31, bit for bit', () => {
    expect(groupRowsFailures('simd')).toEqual([]);
  });

  for (const major of [22, 24, 26]) {
    it.runIf(existsSync(node(major)))(`relaxed-SIMD build on Node ${major}: the same, with its fused roundings`, () => {
      const result = spawnSync(node(major), [script, 'relaxed'], { encoding: 'utf8', timeout: 120_000 });
      expect(result.status, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual([]);
    });
  }
});
