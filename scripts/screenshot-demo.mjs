// `npm run screenshot`: builds the demo, opens it in Chromium (scripts/chromium.mjs), lets the training race finish,
// draws a "7" on the grid and saves docs/demo.png for the README, and docs/demo-390.png at a phone's width; then
// section 6 with a token tapped, at 1280 and 390 px: docs/demo-surprise.png and docs/demo-surprise-390.png; and
// section 7's CTC lattice: docs/demo-ctc.png and docs/demo-ctc-390.png.
import { mkdirSync } from 'node:fs';
import { buildDemo } from './build-demo.mjs';
import { launchChromium } from './chromium.mjs';
import { serve } from './serve.mjs';

const { url, close } = await serve(await buildDemo());
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
await page.goto(`${url}?epochs=20&seed=1&pace=0`);
await page.waitForFunction(() => window.xentropyDemo?.done, null, { timeout: 60_000 });
await page.click('#clear-button');
const centre = async (row, col) => {
  const box = await page.locator(`#grid div[data-index="${row * 8 + col}"]`).boundingBox();
  return [box.x + box.width / 2, box.y + box.height / 2];
};
const stroke = [
  [1, 1],
  [1, 2],
  [1, 3],
  [1, 4],
  [1, 5],
  [1, 6],
  [2, 6],
  [3, 5],
  [4, 4],
  [5, 4],
  [6, 3],
  [7, 3],
];
await page.mouse.move(...(await centre(...stroke[0])));
await page.mouse.down();
for (const cell of stroke.slice(1)) await page.mouse.move(...(await centre(...cell)), { steps: 3 });
await page.mouse.up();
mkdirSync(new URL('../docs/', import.meta.url), { recursive: true });
await page.screenshot({ path: new URL('../docs/demo.png', import.meta.url).pathname, fullPage: true });
// and as a phone shows it
const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
await phone.goto(`${url}?epochs=20&seed=1&pace=0`);
await phone.waitForFunction(() => window.xentropyDemo?.done, null, { timeout: 60_000 });
await phone.screenshot({ path: new URL('../docs/demo-390.png', import.meta.url).pathname, fullPage: true });
// section 6, "Surprise, token by token", with a token's top 5 shown
for (const [width, name] of [
  [1280, 'demo-surprise'],
  [390, 'demo-surprise-390'],
]) {
  const lm = await browser.newPage({ viewport: { width, height: 900 } });
  await lm.goto(`${url}?epochs=1&seed=1&pace=0`);
  await lm.waitForFunction(() => document.getElementById('lm-status').dataset.milliseconds, null, { timeout: 60_000 });
  await lm.locator('#lm-tokens .token').nth(5).click();
  await lm.locator('#surprise').screenshot({ path: new URL(`../docs/${name}.png`, import.meta.url).pathname });
}
// section 7, the CTC lattice of "hello"
for (const [width, name] of [
  [1280, 'demo-ctc'],
  [390, 'demo-ctc-390'],
]) {
  const ctc = await browser.newPage({ viewport: { width, height: 900 } });
  await ctc.goto(`${url}?epochs=1&seed=1&pace=0`);
  await ctc.waitForFunction(() => document.getElementById('ctc-summary').dataset.path);
  await ctc.locator('#ctc').screenshot({ path: new URL(`../docs/${name}.png`, import.meta.url).pathname });
}
await browser.close();
await close();
console.log('wrote docs/demo.png, docs/demo-390.png, docs/demo-surprise(-390).png and docs/demo-ctc(-390).png');
