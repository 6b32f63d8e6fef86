// Small calls (issue "Performance, round three", item 2) in each browser engine here: the cases of bench:small
// (bench/lib/small-cases.mjs) on small-calls.html, init's default build, µs per call against the hand-written loop,
// with the targets. Each engine times its own rounds in one page; the table is per engine.
// Run: npm run bench:small:browser
import { serve } from '../../scripts/serve.mjs';
import { inEachEngine } from '../lib/engines.mjs';
import { writeReport } from '../lib/report.mjs';

const options = { rounds: Number(process.env.BENCH_ROUNDS ?? 5), roundMs: Number(process.env.BENCH_ROUND_MS ?? 100) };
const { url, close } = await serve(new URL('../../', import.meta.url).pathname);
const fmt = (us) => us.toFixed(us < 1 ? 3 : 2);

/** One engine's table: each case's µs, the loop's, their ratio and the targets. */
function table({ name, version, result }) {
  const lines = [
    `### ${name} (${version}, ${result.build} build)`,
    '',
    '| call | xentropy µs | naive JS µs | naive ÷ xentropy | target |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const r of result.rows) {
    const checks = [];
    if (r.limit !== null) checks.push(`≤ ${r.limit} µs ${r.lib <= r.limit ? '✓' : '✗'}`);
    if (r.evenFrom) checks.push(`≤ naive ${r.lib <= r.naive ? '✓' : '✗'}`);
    const cells = [r.label, fmt(r.lib), fmt(r.naive), `${(r.naive / r.lib).toFixed(2)}×`, checks.join(' · ') || '—'];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

const tables = [];
await inEachEngine(`${url}bench/suites/small-calls.html`, `window.runSmall(${JSON.stringify(options)})`, (engine) => {
  tables.push(table(engine));
  console.log(tables.at(-1), '\n');
});
await close();
const report = `# Small calls in the browser engines: µs per call, one thread

Medians of ${options.rounds} interleaved rounds of ${options.roundMs} ms per case, each engine in a page of its own
(bench/suites/small-calls.html), init's default build. The cases and the hand-written loops are bench:small's
(bench/lib/small-cases.mjs): plain Float32Array inputs, targets as a number[]; [4096, 10] is past the direct path.
A page's clock may be coarse (Firefox rounds \`performance.now()\`), which rounds of ${options.roundMs} ms absorb.

${tables.join('\n\n')}
`;
console.log(writeReport('small-calls', 'BROWSERS.md', report));
