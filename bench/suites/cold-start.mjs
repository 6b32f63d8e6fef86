// Cold start: `await init()` in fresh Node processes and fresh Chromium pages (the medians of RUNS), the figure
// a CLI, a serverless function or a page load pays on every start; and the import before it.
// `npm run bench:cold` (Chromium: Debian's or the npm-shipped one, scripts/chromium.mjs).
import { execFileSync } from 'node:child_process';
import { launchChromium } from '../../scripts/chromium.mjs';
import { serve } from '../../scripts/serve.mjs';
import { median } from '../lib/timing.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const medianOf = (runs, key) => median(runs.map((r) => r[key]));
const report = (where, runs) =>
  console.log(
    `${where}, ${RUNS} fresh ${where.startsWith('Node') ? 'processes' : 'pages'}: import ` +
      `${medianOf(runs, 'imported').toFixed(1)} ms, init ${medianOf(runs, 'init').toFixed(1)} ms (medians)`,
  );

const script = (entry) => `const t0 = performance.now();
const x = await import(${JSON.stringify(entry)});
const t1 = performance.now();
await x.init();
const result = { imported: t1 - t0, init: performance.now() - t1, build: x.wasmBuild() };`;

const entry = new URL('../../dist/index.js', import.meta.url).href;
const nodeScript = `${script(entry)}\nconsole.log(JSON.stringify(result));`;
report(
  `Node ${process.version}`,
  Array.from({ length: RUNS }, () =>
    JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', nodeScript]).toString()),
  ),
);

// Chromium: a first visit (a fresh context, nothing cached: init fetches the build's module) and a repeat visit
// (a new page in a context whose HTTP cache holds the files: init's own work).
const { url, close } = await serve(new URL('../../', import.meta.url).pathname, 0, { cacheable: true });
const browser = await launchChromium();
const visit = async (context) => {
  const page = await context.newPage();
  await page.goto(`${url}bench/suites/cold-start.html`);
  const result = await page.evaluate(`(async () => { ${script('/dist/index.js')} return result; })()`);
  await page.close();
  return result;
};
const [first, repeat] = [[], []];
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext();
  first.push(await visit(context));
  repeat.push(await visit(context));
  await context.close();
}
report(`Chromium ${browser.version()} (${first[0].build} build), first visit`, first);
report(`Chromium ${browser.version()} (${repeat[0].build} build), repeat visit`, repeat);
await browser.close();
await close();
