// Cold start: `import` and `await init()` in fresh Node processes (the medians of RUNS), the figure a CLI or a
// serverless function pays on every start. `node bench/cold-start.mjs`.
import { execFileSync } from 'node:child_process';

const RUNS = Number(process.env.RUNS ?? 5);
const script = `const t0 = performance.now();
const x = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
const t1 = performance.now();
await x.init();
console.log(JSON.stringify({ imported: t1 - t0, init: performance.now() - t1 }));`;
const runs = Array.from({ length: RUNS }, () =>
  JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script]).toString()),
);
const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(RUNS / 2)];
console.log(
  `Node ${process.version}, ${RUNS} fresh processes: import ${median('imported').toFixed(1)} ms, ` +
    `init ${median('init').toFixed(1)} ms (medians)`,
);
