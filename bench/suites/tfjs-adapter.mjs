import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { makeRandom } from '../../build/reference.mjs';
import { softmaxCrossEntropy } from '../../dist/adapters/tfjs.js';
// the entry the adapter's own import of 'xentropy' resolves to in Node: one instance, one init
import * as xentropy from '../../dist/index.node.js';
import { writeReport } from '../lib/report.mjs';
import { compareOnBackend } from '../lib/tfjs-adapter-compare.mjs';

const [ROWS, CLASSES] = (process.env.BENCH_SHAPE ?? '8192x1000').split('x').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'wasm,cpu').split(',');

const MIN_MS = 200; // each timing repeats its call for at least this long

await xentropy.init({ simd: true, threads: 1, warnings: false });
const random = makeRandom(3);
const logitsData = Float32Array.from({ length: ROWS * CLASSES }, () => random.uniform(-6, 6));
const indexData = Int32Array.from({ length: ROWS }, () => random.int(CLASSES));
const rows = [];
for (const backend of BACKENDS) {
  await tf.setBackend(backend);
  await tf.ready();
  const options = { rows: ROWS, classes: CLASSES, logitsData, indexData, rounds: ROUNDS, minMs: MIN_MS };
  const results = await compareOnBackend(tf, softmaxCrossEntropy, options);
  for (const { name, ms } of results) {
    rows.push(`| ${backend} | ${name} | ${ms.toFixed(1)} | ${(results[0].ms / ms).toFixed(1)}× |`);
  }
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const text = [
  '# xentropy/tfjs against TensorFlow.js',
  '',
  `Loss + gradient of float32 logits [${ROWS}, ${CLASSES}] through \`tf.valueAndGrad\`, one thread, copies included`,
  `(the adapter reads the logits out of tf and puts the gradient back into a tf.Tensor). Node ${process.version},`,
  `${cpu}, ${os.cpus().length} cores; medians of ${ROUNDS} interleaved rounds (\`npm run bench:tfjs\`).`,
  '',
  '| backend | loss | ms | speed-up over TensorFlow.js |',
  '| --- | --- | ---: | ---: |',
  ...rows,
  '',
].join('\n');
writeReport('tfjs-adapter', 'RESULTS.md', text);
console.log(text);
