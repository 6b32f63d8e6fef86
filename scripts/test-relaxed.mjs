// npm test's last step: the correctness suite again, on Node 24, where init() picks the relaxed-SIMD build that
// Node ≥ 22, Chromium and Firefox run (npm test's own Node may have no relaxed SIMD). Its SIMD-against-scalar tests
// then hold the relaxed build to the scalar one, as they found the distillation's error at huge logits. Without
// runtimes/ (npm ci installs it) the step is skipped, but not in CI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const node = fileURLToPath(new URL('../runtimes/node_modules/node24/bin/node', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
if (!existsSync(node)) {
  if (process.env.CI) throw new Error('test-relaxed: no Node 24 in runtimes/ (npm ci installs it)');
  console.log('test-relaxed: no Node 24 in runtimes/, skipped (npm ci installs it)');
  process.exit(0);
}
console.log('\nThe correctness suite on Node 24 (the relaxed-SIMD build):');
const run = spawnSync(node, [vitest, 'run', 'test/correctness'], {
  stdio: 'inherit',
  cwd: fileURLToPath(new URL('..', import.meta.url)),
});
process.exit(run.status ?? 1);
