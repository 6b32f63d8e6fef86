// Softmax regression on the 8×8 digits, trained with cross-entropy or with MSE on the softmax outputs,
// every loss and gradient computed by xentropy. Plain ESM with no DOM, so the tests can run it in Node.

/** A seeded generator (xorshift32), so that a run can be repeated exactly. */
export function makeRandom(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** Images scaled to [0, 1] and labels, split into train (75 %) and test sets by a seeded shuffle. */
export function loadDigits(json, seed = 1) {
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const pixels = bytes(json.pixels);
  const labels = bytes(json.labels);
  const order = Array.from({ length: json.count }, (_, i) => i);
  const random = makeRandom(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const take = (indices) => ({
    count: indices.length,
    x: Float32Array.from(indices.flatMap((i) => Array.from(pixels.subarray(i * 64, i * 64 + 64), (v) => v / 16))),
    y: Int32Array.from(indices, (i) => labels[i]),
  });
  const cut = Math.round(json.count * 0.75);
  return { train: take(order.slice(0, cut)), test: take(order.slice(cut)) };
}

export const FEATURES = 64;
export const CLASSES = 10;

/** A linear layer 64 → 10 (weights start at 0, so every run from the same data is the same). */
export function createModel() {
  return { weights: new Float32Array(FEATURES * CLASSES), bias: new Float32Array(CLASSES) };
}

/** logits = x·W + b for `count` rows of x. */
export function logits(model, x, count) {
  const out = new Float32Array(count * CLASSES);
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < CLASSES; c++) {
      let sum = model.bias[c];
      for (let f = 0; f < FEATURES; f++) sum += x[r * FEATURES + f] * model.weights[f * CLASSES + c];
      out[r * CLASSES + c] = sum;
    }
  }
  return out;
}

/** The gradient w.r.t. the logits of a loss whose gradient w.r.t. p = softmax(z) is gradP: p ⊙ (g − Σ p·g). */
function throughSoftmax(p, gradP, count) {
  const gradZ = new Float32Array(count * CLASSES);
  for (let r = 0; r < count; r++) {
    let dot = 0;
    for (let c = 0; c < CLASSES; c++) dot += p[r * CLASSES + c] * gradP[r * CLASSES + c];
    for (let c = 0; c < CLASSES; c++) gradZ[r * CLASSES + c] = p[r * CLASSES + c] * (gradP[r * CLASSES + c] - dot);
  }
  return gradZ;
}

/**
 * One gradient step on a batch: 'cross-entropy' uses crossEntropyWithGrad on the logits; 'mse' applies
 * softmax, then mseLossWithGrad against one-hot targets; 'softmax-first' makes the classic mistake of applying
 * softmax and handing the probabilities to crossEntropyWithGrad as if they were logits. The last two carry the
 * gradient back through the softmax. Returns the batch loss.
 */
export function step(lib, model, kind, x, y, count, learningRate) {
  const z = logits(model, x, count);
  const shape = [count, CLASSES];
  let loss;
  let gradZ;
  if (kind === 'cross-entropy') {
    const result = lib.crossEntropyWithGrad({ data: z, shape }, y);
    loss = result.loss;
    gradZ = result.grad.data;
  } else if (kind === 'softmax-first') {
    const p = lib.softmax({ data: z, shape }).data;
    const result = lib.crossEntropyWithGrad({ data: p, shape }, y);
    loss = result.loss;
    gradZ = throughSoftmax(p, result.grad.data, count);
  } else {
    const p = lib.softmax({ data: z, shape }).data;
    const oneHot = new Float32Array(count * CLASSES);
    y.forEach((label, r) => {
      oneHot[r * CLASSES + label] = 1;
    });
    const result = lib.mseLossWithGrad({ data: p, shape }, { data: oneHot, shape });
    loss = result.loss;
    gradZ = throughSoftmax(p, result.grad.data, count);
  }
  for (let f = 0; f < FEATURES; f++) {
    for (let c = 0; c < CLASSES; c++) {
      let g = 0;
      for (let r = 0; r < count; r++) g += x[r * FEATURES + f] * gradZ[r * CLASSES + c];
      model.weights[f * CLASSES + c] -= learningRate * g;
    }
  }
  for (let c = 0; c < CLASSES; c++) {
    let g = 0;
    for (let r = 0; r < count; r++) g += gradZ[r * CLASSES + c];
    model.bias[c] -= learningRate * g;
  }
  return loss;
}

/** One epoch of mini-batches over the training set, in order; returns the mean batch loss. */
export function trainEpoch(lib, model, kind, train, { batchSize = 64, learningRate = 0.5 } = {}) {
  let total = 0;
  let batches = 0;
  for (let start = 0; start < train.count; start += batchSize) {
    const count = Math.min(batchSize, train.count - start);
    const x = train.x.subarray(start * FEATURES, (start + count) * FEATURES);
    const y = train.y.subarray(start, start + count);
    total += step(lib, model, kind, x, y, count, learningRate);
    batches++;
  }
  return total / batches;
}

/** Fraction of a set classified right. */
export function accuracy(model, set) {
  const z = logits(model, set.x, set.count);
  let right = 0;
  for (let r = 0; r < set.count; r++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (z[r * CLASSES + c] > z[r * CLASSES + best]) best = c;
    if (best === set.y[r]) right++;
  }
  return right / set.count;
}
