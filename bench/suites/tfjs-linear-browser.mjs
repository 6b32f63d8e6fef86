// TensorFlow.js's linear + cross-entropy with gradients (tf.matMul, tf.losses.softmaxCrossEntropy, tf.grads) on
// its wasm backend in Chromium, at the shapes of bench/suites/linear.mjs: its matMul is too slow in Node to time a
// whole call, so it is timed on the first TF_ROWS rows and scaled to N, as bench/suites/linear.mjs does in Node.
// `node bench/suites/tfjs-linear-browser.mjs` after `npm run bench` has installed bench/'s dependencies.
import { launchChromium } from '../../scripts/chromium.mjs';
import { serve } from '../../scripts/serve.mjs';

const SHAPES = (process.env.BENCH_SHAPES ?? '512x256x32000,1024x512x50257')
  .split(',')
  .map((s) => s.split('x').map(Number));
const TF_ROWS = Number(process.env.BENCH_TF_ROWS ?? 16);
const { url, close } = await serve(new URL('../../', import.meta.url).pathname);
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto(`${url}bench/suites/tfjs-linear.html`);
await page.waitForFunction(() => window.tfReady);
for (const [N, d, V] of SHAPES) {
  const { ms, backend } = await page.evaluate((o) => window.runTfLinear(o), { rows: TF_ROWS, d, vocab: V });
  const scaled = (ms * N) / TF_ROWS;
  const rate = (6 * N * d * V) / scaled / 1e6;
  console.log(
    `| [${N}, ${d}] · [${V}, ${d}]ᵀ | TensorFlow.js ${backend}, Chromium ${browser.version()}, loss + 2 gradients ` +
      `(${TF_ROWS} rows, scaled) | ${scaled.toFixed(0)} | ${rate.toFixed(2)} |  |`,
  );
}
await browser.close();
await close();
