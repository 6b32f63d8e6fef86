// xentropy/tfjs against TensorFlow.js in Chromium: bench/suites/tfjs-adapter.mjs's comparison (loss + gradient of
// float32 logits through tf.valueAndGrad, copies included) on tf's wasm and cpu backends in a page
// (tfjs-adapter.html), one thread. `npm run bench:tfjs:browser` after `npm run bench` has installed bench/'s
// dependencies.
import { launchChromium } from '../../scripts/chromium.mjs';
import { serve } from '../../scripts/serve.mjs';
import { writeReport } from '../lib/report.mjs';

const [rows, classes] = (process.env.BENCH_SHAPE ?? '8192x1000').split('x').map(Number);
const options = {
  rows,
  classes,
  rounds: Number(process.env.BENCH_ROUNDS ?? 7),
  minMs: 200,
  backends: (process.env.BENCH_BACKENDS ?? 'wasm,cpu').split(','),
};
const { url, close } = await serve(new URL('../../', import.meta.url).pathname);
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error(error));
  await page.goto(`${url}bench/suites/tfjs-adapter.html`);
  await page.waitForFunction(() => window.tfjsAdapterReady);
  const results = await page.evaluate((o) => window.runTfjsAdapter(o), options);
  const rowsOf = (backend) => results.filter((r) => r.backend === backend);
  const table = options.backends.flatMap((backend) => {
    const [tf] = rowsOf(backend);
    return rowsOf(backend).map(
      (r) => `| ${backend} | ${r.name} | ${r.ms.toFixed(1)} | ${(tf.ms / r.ms).toFixed(1)}× |`,
    );
  });
  const text = [
    '# xentropy/tfjs against TensorFlow.js, in Chromium',
    '',
    `Loss + gradient of float32 logits [${rows}, ${classes}] through \`tf.valueAndGrad\`, one thread, copies`,
    `included, in Chromium ${browser.version()} (headless); medians of ${options.rounds} interleaved rounds`,
    '(`npm run bench:tfjs:browser`).',
    '',
    '| backend | loss | ms | speed-up over TensorFlow.js |',
    '| --- | --- | ---: | ---: |',
    ...table,
    '',
  ].join('\n');
  writeReport('tfjs-adapter', 'CHROMIUM.md', text);
  console.log(text);
} finally {
  await browser.close();
  await close();
}
