// The tfjs adapter suite's comparison, shared by Node (suites/tfjs-adapter.mjs) and Chromium
// (suites/tfjs-adapter.html): on tf's current backend, loss + gradient of float32 logits through tf.valueAndGrad,
// TensorFlow.js's softmaxCrossEntropy against the adapter's (class indices, one-hot probabilities), each checked
// against tf's first.
import { median, timeOnce } from './timing.mjs';

/** Loss and gradient from tf.valueAndGrad of `loss`, read back to check, or disposed when timing. */
function lossAndGrad(tf, loss, logits, read) {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad(loss)(logits);
    return read ? { value: value.dataSync()[0], grad: grad.dataSync() } : undefined;
  });
}

/** Median ms per peer on the current backend, from `rounds` interleaved rounds of at least `minMs` each. */
export async function compareOnBackend(
  tf,
  softmaxCrossEntropy,
  { rows, classes, logitsData, indexData, rounds, minMs },
) {
  const oneHotData = new Float32Array(rows * classes);
  indexData.forEach((c, r) => {
    oneHotData[r * classes + c] = 1;
  });
  const logits = tf.tensor2d(logitsData, [rows, classes]);
  const indices = tf.tensor1d(indexData, 'int32');
  const oneHot = tf.tensor2d(oneHotData, [rows, classes]);
  const peers = {
    'TensorFlow.js (tf.losses.softmaxCrossEntropy, one-hot)': (x) => tf.losses.softmaxCrossEntropy(oneHot, x),
    'xentropy/tfjs, class indices': (x) => softmaxCrossEntropy(indices, x),
    'xentropy/tfjs, one-hot probabilities': (x) => softmaxCrossEntropy(oneHot, x),
  };
  const want = lossAndGrad(tf, Object.values(peers)[0], logits, true);
  for (const [name, loss] of Object.entries(peers)) {
    const got = lossAndGrad(tf, loss, logits, true);
    let worst = 0;
    for (let i = 0; i < got.grad.length; i++) worst = Math.max(worst, Math.abs(got.grad[i] - want.grad[i]));
    if (Math.abs(got.value - want.value) > 1e-5 * want.value || worst > 1e-9) {
      throw new Error(`${tf.getBackend()} ${name}: loss ${got.value} vs ${want.value}, gradient off by ${worst}`);
    }
  }
  const times = Object.fromEntries(Object.keys(peers).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, loss] of Object.entries(peers)) {
      times[name].push(await timeOnce(() => lossAndGrad(tf, loss, logits), minMs));
    }
  }
  tf.dispose([logits, indices, oneHot]);
  return Object.keys(peers).map((name) => ({ name, ms: median(times[name]) }));
}
