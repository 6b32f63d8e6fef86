// The row Σ exp of the forward and the gradient (assembly/math/sum-exp.ts: its constants in registers, 2^n put into
// the exponent bits) gives the bits of the vector exp and the sum it replaced (a sum alone in the relaxed build: that
// of the exp with ln2 in one part): test/runtimes/sum-exp.mjs, in the SIMD build here and in the relaxed-SIMD build
// on the runtimes that have relaxed SIMD.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sumExpFailures } from '../runtimes/sum-exp.mjs';

const script = fileURLToPath(new URL('../runtimes/sum-exp.mjs', import.meta.url));
const node = (major: number) =>
  fileURLToPath(new URL(`../../runtimes/node_modules/node${major}/bin/node`, import.meta.url));

describe('the row Σ exp', () => {
  it('SIMD build: the stored exps, their sum, the sum without stores and the next row max, bit for bit', () => {
    expect(sumExpFailures('simd')).toEqual([]);
  });

  for (const major of [22, 24, 26]) {
    it.runIf(existsSync(node(major)))(
      `relaxed-SIMD build on Node ${major}: the same, with its fused roundings and its sum alone`,
      () => {
        const result = spawnSync(node(major), [script, 'relaxed'], { encoding: 'utf8', timeout: 120_000 });
        expect(result.status, result.stderr).toBe(0);
        expect(JSON.parse(result.stdout)).toEqual([]);
      },
    );
  }
});
