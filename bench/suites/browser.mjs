// crossEntropy forward and forward + gradient at [8192, 1000], zero-copy, per build, in each browser engine here:
// Chromium (Debian's or the npm-shipped one, by playwright-core), Firefox and WebKit (scripts/engines.mjs), the
// same page (browser.html) in each; and onnxruntime-node's forward on the same logits in this process, before and
// after the engines, for the target (Chromium's forward ≥ 1.5× it). `npm run bench:browser` after
// `npm run bench` has installed bench/'s peers.
import { serve } from '../../scripts/serve.mjs';
import { inEachEngine } from '../lib/engines.mjs';
import { writeReport } from '../lib/report.mjs';
import { median, timeOnce } from '../lib/timing.mjs';
import { onnxruntimePeer } from '../peers/onnxruntime.mjs';

const [rows, classes] = [8192, 1000];
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const options = { rows, classes, rounds, minMs: 100 };
const { url, close } = await serve(new URL('../../', import.meta.url).pathname);

/** onnxruntime-node's forward on the page's logits (sin(i) · 4, targets i · 7 mod C): the median of `rounds` rounds. */
async function onnxruntimeForward() {
  const logits = Float32Array.from({ length: rows * classes }, (_, i) => Math.sin(i) * 4);
  const targets = Int32Array.from({ length: rows }, (_, i) => (i * 7) % classes);
  const peer = await onnxruntimePeer({ logits, targets, rows, classes }, 0);
  const run = peer.forward['onnxruntime-node (1 thread)'];
  const times = [];
  for (let r = 0; r < rounds; r++) times.push(await timeOnce(run, 100));
  await peer.dispose();
  return median(times);
}

const onnxruntime = [await onnxruntimeForward()];
const lines = [
  '| engine | build | forward ms | Gelem/s | forward + gradient ms | Gelem/s |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
];
const versions = [];
await inEachEngine(`${url}bench/suites/browser.html`, `window.runBench(${JSON.stringify(options)})`, (engine) => {
  versions.push(engine.version);
  for (const [build, r] of Object.entries(engine.result)) {
    const rate = (ms) => ((rows * classes) / ms / 1e6).toFixed(2);
    const cells = [r.forward.toFixed(2), rate(r.forward), r.backward.toFixed(2), rate(r.backward)];
    lines.push(`| ${engine.name} | ${build} | ${cells.join(' | ')} |`);
  }
});
await close();
onnxruntime.push(await onnxruntimeForward());
const ortMs = median(onnxruntime);
const chromiumForward = Object.fromEntries(
  lines.filter((l) => l.startsWith('| Chromium |')).map((l) => [l.split(' | ')[1], Number(l.split(' | ')[2])]),
);
const target = Object.entries(chromiumForward)
  .filter(([build]) => build !== 'scalar')
  .map(([build, ms]) => `${build} ${(ortMs / ms).toFixed(2)}×${ortMs / ms >= 1.5 ? ' ✓' : ' ✗'}`)
  .join(', ');
const report = `# In-browser results

\`npm run bench:browser\`: crossEntropy and crossEntropyWithGrad on float32 [${rows}, ${classes}] logits from
\`allocTensor\` (zero-copy), one thread, in ${versions.join(', ')}, medians of ${rounds} rounds of at least
100 ms each, for every build the engine runs (a build it cannot run is left out).

${lines.join('\n')}

onnxruntime-node (native, one thread) in this process (${process.version}), on the same logits, before and after the
engines: forward ${onnxruntime.map((ms) => ms.toFixed(2)).join(' and ')} ms. Chromium's forward against it (target
≥ 1.5×): ${target}.
`;
writeReport('browser', 'RESULTS.md', report);
console.log(report);
