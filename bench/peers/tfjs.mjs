// TensorFlow.js as a peer of the losses suite: tf.losses.softmaxCrossEntropy (its gradient by tf.valueAndGrad) and
// tf.softmax on the cpu and wasm backends, on one-hot labels built in JS (tfjs-wasm's tf.oneHot of float32 is
// unreliable). The cpu backend is left out beyond CPU_MAX elements: it takes seconds per call there.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

const CPU_MAX = 1_100_000;
const BACKENDS = ['cpu', 'wasm'];

/** Makes the backends ready (once, before any problem). */
export async function initTfjs(backends = BACKENDS) {
  for (const name of backends) {
    await tf.setBackend(name);
    await tf.ready();
  }
}

/** The peer's rows for one problem: forward, forward + gradient and softmax (row 0's probability of `probe`). */
export async function tfjsPeer({ logits, targets, rows, classes }, probe) {
  const oneHot = new Float32Array(rows * classes);
  targets.forEach((t, r) => {
    oneHot[r * classes + t] = 1;
  });
  const tensors = {};
  for (const name of BACKENDS) {
    await tf.setBackend(name);
    tensors[name] = { logits: tf.tensor2d(logits, [rows, classes]), labels: tf.tensor2d(oneHot, [rows, classes]) };
  }
  const on = async (name) => {
    if (tf.getBackend() !== name) await tf.setBackend(name);
    return tensors[name];
  };
  const loss = (name, withGrad) => async () => {
    const { labels, logits: x } = await on(name);
    if (!withGrad) return tf.tidy(() => tf.losses.softmaxCrossEntropy(labels, x).dataSync()[0]);
    return tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad((l) => tf.losses.softmaxCrossEntropy(labels, l))(x);
      grad.dataSync();
      return value.dataSync()[0];
    });
  };
  const cpu = rows * classes <= CPU_MAX;
  return {
    forward: { ...(cpu ? { 'TensorFlow.js cpu': loss('cpu', false) } : {}), 'TensorFlow.js wasm': loss('wasm', false) },
    backward: { ...(cpu ? { 'TensorFlow.js cpu': loss('cpu', true) } : {}), 'TensorFlow.js wasm': loss('wasm', true) },
    softmax: {
      'TensorFlow.js wasm': async () => {
        const { logits: x } = await on('wasm');
        return tf.tidy(() => tf.softmax(x).dataSync()[probe]);
      },
    },
    dispose: () => {
      for (const t of Object.values(tensors)) tf.dispose([t.logits, t.labels]);
    },
  };
}

/** The scoring suite's peer on the wasm backend: tf.logSoftmax, a gather of each row's token, tf.topk. */
export function tfjsScoringPeer({ logits, targets }, rows, vocab, k) {
  const x = tf.tensor2d(logits, [rows, vocab]);
  const at = tf.tensor1d(
    Int32Array.from(targets, (t, r) => r * vocab + t),
    'int32',
  );
  const run = () =>
    tf.tidy(() => {
      const lp = tf.logSoftmax(x);
      const tokens = tf.gather(lp.reshape([-1]), at).dataSync();
      const { indices } = tf.topk(lp, k);
      return { tokens, top: indices.dataSync() };
    });
  return { run, dispose: () => tf.dispose([x, at]) };
}

/** The linear suite's peer on the wasm backend: tf.matMul, tf.losses.softmaxCrossEntropy and tf.grads for X and W. */
export function tfjsLinearPeer(X, W, target, rows, d, V) {
  const x = tf.tensor2d(X, [rows, d]);
  const w = tf.tensor2d(W, [V, d]);
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(target, 'int32'), V).toFloat());
  const loss = (xs, ws) => tf.losses.softmaxCrossEntropy(labels, tf.matMul(xs, ws, false, true));
  const run = () =>
    tf.tidy(() => {
      for (const g of tf.grads(loss)([x, w])) g.dataSync();
    });
  return { run, dispose: () => tf.dispose([x, w, labels]) };
}
