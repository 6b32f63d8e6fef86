// The Chromium the browser tests, the screenshots and the browser benchmark drive with playwright-core:
// CHROMIUM_PATH when set; else Debian's (/usr/bin/chromium) when installed, unless XENTROPY_CHROMIUM=npm; else
// the Chromium shipped inside the @sparticuz/chromium npm package (unpacked on first use). Nothing is downloaded.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const DEBIAN = '/usr/bin/chromium';

/** Where the Chromium comes from, and its executable. */
export async function findChromium() {
  if (process.env.CHROMIUM_PATH)
    return { source: 'CHROMIUM_PATH', executablePath: process.env.CHROMIUM_PATH, args: FLAGS };
  if (existsSync(DEBIAN) && process.env.XENTROPY_CHROMIUM !== 'npm') {
    return { source: "Debian's chromium", executablePath: DEBIAN, args: FLAGS };
  }
  // only the executable: the package's own flags (--single-process among them) suit one page, not a test suite
  const { default: packaged } = await import('@sparticuz/chromium');
  return { source: '@sparticuz/chromium (npm)', executablePath: await packaged.executablePath(), args: FLAGS };
}

/** Launches that Chromium headless. */
export async function launchChromium() {
  const { executablePath, args } = await findChromium();
  return chromium.launch({ executablePath, args });
}
