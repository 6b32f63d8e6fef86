import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { makeRandom } from '../../build/reference.mjs';
import { softmaxCrossEntropy } from '../../dist/adapters/tfjs.js';
// the entry the adapter's own import of 'xentropy' resolves to in Node: one instance, one init
import * as xentropy from '../../dist/index.node.js';
import { writeReport } from '../lib/report.mjs';
import { median, timeOnce } from '../lib/timing.mjs';

const [ROWS, CLASSES] = (process.env.BENCH_SHAPE ?? '8192x1000').split('x').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'wasm,cpu').split(',');

const MIN_MS = 200; // each timing repeats its call for at least this long

/** Loss and gradient tensors from tf.valueAndGrad of `loss`, read back to check, or disposed when timing. */
function lossAndGrad(loss, logits, read) {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad(loss)(logits);
    return read ? { value: value.dataSync()[0], grad: grad.dataSync() } : undefined;
  });
}

await xentropy.init({ simd: true, threads: 1, warnings: false });
const random = makeRandom(3);
const logitsData = Float32Array.from({ length: ROWS * CLASSES }, () => random.uniform(-6, 6));
const indexData = Int32Array.from({ length: ROWS }, () => random.int(CLASSES));
const oneHotData = new Float32Array(ROWS * CLASSES);
indexData.forEach((c, r) => {
  oneHotData[r * CLASSES + c] = 1;
});

const rows = [];
for (const backend of BACKENDS) {
  await tf.setBackend(backend);
  await tf.ready();
  const logits = tf.tensor2d(logitsData, [ROWS, CLASSES]);
  const indices = tf.tensor1d(indexData, 'int32');
  const oneHot = tf.tensor2d(oneHotData, [ROWS, CLASSES]);
  const peers = {
    'TensorFlow.js (tf.losses.softmaxCrossEntropy, one-hot)': (x) => tf.losses.softmaxCrossEntropy(oneHot, x),
    'xentropy/tfjs, class indices': (x) => softmaxCrossEntropy(indices, x),
    'xentropy/tfjs, one-hot probabilities': (x) => softmaxCrossEntropy(oneHot, x),
  };
  const want = lossAndGrad(Object.values(peers)[0], logits, true);
  for (const [name, loss] of Object.entries(peers)) {
    const got = lossAndGrad(loss, logits, true);
    let worst = 0;
    for (let i = 0; i < got.grad.length; i++) worst = Math.max(worst, Math.abs(got.grad[i] - want.grad[i]));
    if (Math.abs(got.value - want.value) > 1e-5 * want.value || worst > 1e-9) {
      throw new Error(`${backend} ${name}: loss ${got.value} vs ${want.value}, gradient off by ${worst}`);
    }
  }
  const times = Object.fromEntries(Object.keys(peers).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, loss] of Object.entries(peers))
      times[name].push(await timeOnce(() => lossAndGrad(loss, logits), MIN_MS));
  }
  const tfMs = median(Object.values(times)[0]);
  for (const name of Object.keys(peers)) {
    const ms = median(times[name]);
    rows.push(`| ${backend} | ${name} | ${ms.toFixed(1)} | ${(tfMs / ms).toFixed(1)}× |`);
  }
  tf.dispose([logits, indices, oneHot]);
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
