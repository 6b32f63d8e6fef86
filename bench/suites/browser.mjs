// crossEntropy forward and forward + gradient at [8192, 1000], zero-copy, per build, in each browser engine here:
// Chromium (Debian's or the npm-shipped one, by playwright-core), Firefox and WebKit (scripts/engines.mjs), the
// same page (browser.html) in each.
import { launchChromium } from '../../scripts/chromium.mjs';
import { firefoxInstalled, launchFirefox, launchWebKit, webkitInstalled } from '../../scripts/engines.mjs';
import { serve } from '../../scripts/serve.mjs';
import { writeReport } from '../lib/report.mjs';

const [rows, classes] = [8192, 1000];
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const options = { rows, classes, rounds, minMs: 100 };
const { url, close } = await serve(new URL('../../', import.meta.url).pathname);

/** Chromium through playwright-core, with the same face as the other engines. */
async function chromium() {
  const browser = await launchChromium();
  const page = await browser.newPage();
  return {
    version: `Chromium ${browser.version()}`,
    run: async () => {
      await page.goto(`${url}bench/suites/browser.html`);
      await page.waitForFunction(() => window.benchReady);
      return page.evaluate((o) => window.runBench(o), options);
    },
    close: () => browser.close(),
  };
}

/** Firefox or WebKit through scripts/engines.mjs. */
async function other(launch) {
  const engine = await launch();
  return {
    version: engine.version,
    run: async () => {
      const page = await engine.open(`${url}bench/suites/browser.html`);
      await page.evaluate(
        'new Promise((ok) => { const t = () => (window.benchReady ? ok(1) : setTimeout(t, 20)); t(); })',
      );
      return page.evaluate(`window.runBench(${JSON.stringify(options)})`);
    },
    close: () => engine.close(),
  };
}

const engines = [['Chromium', chromium]];
if (firefoxInstalled()) engines.push(['Firefox', () => other(launchFirefox)]);
if (webkitInstalled()) engines.push(['WebKit', () => other(launchWebKit)]);
const lines = [
  '| engine | build | forward ms | Gelem/s | forward + gradient ms | Gelem/s |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
];
const versions = [];
for (const [name, start] of engines) {
  const engine = await start();
  const results = await engine.run();
  versions.push(engine.version);
  await engine.close();
  for (const [build, r] of Object.entries(results)) {
    const rate = (ms) => ((rows * classes) / ms / 1e6).toFixed(2);
    const cells = [r.forward.toFixed(2), rate(r.forward), r.backward.toFixed(2), rate(r.backward)];
    lines.push(`| ${name} | ${build} | ${cells.join(' | ')} |`);
  }
}
await close();
const report = `# In-browser results

\`npm run bench:browser\`: crossEntropy and crossEntropyWithGrad on float32 [${rows}, ${classes}] logits from
\`allocTensor\` (zero-copy), one thread, in ${versions.join(', ')}, medians of ${rounds} rounds of at least
100 ms each, for every build the engine runs (a build it cannot run is left out).

${lines.join('\n')}
`;
writeReport('browser', 'RESULTS.md', report);
console.log(report);
