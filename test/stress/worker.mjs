// One instance of xentropy under load: 8 async tasks interleave init with different options and calls of every
// function of the test catalogue on mixed sizes for `seconds`, each result compared with what the same build gave
// on one thread.
// Posts { beat } while it runs (the parent's watchdog), then { done, calls, inits, mismatches, rss: [halfway, end] }.
import { parentPort, workerData } from 'node:worker_threads';
import { makeRandom } from '../../build/reference.mjs';
import { runCall } from '../browser/catalogue-runner.js';

const x = await import(workerData.dist);
const random = makeRandom(workerData.seed);
const BUILDS = {
  simd: { simd: true, relaxedSimd: false },
  'relaxed-simd': { relaxedSimd: true },
  scalar: { simd: false },
};

// the catalogue's calls (test/helpers/catalogue.ts) on mixed sizes, made by the parent: small calls, and calls big
// enough to be shared among threads and cut into chunks
const problems = workerData.problems;
const CALLS = Object.fromEntries(workerData.names.map((name, k) => [name, (p) => runCall(x, p[k])]));
const names = Object.keys(CALLS);

// what each build gives on one thread (the relaxed build only where the engine has relaxed SIMD)
const expected = {};
for (const [build, options] of Object.entries(BUILDS)) {
  const ok = await x.init({ ...options, threads: 1 }).then(
    () => true,
    () => false,
  );
  if (!ok) {
    delete BUILDS[build];
    continue;
  }
  expected[build] = problems.map((p) => Object.fromEntries(names.map((n) => [n, CALLS[n](p)])));
}

const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
let calls = 0;
let inits = 0;
const mismatches = [];
const end = Date.now() + workerData.seconds * 1000;
const half = end - (workerData.seconds * 1000) / 2;
let rssHalf = 0; // RSS halfway through: memory has reached its working size by then, and must stay there
const task = async (t) => {
  while (Date.now() < end) {
    if (random.next() < 0.05) {
      const builds = Object.keys(BUILDS);
      const options = { ...BUILDS[builds[random.int(builds.length)]], threads: 1 + random.int(3) };
      await x.init(random.next() < 0.2 ? {} : options);
      inits++;
      continue;
    }
    const i = random.int(problems.length);
    const name = names[random.int(names.length)];
    const build = x.wasmBuild(); // no await until the call returns: the build cannot change in between
    const got = CALLS[name](problems[i]);
    calls++;
    if (!same(got, expected[build][i][name]) && mismatches.length < 5)
      mismatches.push(`${name} ${build} #${i} task ${t}`);
    if (!rssHalf && Date.now() > half) rssHalf = process.memoryUsage().rss;
    if (calls % 50 === 0) {
      parentPort.postMessage({ beat: calls });
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
};
await Promise.all(Array.from({ length: 8 }, (_, t) => task(t)));
await x.init({ threads: 1 });
parentPort.postMessage({ done: true, calls, inits, mismatches, rss: [rssHalf, process.memoryUsage().rss] });
