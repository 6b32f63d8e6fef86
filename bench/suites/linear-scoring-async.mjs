// linearScoreAsync against linearScore at Qwen2.5-0.5B's head (d 896, V 151,936) for T positions, float32, every
// output with k 10: the time of a call; the event loop's longest stall during it (the largest lateness of a 1 ms timer,
// the same probe for both: a synchronous call stalls it for the whole call); and, for the async form,
// how long an abort takes to reject (aborted halfway, from abort() to the rejection). Threads as init gives them:
// 1 (the async call yields between tiles on the calling thread, per 16 ms time slice), 2 and 3 (one and two
// workers: the async call's kernels run on the workers alone, while a synchronous call's calling thread takes a share
// too). The head is a plain
// array (copied into WebAssembly memory by each call, on the calling thread: part of the stall) or, in the last
// column, an allocTensor tensor read where it lies.
// Run: npm run bench:linear-scoring-async   (BENCH_T, BENCH_ROUNDS, BENCH_SHAPE=TxdxV).
import * as xentropy from '../../build/internal/internal.js';
import { makeRandom } from '../../build/reference.mjs';
import { writeReport } from '../lib/report.mjs';
import { median } from '../lib/timing.mjs';

const [T, d, V] = (process.env.BENCH_SHAPE ?? `${process.env.BENCH_T ?? 256}x896x151936`).split('x').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const K = 10;

const rand = makeRandom(5);
const input = { data: Float32Array.from({ length: T * d }, () => rand.normal()), shape: [T, d] };
const head = { data: Float32Array.from({ length: V * d }, () => (2 / Math.sqrt(d)) * rand.normal()), shape: [V, d] };
const target = Int32Array.from({ length: T }, () => rand.int(V));
const options = { target, k: K };

/**
 * The event loop's longest stall while `call` runs: the largest lateness of a 1 ms timer, re-armed each time it
 * fires (a probe that leaves the CPU free between its ticks, as an idle service's loop would), and the call's time.
 */
async function stalls(call) {
  let due = performance.now() + 1;
  let longest = 0;
  let running = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - due);
    due = now + 1;
    if (running) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  const start = performance.now();
  await call();
  const ms = performance.now() - start;
  running = false;
  await new Promise((resolve) => setTimeout(resolve, 2));
  return { ms, longest: Math.max(longest, performance.now() - due) };
}

/** From abort() at half the progress to the rejection (ms). */
async function abortLatency() {
  const controller = new AbortController();
  let aborted = 0;
  const onProgress = (done, total) => {
    if (!aborted && done >= total / 2) {
      aborted = performance.now();
      controller.abort();
    }
  };
  const error = await xentropy
    .linearScoreAsync(input, head, { ...options, signal: controller.signal, onProgress })
    .then(
      () => undefined,
      (e) => e,
    );
  if (error?.name !== 'AbortError') throw new Error(`the call was not aborted: ${error}`);
  return performance.now() - aborted;
}

const rows = [];
for (const threads of [1, 2, 3]) {
  await xentropy.init({ threads, warnings: false });
  const resident = xentropy.allocTensor(Float32Array, head.shape);
  resident.data.set(head.data);
  const sync = () => xentropy.linearScore(input, head, options);
  const async = () => xentropy.linearScoreAsync(input, head, options);
  const asyncResident = () => xentropy.linearScoreAsync(input, resident, options);
  // warm-up: the memory both forms hold (the scratch of synchronous calls, an async call's own block), the module
  await async();
  sync();
  await async();
  await asyncResident();
  const runs = { sync: [], async: [], resident: [], abort: [] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.sync.push(await stalls(sync));
    runs.async.push(await stalls(async));
    runs.resident.push(await stalls(asyncResident));
    runs.abort.push(await abortLatency());
  }
  resident.free();
  const ms = (list) => median(list.map((r) => r.ms));
  const longest = (list) => median(list.map((r) => r.longest));
  rows.push({ threads, sync: ms(runs.sync), async: ms(runs.async), stallSync: longest(runs.sync) });
  Object.assign(rows.at(-1), { stallAsync: longest(runs.async), abort: median(runs.abort) });
  Object.assign(rows.at(-1), { resident: ms(runs.resident), stallResident: longest(runs.resident) });
}
await xentropy.init({ threads: 1 });

const lines = rows.map(
  (r) =>
    `| ${r.threads} | ${r.sync.toFixed(0)} | ${r.async.toFixed(0)} | ${(r.async / r.sync).toFixed(2)} | ` +
    `${r.stallSync.toFixed(0)} | ${r.stallAsync.toFixed(1)} | ${r.abort.toFixed(1)} | ` +
    `${r.resident.toFixed(0)}, ${r.stallResident.toFixed(1)} |`,
);
const table = [
  '| threads | linearScore ms | linearScoreAsync ms | async / sync | longest stall, sync (ms) | ' +
    'longest stall, async (ms) | abort → rejection (ms) | async, allocTensor head: ms, longest stall (ms) |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...lines,
];
for (const l of table) console.log(l);
writeReport(
  'linear-scoring-async',
  `${process.versions.node ? `node-${process.versions.node.split('.')[0]}` : 'runtime'}.md`,
  [
    `# linearScoreAsync against linearScore, float32: [${T}, ${d}] · [${V}, ${d}]ᵀ, every output, k ${K}`,
    '',
    `Medians of ${ROUNDS} rounds (\`npm run bench:linear-scoring-async\`), ${xentropy.wasmBuild()} build at one ` +
      'thread, its threads build (on shared memory) at 2 and 3. A stall is the largest lateness of a 1 ms timer ' +
      'during the call; ' +
      'the abort is made at half the progress.',
    '',
    ...table,
    '',
  ].join('\n'),
);
