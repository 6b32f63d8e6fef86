// The peer every user starts from: a hand-written two-pass softmax cross-entropy in plain JS
// (max, then Σ exp; then the loss and softmax − one-hot), 'mean' over rows, float32 in and out.
// test/correctness/naive.test.ts holds it to the float64 reference, so the benchmark times a correct loop.
// The two functions repeat their max and Σ exp loops on purpose: this is the loop users write by hand,
// and a shared helper returning two values would add an allocation per row to the peer's time.

/**
 * @param {Float32Array} logits (rows, classes), row-major
 * @param {Int32Array} targets one class index per row
 * @param {number} rows
 * @param {number} classes
 * @param {Float32Array} grad receives ∂mean loss/∂logits
 * @returns {number} the mean loss
 */
export function naiveCrossEntropyWithGrad(logits, targets, rows, classes, grad) {
  let total = 0;
  const scale = 1 / rows;
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let max = -Infinity;
    for (let j = 0; j < classes; j++) if (logits[base + j] > max) max = logits[base + j];
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(logits[base + j] - max);
    const t = targets[r];
    total += Math.log(sum) + max - logits[base + t];
    const inv = scale / sum;
    for (let j = 0; j < classes; j++) grad[base + j] = Math.exp(logits[base + j] - max) * inv;
    grad[base + t] -= scale;
  }
  return total / rows;
}

/** The forward half of the naive loop: the mean loss only (two passes per row). */
export function naiveCrossEntropy(logits, targets, rows, classes) {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let max = -Infinity;
    for (let j = 0; j < classes; j++) if (logits[base + j] > max) max = logits[base + j];
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(logits[base + j] - max);
    total += Math.log(sum) + max - logits[base + targets[r]];
  }
  return total / rows;
}

/** softmax of each row into `out`, the two-pass way; returns `out`. */
export function naiveSoftmax(logits, rows, classes, out) {
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let max = -Infinity;
    for (let j = 0; j < classes; j++) if (logits[base + j] > max) max = logits[base + j];
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += out[base + j] = Math.exp(logits[base + j] - max);
    const inv = 1 / sum;
    for (let j = 0; j < classes; j++) out[base + j] *= inv;
  }
  return out;
}

/** Scoring as transformers.js does it: log_softmax of the row into a new array, then every index sorted by it;
 * each row's token log-probability and its top k indices. */
export function naiveScoring(logits, targets, rows, vocab, k) {
  const tokens = new Float32Array(rows);
  const top = new Int32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const row = logits.subarray(r * vocab, (r + 1) * vocab);
    let max = -Infinity;
    for (let j = 0; j < vocab; j++) if (row[j] > max) max = row[j];
    let sum = 0;
    for (let j = 0; j < vocab; j++) sum += Math.exp(row[j] - max);
    const logSum = Math.log(sum);
    const lp = new Float32Array(vocab);
    for (let j = 0; j < vocab; j++) lp[j] = row[j] - max - logSum;
    tokens[r] = lp[targets[r]];
    const order = Array.from({ length: vocab }, (_, j) => j).sort((a, b) => lp[b] - lp[a] || a - b);
    top.set(order.slice(0, k), r * k);
  }
  return { tokens, top };
}

/**
 * The distillation loop users write by hand: per row the max and log Σ exp of the student's and the teacher's logits
 * at temperature T, then each element's term and the student's gradient through the softmax, 'batchmean' (float64
 * arithmetic, float32 gradient). kind: 'kl' (forward, times T²), 'jsd' (β = ½) or 'tvd'.
 * @param {Float32Array} student (rows, classes)
 * @param {Float32Array} teacher (rows, classes)
 * @param {Float32Array} grad receives ∂loss/∂student
 * @returns {number} the loss
 */
export function naiveDistillWithGrad(kind, student, teacher, rows, classes, temperature, grad) {
  const scale = kind === 'kl' ? temperature * temperature : 1;
  const u = new Float64Array(classes);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let [ms, mt] = [-Infinity, -Infinity];
    for (let j = 0; j < classes; j++) {
      if (student[base + j] > ms) ms = student[base + j];
      if (teacher[base + j] > mt) mt = teacher[base + j];
    }
    let [ss, st] = [0, 0];
    for (let j = 0; j < classes; j++) {
      ss += Math.exp((student[base + j] - ms) / temperature);
      st += Math.exp((teacher[base + j] - mt) / temperature);
    }
    const [ls, lt] = [Math.log(ss), Math.log(st)];
    let sumU = 0;
    for (let j = 0; j < classes; j++) {
      const lq = (student[base + j] - ms) / temperature - ls;
      const lp = (teacher[base + j] - mt) / temperature - lt;
      const [q, p] = [Math.exp(lq), Math.exp(lp)];
      let term;
      if (kind === 'kl') {
        term = p > 0 ? p * (lp - lq) : 0;
        u[j] = -p;
      } else if (kind === 'jsd') {
        const lm = Math.log(0.5 * p + 0.5 * q);
        term = 0.5 * (p > 0 ? p * (lp - lm) : 0) + 0.5 * (q > 0 ? q * (lq - lm) : 0);
        u[j] = 0.5 * q * (lq - lm);
      } else {
        term = 0.5 * Math.abs(p - q);
        u[j] = 0.5 * q * Math.sign(q - p);
      }
      total += term;
      sumU += u[j];
    }
    const c = scale / temperature / rows;
    for (let j = 0; j < classes; j++) {
      const q = Math.exp((student[base + j] - ms) / temperature - ls);
      grad[base + j] = c * (u[j] - q * sumU);
    }
  }
  return (scale * total) / rows;
}
