// Threads on the runtimes with relaxed SIMD (Node 22, 24 and 26, from runtimes/): the workers run the relaxed-SIMD
// build on shared memory, and give the one-thread relaxed-SIMD results bit for bit (test/runtimes/threads-relaxed.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../runtimes/threads-relaxed.mjs', import.meta.url));
const node = (major: number) =>
  fileURLToPath(new URL(`../../runtimes/node_modules/node${major}/bin/node`, import.meta.url));

describe('threads on the relaxed-SIMD build', () => {
  for (const major of [22, 24, 26]) {
    it.runIf(existsSync(node(major)))(`Node ${major}: two threads give one thread's relaxed-SIMD bits`, () => {
      const result = spawnSync(node(major), [script], { encoding: 'utf8', timeout: 120_000 });
      expect(result.status, result.stderr).toBe(0);
      const { oneBuild, twoBuild, same } = JSON.parse(result.stdout);
      expect([oneBuild, twoBuild]).toEqual(['relaxed-simd', 'relaxed-simd']);
      expect(same).toEqual({ loss: true, grad: true, none: true, softmax: true, resident: true, short: true });
    });
  }
});
