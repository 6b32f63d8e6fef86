// `npm run bench` on the Nodes people run: the Node 24 and 26 binaries that scripts/install-runtimes.mjs installs
// from npm into runtimes/ (BENCH_RUNTIMES=20,22 runs this Node and Node 22). Each runs bench/suites/losses.mjs in a
// process of its own, one after the other (never side by side: they would share the two cores), and writes
// bench/results/losses/RESULTS-node<major>.md; this script then gathers their targets' tables into
// bench/results/losses/RESULTS.md.
// BENCH_RUNTIMES=20,24 picks some of them; the other BENCH_* variables pass through to bench/suites/losses.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeReport } from '../lib/report.mjs';

const here = new URL('.', import.meta.url);
const binaries = {
  20: process.execPath,
  22: new URL('../../runtimes/node_modules/node22/bin/node', here).pathname,
  24: new URL('../../runtimes/node_modules/node24/bin/node', here).pathname,
  26: new URL('../../runtimes/node_modules/node26/bin/node', here).pathname,
};
const wanted = (process.env.BENCH_RUNTIMES ?? '24,26').split(',').map(Number);
const sections = [];
for (const major of wanted) {
  const node = binaries[major];
  if (!node || !existsSync(node)) {
    sections.push(`## Node ${major}\n\nNot run: no Node ${major} binary (npm ci installs it into runtimes/).\n`);
    continue;
  }
  console.log(`\n# Node ${major}: ${node}`);
  const run = spawnSync(node, ['losses.mjs'], { cwd: here, stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`losses.mjs failed on Node ${major} (exit ${run.status})`);
  const table = readFileSync(new URL(`../results/losses/targets-node${major}.md`, here), 'utf8');
  sections.push(
    `## Node ${major}\n\nAll shapes and peers: [RESULTS-node${major}.md](RESULTS-node${major}.md).\n\n${table}`,
  );
}
const report = `# Benchmark results

\`npm run bench\` runs bench/suites/losses.mjs on each Node in turn (${wanted.map((m) => `Node ${m}`).join(', ')}):
softmax cross-entropy on float32 logits with class-index targets, against naive JS, TensorFlow.js, onnxruntime-node
and -web, PyTorch CPU and the memory-copy floor, all in the same process run. Below, per runtime, the targets of the
performance issue, read from the build init() picks there (the relaxed-SIMD build where the engine runs it), with
plain typed arrays in and the gradient's \`out\` reused, one thread; ratios are the peer's time over xentropy's
(above 1: xentropy is faster). ✓ meets the target, "within 15 %" is within 15 % of it, ✗ misses it.

${sections.join('\n')}`;
writeReport('losses', 'RESULTS.md', report);
console.log(report);
