// xentropy/tfjs against TensorFlow.js itself: losses and gradients beside tf.losses, a tfjs-layers model trained on
// the digits with tf's loss and with the adapter (same seed, same curve), bad input, no leaked tf tensors.
import { readFileSync } from 'node:fs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as layers from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import { sigmoidCrossEntropy, softmaxCrossEntropy } from '../../src/adapters/tfjs.js';
import { crossEntropyWithGrad, init } from '../../src/index.js';

const BACKENDS = ['cpu', 'wasm'] as const;

beforeAll(async () => {
  await init({ warnings: false });
});

function randomLogits(rows: number, classes: number, seed: number): Float32Array {
  const random = makeRandom(seed);
  return Float32Array.from({ length: rows * classes }, () => random.uniform(-4, 4));
}

function oneHot(indices: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(indices.length * classes);
  indices.forEach((c, r) => {
    out[r * classes + c] = 1;
  });
  return out;
}

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-30));
  return worst;
}

describe.each(BACKENDS)('on the %s backend', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  const rows = 37;
  const classes = 11;
  const logitsData = randomLogits(rows, classes, 7);
  const indices = Int32Array.from({ length: rows }, (_, r) => (r * 5) % classes);

  it('softmaxCrossEntropy equals tf.losses.softmaxCrossEntropy (loss, gradient) for indices and probabilities', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d(logitsData, [rows, classes]);
      const hot = tf.tensor2d(oneHot(indices, classes), [rows, classes]);
      const ids = tf.tensor1d(indices, 'int32');
      for (const smoothing of [0, 0.1]) {
        const theirs = tf.valueAndGrad((x: tf.Tensor) => tf.losses.softmaxCrossEntropy(hot, x, undefined, smoothing));
        const t = theirs(logits);
        // a cast one-hot: the cpu backend keeps the int32 data under the float32 tensor
        for (const labels of [ids, hot, tf.oneHot(ids, classes), tf.cast(tf.oneHot(ids, classes), 'float32')]) {
          const ours = tf.valueAndGrad((x: tf.Tensor) => softmaxCrossEntropy(labels, x, { labelSmoothing: smoothing }));
          const o = ours(logits);
          expect(o.value.shape).toEqual([]);
          expect(relativeError(o.value.dataSync(), t.value.dataSync())).toBeLessThan(1e-6);
          // tf's gradient subtracts in float32 after its own softmax: compare on the gradient's scale
          const scale = 1 / rows;
          const ourGrad = o.grad.dataSync();
          const tfGrad = t.grad.dataSync();
          for (let i = 0; i < ourGrad.length; i++) expect(Math.abs(ourGrad[i] - tfGrad[i])).toBeLessThan(4e-7 * scale);
        }
      }
    });
  });

  it('the gradient is exactly crossEntropyWithGrad’s, scaled by dy on the tf side', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d(logitsData, [rows, classes]);
      const ids = tf.tensor1d(indices, 'int32');
      const weight = Float32Array.from({ length: classes }, (_, c) => 0.5 + c / 10);
      const expected = crossEntropyWithGrad({ data: logitsData, shape: [rows, classes] }, indices, { weight });
      const grad = tf
        .grad((x: tf.Tensor) => softmaxCrossEntropy(ids, x, { weight }))(logits)
        .dataSync();
      expect(Array.from(grad)).toEqual(Array.from(expected.grad.data));
      const tripled = tf
        .grad((x: tf.Tensor) => tf.mul(softmaxCrossEntropy(ids, x, { weight }), 3))(logits)
        .dataSync();
      expect(Array.from(tripled)).toEqual(Array.from(expected.grad.data, (g) => Math.fround(g * 3)));
      // 'none': the gradient of Σ dy · loss with dy per row
      const dy = tf.tensor1d(Float32Array.from({ length: rows }, (_, r) => r - 4));
      const perRow = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(softmaxCrossEntropy(ids, x, { reduction: 'none' }), dy)));
      const reference = crossEntropyWithGrad({ data: logitsData, shape: [rows, classes] }, indices, {
        reduction: 'none',
        gradOutput: { data: dy.dataSync() as Float32Array, shape: [rows] },
      });
      const got = perRow(logits).dataSync();
      const dyData = dy.dataSync();
      for (let i = 0; i < got.length; i++) {
        const limit = 2 ** -23 * Math.abs(dyData[Math.floor(i / classes)]); // one rounding of the product apart
        expect(Math.abs(got[i] - reference.grad.data[i])).toBeLessThanOrEqual(limit);
      }
    });
  });

  it(`reads the logits ${backend === 'wasm' ? "in tf's wasm heap, without dataSync" : 'with dataSync'}`, () => {
    tf.tidy(() => {
      const logits = tf.tensor2d(logitsData, [rows, classes]);
      const ids = tf.tensor1d(indices, 'int32');
      let reads = 0;
      const dataSync = logits.dataSync.bind(logits);
      logits.dataSync = (() => {
        reads++;
        return dataSync();
      }) as typeof logits.dataSync;
      const grad = tf
        .grad((x: tf.Tensor) => softmaxCrossEntropy(ids, x))(logits)
        .dataSync();
      expect(reads).toBe(backend === 'wasm' ? 0 : 1);
      const expected = crossEntropyWithGrad({ data: logitsData, shape: [rows, classes] }, indices);
      expect(Array.from(grad)).toEqual(Array.from(expected.grad.data));
    });
  });

  it('logits of rank 3 and rank 1: classes are the last dim, losses keep the leading dims', () => {
    tf.tidy(() => {
      const logits = tf.tensor3d(logitsData.subarray(0, 36 * classes), [4, 9, classes]);
      const ids = tf.tensor2d(indices.subarray(0, 36), [4, 9], 'int32');
      const perRow = softmaxCrossEntropy(ids, logits, { reduction: 'none' });
      expect(perRow.shape).toEqual([4, 9]);
      const flat = softmaxCrossEntropy(tf.reshape(ids, [36]), tf.reshape(logits, [36, classes]), { reduction: 'none' });
      expect(Array.from(perRow.dataSync())).toEqual(Array.from(flat.dataSync()));
      const single = softmaxCrossEntropy(tf.scalar(indices[0], 'int32'), tf.tensor1d(logitsData.subarray(0, classes)), {
        reduction: 'none',
      });
      expect(single.shape).toEqual([]);
      expect(single.dataSync()[0]).toBe(flat.dataSync()[0]);
    });
  });

  it('sigmoidCrossEntropy equals tf.losses.sigmoidCrossEntropy, with label smoothing and int32 labels', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d(logitsData, [rows, classes]);
      const bits = Int32Array.from(logitsData, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
      for (const smoothing of [0, 0.2]) {
        const t = tf.valueAndGrad((x: tf.Tensor) =>
          tf.losses.sigmoidCrossEntropy(tf.tensor2d(bits, [rows, classes], 'float32'), x, undefined, smoothing),
        )(logits);
        const o = tf.valueAndGrad((x: tf.Tensor) =>
          sigmoidCrossEntropy(tf.tensor2d(bits, [rows, classes], 'int32'), x, { labelSmoothing: smoothing }),
        )(logits);
        expect(relativeError(o.value.dataSync(), t.value.dataSync())).toBeLessThan(1e-6);
        const scale = 1 / (rows * classes);
        const ourGrad = o.grad.dataSync();
        const tfGrad = t.grad.dataSync();
        for (let i = 0; i < ourGrad.length; i++) expect(Math.abs(ourGrad[i] - tfGrad[i])).toBeLessThan(4e-7 * scale);
      }
    });
  });

  // tf.losses' weights and reductions: per-row weights with a zero (SUM_BY_NONZERO_WEIGHTS counts the others) and
  // per-element ones broadcast over the rows, every tf.Reduction, the default included
  const REDUCTIONS = [
    undefined,
    tf.Reduction.NONE,
    tf.Reduction.MEAN,
    tf.Reduction.SUM,
    tf.Reduction.SUM_BY_NONZERO_WEIGHTS,
  ] as const;
  /** Loss and gradient of ours and of tf's own loss, on its gradient's scale. */
  function sameAsTf(ours: (x: tf.Tensor) => tf.Tensor, theirs: (x: tf.Tensor) => tf.Tensor, logits: tf.Tensor) {
    const o = tf.valueAndGrad((x: tf.Tensor) => tf.sum(ours(x)))(logits);
    const t = tf.valueAndGrad((x: tf.Tensor) => tf.sum(theirs(x)))(logits);
    expect(ours(logits).shape).toEqual(theirs(logits).shape);
    expect(relativeError(o.value.dataSync(), t.value.dataSync())).toBeLessThan(1e-5);
    const scale = Math.max(...Array.from(t.grad.dataSync(), Math.abs));
    const [ourGrad, tfGrad] = [o.grad.dataSync(), t.grad.dataSync()];
    for (let i = 0; i < ourGrad.length; i++) expect(Math.abs(ourGrad[i] - tfGrad[i])).toBeLessThan(1e-6 * scale);
  }

  it('softmaxCrossEntropy with tf.losses’ weights and every tf.Reduction equals tf.losses.softmaxCrossEntropy', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d(logitsData, [rows, classes]);
      const hot = tf.tensor2d(oneHot(indices, classes), [rows, classes]);
      const ids = tf.tensor1d(indices, 'int32');
      const weights = tf.tensor1d(Float32Array.from({ length: rows }, (_, r) => (r === 2 ? 0 : 0.5 + (r % 3))));
      for (const reduction of REDUCTIONS) {
        for (const w of [weights, undefined]) {
          if (w === undefined && reduction === undefined) continue; // PyTorch's options: the tests above
          sameAsTf(
            (x) => softmaxCrossEntropy(ids, x, { weights: w, reduction }),
            (x) => tf.losses.softmaxCrossEntropy(hot, x, w, 0, reduction),
            logits,
          );
        }
      }
    });
  });

  it('sigmoidCrossEntropy with tf.losses’ weights and every tf.Reduction equals tf.losses.sigmoidCrossEntropy', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d(logitsData, [rows, classes]);
      const labels = tf.tensor2d(
        Float32Array.from(logitsData, (_, i) => (i % 3 === 0 ? 1 : 0)),
        [rows, classes],
      );
      const perClass = tf.tensor2d(
        Float32Array.from({ length: classes }, (_, c) => (c === 1 ? 0 : c / 2)),
        [1, classes],
      );
      for (const reduction of REDUCTIONS) {
        if (reduction === undefined) continue;
        sameAsTf(
          (x) => sigmoidCrossEntropy(labels, x, { weights: perClass, reduction, labelSmoothing: 0.1 }),
          (x) => tf.losses.sigmoidCrossEntropy(labels, x, perClass, 0.1, reduction),
          logits,
        );
      }
      sameAsTf(
        (x) => sigmoidCrossEntropy(labels, x, { weights: perClass }),
        (x) => tf.losses.sigmoidCrossEntropy(labels, x, perClass),
        logits,
      );
    });
  });

  it('leaks no tf tensors, with and without a gradient tape', () => {
    const logits = tf.tensor2d(logitsData, [rows, classes]);
    const ids = tf.tensor1d(indices, 'int32');
    const before = tf.memory().numTensors;
    // block bodies: tidy keeps what its function returns
    tf.tidy(() => {
      softmaxCrossEntropy(ids, logits);
    });
    tf.tidy(() => {
      tf.grad((x: tf.Tensor) => softmaxCrossEntropy(ids, x))(logits);
    });
    tf.tidy(() => {
      tf.grad((x: tf.Tensor) => sigmoidCrossEntropy(tf.onesLike(x), x, { reduction: 'none' }))(logits);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, ids]);
  });
});

describe('bad input', () => {
  beforeAll(() => tf.setBackend('cpu'));
  // made when each case runs: the cpu backend is set up by then
  const logits = () => tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
  const ids = () => tf.tensor1d([0, 2], 'int32');
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    [
      'logits() not a tensor',
      () => softmaxCrossEntropy(ids(), [1, 2, 3] as never),
      TypeError,
      /softmaxCrossEntropy: logits must be a tf.Tensor/,
    ],
    [
      'int32 logits()',
      () => softmaxCrossEntropy(ids(), tf.cast(logits(), 'int32')),
      TypeError,
      /logits must have dtype float32/,
    ],
    [
      'bool labels',
      () => softmaxCrossEntropy(tf.cast(ids(), 'bool'), logits()),
      TypeError,
      /labels must have dtype int32 or float32/,
    ],
    [
      'float indices',
      () => softmaxCrossEntropy(tf.tensor1d([0, 2]), logits()),
      RangeError,
      /labels must have shape \[2,3\].*labels.toInt\(\)/,
    ],
    ['scalar logits()', () => softmaxCrossEntropy(tf.scalar(0, 'int32'), tf.scalar(1)), RangeError, /rank ≥ 1/],
    [
      'label out of range',
      () => softmaxCrossEntropy(tf.tensor1d([0, 3], 'int32'), logits()),
      RangeError,
      /^softmaxCrossEntropy \(crossEntropy\): .*3/,
    ],
    [
      'weight length',
      () => softmaxCrossEntropy(ids(), logits(), { weight: [1, 2] }),
      RangeError,
      /softmaxCrossEntropy \(crossEntropy\): .*weight/,
    ],
    [
      'unknown option',
      () => softmaxCrossEntropy(ids(), logits(), { axis: 0 } as never),
      TypeError,
      /unknown option 'axis'/,
    ],
    [
      'smoothing',
      () => sigmoidCrossEntropy(logits(), logits(), { labelSmoothing: 2 }),
      RangeError,
      /labelSmoothing must be a number in \[0, 1\]/,
    ],
    [
      'sigmoid shapes',
      () => sigmoidCrossEntropy(ids(), logits()),
      RangeError,
      /sigmoidCrossEntropy: labels must have the logits' shape/,
    ],
    [
      'a tf.Reduction that is not one',
      () => softmaxCrossEntropy(ids(), logits(), { reduction: 7 as never }),
      RangeError,
      /softmaxCrossEntropy: options.reduction must be a tf.Reduction/,
    ],
    [
      'weights with a PyTorch reduction',
      () => sigmoidCrossEntropy(logits(), logits(), { weights: tf.ones([2, 3]), reduction: 'mean' }),
      TypeError,
      /options.weights weighs as tf.losses does: its reduction is a tf.Reduction/,
    ],
    [
      'weights not a tensor',
      () => softmaxCrossEntropy(ids(), logits(), { weights: [1, 2] as never }),
      TypeError,
      /softmaxCrossEntropy: options.weights must be a tf.Tensor/,
    ],
    [
      'weights that do not broadcast',
      () => softmaxCrossEntropy(ids(), logits(), { weights: tf.ones([3]) }),
      RangeError,
      /options.weights of shape \[3\] does not broadcast to the losses' shape \[2\]/,
    ],
    [
      'disposed',
      () => {
        const d = tf.tensor2d([1, 2], [1, 2]);
        d.dispose();
        return softmaxCrossEntropy(tf.tensor1d([0], 'int32'), d);
      },
      TypeError,
      /disposed/,
    ],
  ];
  it.each(cases)('%s', (_, call, kind, message) => {
    expect(call).toThrow(kind);
    expect(call).toThrow(message);
  });
});

// The 8×8 digits (1,797 images), pixels scaled to [0, 1].
function digits(): { x: Float32Array; y: Int32Array } {
  const json = JSON.parse(readFileSync(new URL('../../demo/data/digits.json', import.meta.url), 'utf8'));
  const pixels = Buffer.from(json.pixels, 'base64');
  return { x: Float32Array.from(pixels, (p) => p / 16), y: Int32Array.from(Buffer.from(json.labels, 'base64')) };
}

function seededModel(): layers.Sequential {
  const model = layers.sequential();
  const init = (seed: number) => layers.initializers.glorotUniform({ seed });
  model.add(layers.layers.dense({ inputShape: [64], units: 32, activation: 'relu', kernelInitializer: init(1) }));
  model.add(layers.layers.dense({ units: 10, kernelInitializer: init(2) }));
  return model;
}

describe.each(BACKENDS)('a tfjs-layers model trained on the digits (%s backend)', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  async function curve(loss: (labels: tf.Tensor, logits: tf.Tensor) => tf.Tensor): Promise<number[]> {
    const { x, y } = digits();
    const model = seededModel();
    model.compile({ optimizer: tf.train.sgd(0.2), loss });
    const xs = tf.tensor2d(x, [y.length, 64]);
    const ys = tf.tensor2d(oneHot(y, 10), [y.length, 10]);
    const losses: number[] = [];
    await model.fit(xs, ys, {
      epochs: 5,
      batchSize: 64,
      shuffle: false,
      verbose: 0,
      callbacks: { onBatchEnd: async (_, logs) => void losses.push(logs?.loss as number) },
    });
    tf.dispose([xs, ys]);
    model.dispose();
    return losses;
  }

  it('model.compile({ loss }) gives tf’s loss curve within 1e-5 for 5 epochs', async () => {
    const theirs = await curve((labels, logits) => tf.losses.softmaxCrossEntropy(labels, logits));
    const ours = await curve((labels, logits) => softmaxCrossEntropy(labels, logits));
    expect(ours.length).toBe(5 * Math.ceil(1797 / 64));
    expect(relativeError(ours, theirs)).toBeLessThan(1e-5);
    expect(ours[ours.length - 1]).toBeLessThan(ours[0] / 4); // it learned
  });

  it('inside tf.variableGrads with class-index labels, the same steps as one-hot labels', () => {
    const { x, y } = digits();
    const run = (labels: tf.Tensor) => {
      const model = seededModel();
      const optimizer = tf.train.sgd(0.2);
      const xs = tf.tensor2d(x.subarray(0, 256 * 64), [256, 64]);
      const steps: number[] = [];
      for (let step = 0; step < 20; step++) {
        const { value, grads } = tf.variableGrads(() => softmaxCrossEntropy(labels, model.predict(xs) as tf.Tensor));
        optimizer.applyGradients(grads);
        steps.push(value.dataSync()[0]);
        tf.dispose([value, ...Object.values(grads)]);
      }
      tf.dispose(xs);
      model.dispose();
      return steps;
    };
    const ids = tf.tensor1d(y.subarray(0, 256), 'int32');
    const hot = tf.tensor2d(oneHot(y.subarray(0, 256), 10), [256, 10]);
    const byIndex = run(ids);
    expect(relativeError(byIndex, run(hot))).toBeLessThan(1e-5);
    expect(byIndex[19]).toBeLessThan(byIndex[0]);
    tf.dispose([ids, hot]);
  });
});
