// No call's cost grows with a shape that holds nothing: every public function, on shapes with zeros and huge dims
// in every position, returns or throws a TypeError / RangeError within 50 ms, plus what writing its result costs
// (an empty input may have a result per row). The calls run in a worker so that a hang is caught: no message for
// 20 s fails the test with the call in flight. WATCHDOG_SHAPES draws more shapes
// (and WATCHDOG_SEED others) for a longer run by hand.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, expect, it } from 'vitest';

const SHAPES = Number(process.env.WATCHDOG_SHAPES ?? 60);
const SEED = Number(process.env.WATCHDOG_SEED ?? 2026);
const BUDGET_MS = 50;
const folder = mkdtempSync(join(tmpdir(), 'xentropy-watchdog-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface Report {
  calls: number;
  failures: string[];
  slowest: { ms: number; label: string };
}

function watch(script: string): Promise<Report> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: { seed: SEED, shapes: SHAPES, budgetMs: BUDGET_MS } });
    let inFlight = '(starting)';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        worker.terminate();
        reject(new Error(`no answer for 20 s: ${inFlight} hangs`));
      }, 20_000);
    };
    arm();
    worker.on('message', (message) => {
      if (message.done) {
        clearTimeout(timer);
        worker.terminate();
        resolve(message);
        return;
      }
      inFlight = message.start;
      arm();
    });
    worker.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

const title = `every public function on ${SHAPES} shapes with zeros and huge dims`;
it(`${title}: an answer or a named error within ${BUDGET_MS} ms (and its result's writing)`, async () => {
  const script = join(folder, 'worker.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../watchdog/worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: script,
    logLevel: 'warning',
  });
  const report = await watch(script);
  console.log(`${report.calls} calls; the slowest ${report.slowest.ms.toFixed(1)} ms: ${report.slowest.label}`);
  expect(report.failures).toEqual([]);
  expect(report.calls).toBeGreaterThan(SHAPES * 60);
}, 300_000);
