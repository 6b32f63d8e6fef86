// Stress: two worker_threads, each with its own xentropy instance, run 8 async tasks that interleave init
// (builds and thread counts changing under them) with calls of every function of the catalogue on mixed sizes
// for 20 s. Every result must equal what the same build gives on one thread; a watchdog fails the test if either
// stops answering for 10 s (a hang); each instance ends on one thread, and the process's threads return to where
// they were (no leaked worker). STRESS_SECONDS sets the length.
import { readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import { CATALOGUE, callsOf, randomValues } from '../helpers/catalogue.js';

const SECONDS = Number(process.env.STRESS_SECONDS ?? 20);

// Every function of the catalogue (its call without options and its first variant), float32, on mixed sizes: small
// calls, and calls big enough to be shared among threads and cut into chunks.
const SHAPES = [
  [4, 10],
  [64, 1000],
  [300, 700],
  [2, 3, 5],
];
const entries = CATALOGUE.filter((e) => e.family !== 'memory');
const problems = SHAPES.map((shape, s) => {
  const values = randomValues(makeRandom(s + 1).next);
  return entries.flatMap((e) => callsOf(e, Float32Array, shape, values).slice(0, 2));
});
/** The calls' labels without their shape: the same in every problem. */
const names = problems[0].map((call) => call.label.replace(/ \[[\d, ]+\](?= #)/, ''));
const threads = () => readdirSync('/proc/self/task').length;

function run(seed: number): Promise<{ calls: number; inits: number; mismatches: string[]; rss: number[] }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../stress/worker.mjs', import.meta.url), {
      workerData: {
        seed,
        seconds: SECONDS,
        dist: new URL('../../dist/index.js', import.meta.url).href,
        names,
        problems,
      },
    });
    let watchdog = setTimeout(() => reject(new Error('no answer for 60 s while starting')), 60_000);
    worker.on('message', (message) => {
      clearTimeout(watchdog);
      if (message.done) {
        resolve(message);
        return;
      }
      watchdog = setTimeout(() => {
        worker.terminate();
        reject(new Error(`worker ${seed} stopped answering for 10 s: a hang`));
      }, 10_000);
    });
    worker.on('error', reject);
  });
}

const title = `2 instances × 8 tasks, init and every function interleaved for ${SECONDS} s`;
it(`${title}: one-thread results, no hang, no leak`, async () => {
  const before = threads();
  const results = await Promise.all([run(1), run(2)]);
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  console.log(
    results.map((r) => `${r.calls} calls, ${r.inits} inits, RSS ${mb(r.rss[0])} → ${mb(r.rss[1])} MB`).join('; '),
  );
  for (const r of results) {
    expect(r.mismatches).toEqual([]);
    expect(r.calls).toBeGreaterThan(1000);
    expect(r.inits).toBeGreaterThan(20);
    expect(r.rss[1] - r.rss[0], 'RSS growth over the second half').toBeLessThan(64 * 2 ** 20);
  }
  await new Promise((resolve) => setTimeout(resolve, 500)); // the stress workers and their pools exit
  expect(threads()).toBeLessThanOrEqual(before + 1);
}, 180_000);
