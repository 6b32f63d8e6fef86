// The package in Firefox and in WebKit, beside Chromium (test/runtime/browser.test.ts): each engine runs the golden
// slice and every public function of the test catalogue with Node's bits, in the plain SIMD and the scalar build;
// init picks the build the engine validates (WebKit, and so every iOS browser, has no relaxed SIMD: plain SIMD);
// threads run in a cross-origin-isolated Web Worker where the engine has shared memory; the demo page trains. An
// engine that is not installed is skipped, and says so; in CI on Linux x64 (.ci/run installs both with apt) a
// missing one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../scripts/build-demo.mjs';
import { type Engine, firefoxInstalled, launchFirefox, launchWebKit, webkitInstalled } from '../../scripts/engines.mjs';
import { serve } from '../../scripts/serve.mjs';
import { closeResults, nodeResults, sameResults, writeCatalogueCalls } from '../helpers/page-results.js';

type Server = { url: string; close: () => Promise<void> };
const root = new URL('../../', import.meta.url).pathname;
const required = process.env.CI === 'true' && process.platform === 'linux' && process.arch === 'x64';
const ENGINES = [
  { name: 'Firefox', installed: firefoxInstalled(), launch: launchFirefox, builds: ['simd', 'relaxed-simd'] },
  { name: 'WebKit', installed: webkitInstalled(), launch: launchWebKit, builds: ['simd'] },
];

for (const { name, installed } of ENGINES) {
  if (!installed) console.log(`${name} is not installed here: its tests are skipped (.ci/run installs it with apt)`);
  it.runIf(required && !installed)(`${name} is installed (in CI)`, () => expect(installed).toBe(true));
}

describe.each(ENGINES.filter((e) => e.installed))('in $name', ({ launch, builds }) => {
  let engine: Engine;
  let server: Server;
  let isolated: Server;
  let demo: Server;
  beforeAll(async () => {
    writeCatalogueCalls();
    [server, isolated, demo] = await Promise.all([
      serve(root),
      serve(root, 0, { isolated: true }),
      buildDemo().then((folder: string) => serve(folder)),
    ]);
    engine = await launch();
    console.log(`${engine.name}: ${engine.version}`);
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
    await Promise.all([server, isolated, demo].map((s) => s?.close()));
  });

  /** The page's results for init(options): its build and its outputs. */
  async function inPage(options: object) {
    const page = await engine.open(`${server.url}test/browser/plain.html`);
    try {
      await page.evaluate(
        'new Promise((ok) => { const t = () => (window.xentropyReady ? ok(1) : setTimeout(t, 20)); t(); })',
      );
      return await page.evaluate<{ build: string; results: Record<string, string[]> }>(
        `window.xentropyTest(${JSON.stringify(options)})`,
      );
    } finally {
      await page.close();
    }
  }

  it.each([true, false])(
    'golden slice and every public function, simd: %s, with Node’s bits',
    async (simd) => {
      const { build, results } = await inPage({ simd, relaxedSimd: false });
      expect(build).toBe(simd ? 'simd' : 'scalar');
      sameResults(results, await nodeResults({ simd }));
    },
    120_000,
  );

  it('init picks a SIMD build the engine validates; relaxed SIMD is within 8 ulps of plain SIMD', async () => {
    const { build, results } = await inPage({});
    console.log(`${engine.name} picks ${build}`);
    expect(builds).toContain(build);
    if (build === 'relaxed-simd') closeResults(results, await nodeResults({ simd: true }));
  }, 120_000);

  // (WebKitGTK's MiniBrowser is cross-origin isolated but has no SharedArrayBuffer: init runs on one thread there)
  it('threads in an isolated Web Worker, where the engine has shared memory: one thread’s bits', async () => {
    const page = await engine.open(`${isolated.url}test/browser/threads.html`);
    try {
      const shared = await page.evaluate<boolean>("crossOriginIsolated && typeof SharedArrayBuffer === 'function'");
      console.log(`${engine.name}: shared memory ${shared ? 'available' : 'not available'}`);
      const worker = await page.evaluate<Record<string, unknown>>('window.workerTest()');
      const threads = shared ? 2 : 1;
      expect(worker).toMatchObject({ threads, relaxedEqual: true, plainEqual: true });
    } finally {
      await page.close();
    }
  }, 120_000);

  it('the demo page trains: cross-entropy beats squared error', async () => {
    const page = await engine.open(`${demo.url}?epochs=4&seed=1&pace=0`);
    try {
      const race = await page.evaluate<Record<string, number[]>>(`new Promise((ok) => {
        const t = () => (window.xentropyDemo?.done ? ok(window.xentropyDemo.accuracy) : setTimeout(t, 50)); t(); })`);
      expect(race['cross-entropy']).toHaveLength(4);
      expect(race['cross-entropy'].at(-1)).toBeGreaterThan(race.mse.at(-1) as number);
    } finally {
      await page.close();
    }
  }, 120_000);
});
