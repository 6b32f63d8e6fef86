// The demo page's "Surprise, token by token" in Chromium (scripts/chromium.mjs): the page loads the KJV language
// model, onnxruntime-web runs it cut at its head and xentropy scores the hidden states. Its per-token
// log-probabilities are onnxruntime-node's full logits' (test/fixtures/kjv-lm-golden.json) within rounding, the
// scrambled words are more surprising, the top 5 shown are sorted and sum to at most 1, and the section fits a phone.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../scripts/build-demo.mjs';
import { launchChromium } from '../../scripts/chromium.mjs';
import { serve } from '../../scripts/serve.mjs';
import { assertClose } from '../helpers/assert-close.js';
import { LOG_PROB_BOUND } from '../helpers/kjv-lm.js';

const work = new URL('../browser/.build/', import.meta.url).pathname;
const golden = JSON.parse(readFileSync(new URL('../fixtures/kjv-lm-golden.json', import.meta.url), 'utf8')) as {
  cases: { text: string; ids: number[]; logProbs: number[] }[];
};
const skip = process.env.XENTROPY_SKIP_BROWSER === '1';

let browser: Browser;
let demo: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  demo = await serve(await buildDemo(`${work}demo-lm/`));
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

/** The demo at `width`, once section 6 has scored its first text; page errors and requests elsewhere fail. */
async function open(width: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('request', (r) => r.url().startsWith(demo.url) || r.url().startsWith('data:') || errors.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${demo.url}?epochs=1&seed=1&pace=0`);
  await page.waitForFunction(() => document.getElementById('lm-status')?.dataset.milliseconds, null, {
    timeout: 60_000,
  });
  expect(errors, 'errors in the page').toEqual([]);
  return page;
}

/** Types `text` into the section's box and waits for its colours. */
async function score(page: Page, text: string): Promise<void> {
  await page.locator('#lm-text').fill(text);
  await page.waitForFunction((t) => document.getElementById('lm-tokens')?.dataset.text === t, text);
}

const logProbsShown = (page: Page) =>
  page
    .locator('#lm-tokens .token')
    .evaluateAll((spans) => spans.map((s) => Number((s as HTMLElement).dataset.logProb)));
const bitsPerToken = async (page: Page, id: string) =>
  Number(await page.locator(`#${id}`).getAttribute('data-bits-per-token'));

describe.skipIf(skip)('the demo’s language model in Chromium', () => {
  it('loads the model and gives onnxruntime-node’s per-token log-probabilities within rounding', async () => {
    const page = await open(1280);
    expect(await page.textContent('#lm-status')).toMatch(/onnxruntime-web runs the model on \d thread/);
    for (const { text, logProbs } of golden.cases) {
      await score(page, text);
      assertClose(await logProbsShown(page), logProbs, { bound: LOG_PROB_BOUND, label: `page: ${text}` });
      const bits = logProbs.reduce((s, l) => s - l / Math.LN2, 0) / logProbs.length;
      expect(await bitsPerToken(page, 'lm-summary')).toBeCloseTo(bits, 3);
    }
    await page.close();
  });

  it('shows a tapped token’s top 5 sorted, summing to at most 1; the scrambled words surprise more', async () => {
    const page = await open(1280);
    await score(page, golden.cases[0].text);
    const tokens = page.locator('#lm-tokens .token');
    for (const i of [0, 3, (await tokens.count()) - 1]) {
      await tokens.nth(i).click();
      const shown = await page
        .locator('#lm-detail tr')
        .evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.probability)));
      expect(shown).toHaveLength(5);
      expect(shown).toEqual([...shown].sort((a, b) => b - a));
      expect(shown.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
      expect(await page.textContent('#lm-detail')).toMatch(/entropy was \d+\.\d\d bits/);
    }
    const before = await bitsPerToken(page, 'lm-summary');
    await page.click('#scramble-button');
    await page.waitForFunction(() => document.getElementById('lm-scramble')?.dataset.bitsPerToken);
    const scrambled = await bitsPerToken(page, 'lm-scramble');
    expect(Number(await page.locator('#lm-scramble').getAttribute('data-original-bits-per-token'))).toBe(before);
    expect(scrambled).toBeGreaterThan(before);
    expect(await page.inputValue('#lm-text')).not.toBe(golden.cases[0].text);
    await page.close();
  });

  it('fits 390 and 360 px: no horizontal scroll with the longest sentence and its table shown', async () => {
    for (const width of [390, 360]) {
      const page = await open(width);
      await score(page, golden.cases[2].text);
      await page.locator('#lm-tokens .token').last().click();
      await page.locator('#surprise').scrollIntoViewIfNeeded();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${width} px`).toBeLessThanOrEqual(width);
      const right = await page.locator('#lm-detail table').evaluate((t) => t.getBoundingClientRect().right);
      expect(right).toBeLessThanOrEqual(width);
      await page.close();
    }
  });
});
