// Every public function on shapes drawn with zeros and huge dims in every position (fast-check, fixed seed),
// both dtypes, with and without its option variants. Posts { start } before each call (the parent's watchdog
// fails the test on a call that never returns), then { done, calls, failures, slowest }. Bundled by
// test/hostile/watchdog.test.ts (esbuild), since a worker runs plain JavaScript.
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import * as x from '../../src/index.js';
import { CATALOGUE, callsOf } from '../helpers/catalogue.js';

const { seed, shapes: count, budgetMs } = workerData as { seed: number; shapes: number; budgetMs: number };
const post = (message: unknown) => parentPort?.postMessage(message);
/** What a result may cost besides the budget, per byte it holds: a fresh array's first touch faults its pages in,
 * measured at 2.6 ns a byte on a 2-core VM (64 MB in 169 ms). */
const NS_PER_BYTE = 5;
// moderate dims up to 2^20 keep the largest legitimate result (one per row of an empty input) near 400 MB
const DIMS = [0, 1, 2, 3, 7, 2 ** 16, 2 ** 20, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53 - 1];
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
// a shape that would hold too many elements to make gets a zero in one of its dims, drawn like the others
const shape = fc
  .tuple(fc.array(fc.constantFrom(...DIMS), { maxLength: 4 }), fc.nat())
  .map(([dims, at]) =>
    dims.length > 0 && size(dims) > 4096 ? dims.map((d, i) => (i === at % dims.length ? 0 : d)) : dims,
  );

await x.init({ warnings: false }); // the inputs are not meant to make sense
const shapes = fc.sample(shape, { seed, numRuns: count });
const exported = new Map<string, unknown>(Object.entries(x));
const failures: string[] = [];
let calls = 0;
let slowest = { ms: 0, label: '' };

/** Arrays in a label: their length only. */
const brief = (_: string, v: unknown) =>
  ArrayBuffer.isView(v) ? `${v.constructor.name}(${(v as Uint8Array).length})` : v;

/** The bytes a result holds: a number, a tensor, or a record of them. */
function bytesIn(result: unknown): number {
  if (typeof result !== 'object' || result === null) return 8;
  if (ArrayBuffer.isView(result)) return result.byteLength;
  if ('data' in result) return bytesIn(result.data);
  return Object.values(result).reduce((n: number, v) => n + bytesIn(v), 0);
}

/** Runs the call; its outcome ('ok', 'named error' or the error), time, and the values it returned. */
function timed(call: () => unknown): { outcome: string; ms: number; bytes: number } {
  const start = performance.now();
  let outcome = 'ok';
  let bytes = 0;
  try {
    const result = call() as { free?: () => void } | undefined;
    bytes = bytesIn(result);
    result?.free?.(); // an allocTensor tensor
  } catch (e) {
    outcome = e instanceof TypeError || e instanceof RangeError ? 'named error' : `${e}`;
  }
  return { outcome, ms: performance.now() - start, bytes };
}

for (const dims of shapes) {
  for (const entry of CATALOGUE) {
    for (const Float of [Float32Array, Float64Array]) {
      for (const c of callsOf(entry, Float, dims)) {
        const label = `${c.label}${c.options ? ` ${JSON.stringify(c.options, brief)}` : ''}`;
        post({ start: label });
        const fn = exported.get(c.name) as (...args: unknown[]) => unknown;
        const call = () => fn(...c.args, ...(c.options ? [c.options] : []));
        let { outcome, ms, bytes } = timed(call);
        // work in proportion to the result: an empty input may still have a (large) result per row
        const budget = budgetMs + bytes * NS_PER_BYTE * 1e-6;
        if (ms > budget) ms = Math.min(ms, timed(call).ms); // a pause of the collector or the compiler, or not
        calls++;
        if (outcome !== 'ok' && outcome !== 'named error') failures.push(`${label}: ${outcome}`);
        if (ms > budget) failures.push(`${label}: ${ms.toFixed(1)} ms for a result of ${bytes} bytes`);
        if (ms > slowest.ms) slowest = { ms, label };
      }
    }
  }
}
post({ done: true, calls, failures, slowest });
