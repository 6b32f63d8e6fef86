// The browser engines here, each driven the way the machine allows: Chromium by playwright-core, Firefox and WebKit
// by scripts/engines.mjs where they are installed. The suites that run a page in every engine (browser.mjs,
// small-calls-browser.mjs) go through inEachEngine.
import { launchChromium } from '../../scripts/chromium.mjs';
import { firefoxInstalled, launchFirefox, launchWebKit, webkitInstalled } from '../../scripts/engines.mjs';

/** Chromium with the other engines' face: open(url) → { evaluate(expression) }, close(). */
async function launchChromiumEngine() {
  const browser = await launchChromium();
  return {
    version: `Chromium ${browser.version()}`,
    async open(url) {
      const page = await browser.newPage();
      await page.goto(url);
      return { evaluate: (expression) => page.evaluate(expression) };
    },
    close: () => browser.close(),
  };
}

const READY = 'new Promise((ok) => { const t = () => (window.benchReady ? ok(1) : setTimeout(t, 20)); t(); })';

/**
 * In each engine in turn, one at a time: opens `url` (a page that sets window.benchReady), evaluates `expression`
 * there (a promise is awaited) and hands its result to `each` with the engine's name and version.
 */
export async function inEachEngine(url, expression, each) {
  const engines = [['Chromium', launchChromiumEngine]];
  if (firefoxInstalled()) engines.push(['Firefox', launchFirefox]);
  if (webkitInstalled()) engines.push(['WebKit', launchWebKit]);
  for (const [name, launch] of engines) {
    const engine = await launch();
    try {
      const page = await engine.open(url);
      await page.evaluate(READY);
      await each({ name, version: engine.version, result: await page.evaluate(expression) });
    } finally {
      await engine.close();
    }
  }
}
