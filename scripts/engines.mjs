// The browser engines besides Chromium, each driven as the machine allows: Firefox (Debian's firefox-esr) by
// puppeteer-core over WebDriver BiDi, and WebKit (WebKitGTK's MiniBrowser) by its WebDriver server
// (webkit2gtk-driver) on a virtual display (Xvfb). firefoxInstalled() and webkitInstalled() say whether each is
// here. Used by test/runtime/engines.test.ts and bench/suites/browser.mjs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

const FIREFOX = '/usr/bin/firefox-esr';
const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';
const XVFB = '/usr/bin/Xvfb';

export const firefoxInstalled = () => existsSync(FIREFOX);
export const webkitInstalled = () => existsSync(WEBKIT_DRIVER) && existsSync(XVFB);

/** Firefox (Debian's firefox-esr), headless, through puppeteer-core over WebDriver BiDi. */
export async function launchFirefox() {
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  return {
    name: 'Firefox',
    version: await browser.version(),
    async open(url) {
      const page = await browser.newPage();
      await page.goto(url);
      return {
        evaluate: (expression) => page.evaluate(`(async () => (${expression}))()`),
        close: () => page.close(),
      };
    },
    close: () => browser.close(),
  };
}

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A W3C WebDriver server's command. */
async function command(base, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${JSON.stringify(json.value).slice(0, 400)}`);
  return json.value;
}

/** WebKit (WebKitGTK's MiniBrowser) through its WebDriver server, on a virtual display of its own. */
export async function launchWebKit(port = 4497, display = ':97') {
  const processes = [spawn(XVFB, [display, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' })];
  await wait(500);
  processes.push(
    spawn(WEBKIT_DRIVER, [`--port=${port}`], { stdio: 'ignore', env: { ...process.env, DISPLAY: display } }),
  );
  const base = `http://127.0.0.1:${port}`;
  for (let tries = 0; tries < 50; tries++) {
    if (
      await fetch(`${base}/status`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await wait(100);
  }
  const options = { args: ['--automation'] }; // the driver's own MiniBrowser
  const session = await command(base, 'POST', '/session', {
    capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': options } },
  });
  const id = session.sessionId;
  const capabilities = session.capabilities;
  const at = `/session/${id}`;
  await command(base, 'POST', `${at}/timeouts`, { script: 120_000, pageLoad: 60_000 });
  return {
    name: 'WebKit',
    version: `WebKitGTK ${capabilities.browserVersion}`,
    async open(url) {
      await command(base, 'POST', `${at}/url`, { url });
      return {
        async evaluate(expression) {
          const script = `const done = arguments[arguments.length - 1];
            (async () => (${expression}))().then((v) => done({ v }), (e) => done({ e: String(e && e.stack || e) }));`;
          const { v, e } = await command(base, 'POST', `${at}/execute/async`, { script, args: [] });
          if (e) throw new Error(e);
          return v;
        },
        close: async () => undefined, // one window: the next open navigates it
      };
    },
    async close() {
      await command(base, 'DELETE', at).catch(() => undefined);
      for (const p of processes.reverse()) p.kill();
    },
  };
}
