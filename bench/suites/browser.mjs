import { launchChromium } from '../../scripts/chromium.mjs';
import { serve } from '../../scripts/serve.mjs';
import { writeReport } from '../lib/report.mjs';

const { url, close } = await serve(new URL('../../', import.meta.url).pathname);
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto(`${url}bench/suites/browser.html`);
await page.waitForFunction(() => window.benchReady);
const [rows, classes] = [8192, 1000];
const results = await page.evaluate((o) => window.runBench(o), {
  rows,
  classes,
  rounds: Number(process.env.BENCH_ROUNDS ?? 7),
  minMs: 100,
});
const version = browser.version();
await browser.close();
await close();
const lines = [
  '| build | forward ms | Gelem/s | forward + gradient ms | Gelem/s |',
  '| --- | ---: | ---: | ---: | ---: |',
];
for (const [name, r] of Object.entries(results)) {
  const rate = (ms) => ((rows * classes) / ms / 1e6).toFixed(2);
  const cells = [r.forward.toFixed(2), rate(r.forward), r.backward.toFixed(2), rate(r.backward)];
  lines.push(`| ${name} | ${cells.join(' | ')} |`);
}
const report = `# In-browser results

\`npm run bench:browser\`: crossEntropy and crossEntropyWithGrad on float32 [${rows}, ${classes}] logits from
\`allocTensor\` (zero-copy), one thread, in Chromium ${version} (headless, Debian's), medians of
${process.env.BENCH_ROUNDS ?? 7} rounds of at least 100 ms each.

${lines.join('\n')}
`;
writeReport('browser', 'RESULTS.md', report);
console.log(report);
