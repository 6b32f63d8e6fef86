// The demo's "Surprise, token by token" in Chromium: the time from a keystroke to the colours, as the page measures
// it (from the input event to the first frame painted after the tokens are coloured), for the 64-token sentence of
// test/fixtures/kjv-lm-golden.json. Each round deletes the sentence's last character and types it again, so each
// measured keystroke rescored the whole sentence. `npm run bench:demo`.
import { readFileSync } from 'node:fs';
import { buildDemo } from '../../scripts/build-demo.mjs';
import { launchChromium } from '../../scripts/chromium.mjs';
import { serve } from '../../scripts/serve.mjs';
import { machine, writeReport } from '../lib/report.mjs';
import { median } from '../lib/timing.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const golden = JSON.parse(readFileSync(new URL('../../test/fixtures/kjv-lm-golden.json', import.meta.url), 'utf8'));
const sentence = golden.cases.find((c) => c.ids.length - 1 === 64).text;
const { url, close } = await serve(await buildDemo());
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => console.error(error));
  await page.goto(`${url}?epochs=1&seed=1&pace=0`);
  const shown = (text) => page.waitForFunction((t) => document.getElementById('lm-tokens')?.dataset.text === t, text);
  await shown(await page.inputValue('#lm-text'));
  await page.locator('#lm-text').fill(sentence);
  await shown(sentence);
  const figure = async (name) => Number(await page.locator('#lm-status').getAttribute(`data-${name}`));
  const samples = { keystroke: [], model: [], xentropy: [] };
  await page.locator('#lm-text').focus();
  for (let round = 0; round < ROUNDS; round++) {
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await shown(sentence.slice(0, -1));
    await page.keyboard.type(sentence.at(-1));
    await shown(sentence);
    await page.waitForFunction(() => document.getElementById('lm-status')?.dataset.tokens === '64');
    samples.keystroke.push(await figure('milliseconds'));
    samples.model.push(await figure('model-milliseconds'));
    samples.xentropy.push(await figure('score-milliseconds'));
  }
  const row = (name, xs) =>
    `| ${name} | ${median(xs).toFixed(1)} | ${Math.min(...xs).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`;
  const text = [
    '# The demo: from a keystroke to the colours, in Chromium',
    '',
    `The 64-token sentence, rescored after each keystroke, in Chromium ${browser.version()} (headless) on`,
    `${machine()}; ${ROUNDS} keystrokes, the first page load excluded (\`npm run bench:demo\`). The model runs in`,
    'onnxruntime-web (one thread, the page is not cross-origin isolated); xentropy scores its hidden states.',
    '',
    '| ms | median | min | max |',
    '| --- | ---: | ---: | ---: |',
    row('keystroke to colours painted', samples.keystroke),
    row('the model (onnxruntime-web, cut at its head)', samples.model),
    row('xentropy: log-probs, top 5 and entropy from the hidden states', samples.xentropy),
    '',
  ].join('\n');
  writeReport('demo-latency', 'CHROMIUM.md', text);
  console.log(text);
} finally {
  await browser.close();
  await close();
}
