// The demo page: every loss, gradient and probability below is computed by xentropy.
import Chart from 'chart.js/auto';
import * as lib from 'xentropy';
import {
  binaryCrossEntropyWithLogitsWithGrad,
  crossEntropy,
  entropy,
  init,
  klDiv,
  mseLossWithGrad,
  sigmoid,
  softmax,
  wasmBuild,
} from 'xentropy';
import { startCtc } from './ctc/page.js';
import digitsJson from './data/digits.json';
import { startSurprise } from './lm/page.js';
import { accuracy, CLASSES, createModel, FEATURES, loadDigits, logits, trainEpoch } from './training.js';

const params = new URLSearchParams(location.search);
await init(params.has('simd') ? { simd: params.get('simd') !== '0' } : {});
document.getElementById('build').textContent = {
  'relaxed-simd': 'relaxed SIMD WebAssembly (fused multiply-add)',
  simd: 'SIMD WebAssembly',
  scalar: 'scalar WebAssembly (no SIMD)',
}[wasmBuild()];
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, sans-serif';
const COLORS = { ce: '#2166ac', mse: '#d6604d', entropy: '#4393c3', kl: '#f4a582' };
const vector = (values) => ({ data: Float64Array.from(values), shape: [values.length] });
const format = (v) => (Number.isFinite(v) ? v.toFixed(3) : String(v));

// 1. Surprise, entropy and KL -------------------------------------------------------------------------------
const OUTCOMES = ['sun', 'clouds', 'rain', 'storm'];
const PRESETS = {
  desert: { p: [0.94, 0.04, 0.015, 0.005], q: [0.85, 0.1, 0.04, 0.01] },
  city: { p: [0.3, 0.35, 0.25, 0.1], q: [0.6, 0.2, 0.15, 0.05] },
};
const weights = { p: [...PRESETS.desert.p], q: [...PRESETS.desert.q] };
const sliders = {};
for (const which of ['p', 'q']) {
  const box = document.getElementById(`${which}-sliders`);
  sliders[which] = OUTCOMES.map((name, i) => {
    const label = document.createElement('label');
    label.innerHTML = `<span>${name}</span><input type="range" min="0" max="1000" /><output></output>`;
    const input = label.querySelector('input');
    input.addEventListener('input', () => {
      weights[which][i] = Number(input.value) / 1000;
      updateEntropy();
    });
    box.append(label);
    return label;
  });
}
const entropyChart = new Chart(document.getElementById('entropy-chart'), {
  type: 'bar',
  data: {
    labels: ['H(p): uncertainty', 'H(p, q): the forecaster’s surprise'],
    datasets: [
      { label: 'H(p)', data: [0, 0], backgroundColor: COLORS.entropy },
      { label: 'KL(p‖q)', data: [0, 0], backgroundColor: COLORS.kl },
    ],
  },
  options: {
    maintainAspectRatio: false,
    scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'nats' } } },
  },
});

function normalised(values) {
  const total = values.reduce((a, b) => a + b, 0) || 1;
  return values.map((v) => v / total);
}

function updateEntropy() {
  const p = normalised(weights.p);
  const q = normalised(weights.q).map((v) => Math.max(v, 1e-12));
  for (const which of ['p', 'q']) {
    const shown = which === 'p' ? p : normalised(weights.q);
    sliders[which].forEach((label, i) => {
      label.querySelector('input').value = String(Math.round(weights[which][i] * 1000));
      label.querySelector('output').textContent = shown[i].toFixed(3);
    });
  }
  const logQ = vector(q.map(Math.log));
  const hp = entropy(vector(p)).data[0];
  const kl = klDiv(logQ, vector(p), { reduction: 'sum' });
  const hpq = crossEntropy(logQ, vector(p), { reduction: 'sum' });
  document.getElementById('entropy-figures').innerHTML =
    `<div><strong>${format(hp)}</strong> H(p), entropy of the truth</div>` +
    `<div><strong>${format(kl)}</strong> KL(p‖q), the price of the wrong belief</div>` +
    `<div><strong>${format(hpq)}</strong> H(p, q), cross-entropy = H(p) + KL(p‖q) = ${format(hp + kl)}</div>`;
  entropyChart.data.datasets[0].data = [hp, hp];
  entropyChart.data.datasets[1].data = [0, kl];
  entropyChart.update();
}
for (const button of document.querySelectorAll('[data-preset]')) {
  button.addEventListener('click', () => {
    Object.assign(weights, structuredClone(PRESETS[button.dataset.preset]));
    updateEntropy();
  });
}
updateEntropy();

// 2. The sports car and the old car ------------------------------------------------------------------------------
{
  const probabilities = Array.from({ length: 199 }, (_, i) => 0.0025 + (i / 198) * 0.995);
  const z = vector(probabilities.map((p) => Math.log(p / (1 - p))));
  const ones = vector(probabilities.map(() => 1));
  const crossEntropyGrad = binaryCrossEntropyWithLogitsWithGrad(z, ones, { reduction: 'none' }).grad.data;
  const s = sigmoid(z);
  // ½(σ(z) − y)²: mseLossWithGrad gives (σ − y) with gradOutput ½ per element; times dσ/dz = σ(1 − σ)
  const mse = mseLossWithGrad(s, ones, { reduction: 'none', gradOutput: 0.5 }).grad.data;
  const mseGrad = Array.from(mse, (g, i) => g * s.data[i] * (1 - s.data[i]));
  new Chart(document.getElementById('gradient-chart'), {
    type: 'line',
    data: {
      datasets: [
        {
          label: '|∂L/∂z|, cross-entropy',
          data: Array.from(crossEntropyGrad, (g, i) => ({ x: probabilities[i], y: Math.abs(g) })),
          borderColor: COLORS.ce,
          pointRadius: 0,
        },
        {
          label: '|∂L/∂z|, squared error after σ',
          data: mseGrad.map((g, i) => ({ x: probabilities[i], y: Math.abs(g) })),
          borderColor: COLORS.mse,
          pointRadius: 0,
        },
      ],
    },
    options: {
      maintainAspectRatio: false,
      scales: {
        x: {
          type: 'linear',
          min: 0,
          max: 1,
          title: { display: true, text: 'predicted probability p of the true class (y = 1)' },
          ticks: { stepSize: 0.1 },
        },
        y: { title: { display: true, text: 'gradient magnitude at the logit' } },
      },
    },
  });
}

// 3. A training race ------------------------------------------------------------------------------------------------
const EPOCHS = Number(params.get('epochs') ?? 30);
const { train, test } = loadDigits(digitsJson, Number(params.get('seed') ?? 1));
/** A chart of two runs by epoch (the blue one, then the red one), its y axis `y` (Chart.js options). */
const lineChart = (id, [blue, red], y) =>
  new Chart(document.getElementById(id), {
    type: 'line',
    data: {
      labels: [],
      datasets: [
        { label: blue, data: [], borderColor: COLORS.ce, backgroundColor: COLORS.ce },
        { label: red, data: [], borderColor: COLORS.mse, backgroundColor: COLORS.mse },
      ],
    },
    options: { maintainAspectRatio: false, scales: { x: { title: { display: true, text: 'epoch' } }, y } },
  });
const axis = (text, max) => ({ min: 0, max, title: { display: true, text } });
const RACE = ['cross-entropy', 'squared error on softmax'];
// The two losses have different units, so the loss chart shows each as a fraction of its first epoch's value,
// on one axis: how fast each falls, honestly compared.
const lossChart = lineChart('loss-chart', RACE, axis('training loss ÷ its value at epoch 1'));
const accuracyChart = lineChart('accuracy-chart', RACE, axis('test accuracy'));
const KINDS = ['cross-entropy', 'mse', 'softmax-first'];
const fresh = (make) => Object.fromEntries(KINDS.map((kind) => [kind, make()]));
const race = { epoch: 0, done: false, accuracy: fresh(() => []), loss: fresh(() => []) };
let models = fresh(createModel);
let runId = 0;

// One epoch every PACE ms, so that a visitor sees the race run (?pace=0: as fast as the page allows); "Run
// instantly" finishes the current race at once.
let pace = Number(params.get('pace') ?? 150);
function startTraining() {
  const id = ++runId;
  models = fresh(createModel);
  Object.assign(race, { epoch: 0, done: false, accuracy: fresh(() => []), loss: fresh(() => []) });
  for (const chart of [lossChart, accuracyChart, softmaxFirstChart, softmaxFirstLossChart]) {
    chart.data.labels = [];
    for (const d of chart.data.datasets) d.data = [];
  }
  const tick = () => {
    if (id !== runId) return;
    race.epoch++;
    for (const kind of KINDS) {
      race.loss[kind].push(trainEpoch(lib, models[kind], kind, train));
      race.accuracy[kind].push(accuracy(models[kind], test));
    }
    for (const chart of [lossChart, accuracyChart, softmaxFirstChart, softmaxFirstLossChart])
      chart.data.labels.push(race.epoch);
    softmaxFirstChart.data.datasets[0].data = race.accuracy['cross-entropy'];
    softmaxFirstChart.data.datasets[1].data = race.accuracy['softmax-first'];
    softmaxFirstChart.update();
    softmaxFirstLossChart.data.datasets[0].data = race.loss['cross-entropy'];
    softmaxFirstLossChart.data.datasets[1].data = race.loss['softmax-first'];
    softmaxFirstLossChart.update();
    ['cross-entropy', 'mse'].forEach((kind, i) => {
      lossChart.data.datasets[i].data = race.loss[kind].map((loss) => loss / race.loss[kind][0]);
      accuracyChart.data.datasets[i].data = race.accuracy[kind];
    });
    lossChart.update();
    accuracyChart.update();
    const [ce, mse] = [race.accuracy['cross-entropy'].at(-1), race.accuracy.mse.at(-1)];
    document.getElementById('train-status').textContent =
      `epoch ${race.epoch}/${EPOCHS}: test accuracy ${(100 * ce).toFixed(1)} % with cross-entropy, ` +
      `${(100 * mse).toFixed(1)} % with squared error`;
    predict();
    if (race.epoch < EPOCHS)
      setTimeout(tick, pace); // one epoch per task: the page stays responsive
    else race.done = true;
  };
  setTimeout(tick, 0);
}
document.getElementById('train-button').addEventListener('click', () => {
  pace = Number(params.get('pace') ?? 150);
  startTraining();
});
document.getElementById('instant-button').addEventListener('click', () => {
  pace = 0;
  if (race.done) startTraining();
});

// 4. Pass raw logits -------------------------------------------------------------------------------------------------
// The library's own warning, shown where the mistake is made (it is said once per page)
const consoleWarn = console.warn;
console.warn = (message, ...rest) => {
  if (String(message).startsWith('xentropy:')) document.getElementById('guard-message').textContent = message;
  consoleWarn(message, ...rest);
};
const SOFTMAX_FIRST = ['logits into cross-entropy', 'softmax first, then cross-entropy'];
const softmaxFirstChart = lineChart('softmax-first-chart', SOFTMAX_FIRST, axis('test accuracy', 1));
// the loss itself: softmax first, it stays above log(1 + 9/e) ≈ 1.46 nats, the floor of logits squeezed into [0, 1]
const softmaxFirstLossChart = lineChart(
  'softmax-first-loss-chart',
  SOFTMAX_FIRST,
  axis('training cross-entropy (nats)'),
);

// log(softmax(x)) the textbook way, in plain JavaScript: exp overflows to Infinity and Infinity / Infinity is NaN
const textbookLogSoftmax = (x) => {
  const total = x.reduce((sum, v) => sum + Math.exp(v), 0);
  return x.map((v) => Math.log(Math.exp(v) / total));
};
/** A value short enough for a phone's column: whole numbers as they are, others to 4 digits, ±∞ as signs. */
const short = (v) =>
  Number.isInteger(v)
    ? String(v)
    : Number.isFinite(v)
      ? v.toPrecision(4)
      : Number.isNaN(v)
        ? 'NaN'
        : v > 0
          ? '∞'
          : '−∞';
const scaleInput = document.getElementById('logit-scale');
function updateOverflow() {
  const scale = Number(scaleInput.value);
  const x = [scale, 0, -scale];
  const rows = [
    ['logits', x],
    ['log(softmax(x)), textbook JS', textbookLogSoftmax(x)],
    ['xentropy logSoftmax(x)', Array.from(lib.logSoftmax(vector(x)).data)],
  ];
  const table = document.getElementById('overflow');
  table.innerHTML = rows
    .map(([name, values]) => `<tr><th>${name}</th>${values.map((v) => `<td>${short(v)}</td>`).join('')}</tr>`)
    .join('');
  table.dataset.textbook = JSON.stringify(rows[1][1].map(String));
  table.dataset.library = JSON.stringify(rows[2][1]);
  document.getElementById('logit-scale-value').textContent = String(scale);
}
scaleInput.addEventListener('input', updateOverflow);
updateOverflow();

// 5. Ask the model ----------------------------------------------------------------------------------------------------
const pixels = new Float32Array(FEATURES);
const grid = document.getElementById('grid');
const cells = Array.from({ length: FEATURES }, (_, i) => {
  const cell = document.createElement('div');
  cell.dataset.index = String(i);
  grid.append(cell);
  return cell;
});
// Drawing: mouse, pen or touch (the grid takes touch-action: none, so a drag paints instead of scrolling). A touch
// pointer stays captured by the cell it began on, so the cell under it is found by its position. Right-click, or the
// Erase mode, erases.
let painting = 0;
let erasing = false;
const paint = (cell) => {
  const i = Number(cell.dataset.index);
  pixels[i] = painting > 0 ? 1 : 0;
  showPixels();
  predict();
};
const cellAt = (e) => {
  const target = document.elementFromPoint(e.clientX, e.clientY);
  return target?.parentElement === grid ? target : undefined;
};
grid.addEventListener('contextmenu', (e) => e.preventDefault());
grid.addEventListener('pointerdown', (e) => {
  if (!e.target.dataset.index) return;
  e.preventDefault();
  painting = e.button === 2 || erasing ? -1 : 1;
  paint(e.target);
});
grid.addEventListener('pointermove', (e) => {
  const cell = painting && cellAt(e);
  if (cell && pixels[Number(cell.dataset.index)] !== (painting > 0 ? 1 : 0)) paint(cell);
});
for (const end of ['pointerup', 'pointercancel']) {
  addEventListener(end, () => {
    painting = 0;
  });
}
const eraseButton = document.getElementById('erase-button');
eraseButton.addEventListener('click', () => {
  erasing = !erasing;
  eraseButton.setAttribute('aria-pressed', String(erasing));
  eraseButton.textContent = erasing ? 'Erasing (tap to draw)' : 'Erase';
});
function showPixels() {
  cells.forEach((cell, i) => {
    const level = Math.round(255 * (1 - pixels[i]));
    cell.style.background = `rgb(${level},${level},${level})`;
  });
}
document.getElementById('clear-button').addEventListener('click', () => {
  pixels.fill(0);
  showPixels();
  predict();
});
document.getElementById('sample-button').addEventListener('click', () => {
  const r = Math.floor(Math.random() * test.count);
  pixels.set(test.x.subarray(r * FEATURES, (r + 1) * FEATURES));
  showPixels();
  predict();
});
const probabilityChart = new Chart(document.getElementById('probability-chart'), {
  type: 'bar',
  data: {
    labels: Array.from({ length: CLASSES }, (_, i) => String(i)),
    datasets: [{ label: 'P(digit)', data: [], backgroundColor: COLORS.ce }],
  },
  options: { maintainAspectRatio: false, scales: { y: { min: 0, max: 1 } } },
});

function predict() {
  const z = logits(models['cross-entropy'], pixels, 1);
  const probabilities = softmax({ data: z, shape: [CLASSES] }).data;
  const unsure = entropy({ data: probabilities, shape: [CLASSES] }).data[0];
  let best = 0;
  probabilities.forEach((p, i) => {
    best = p > probabilities[best] ? i : best;
  });
  const box = document.getElementById('prediction');
  box.dataset.probabilities = JSON.stringify(Array.from(probabilities));
  box.innerHTML =
    `<div><strong>${best}</strong> most likely digit (${(100 * probabilities[best]).toFixed(1)} %)</div>` +
    `<div><strong>${format(unsure)}</strong> entropy of the prediction (nats)</div>`;
  probabilityChart.data.datasets[0].data = Array.from(probabilities);
  probabilityChart.update();
}

pixels.set(test.x.subarray(0, FEATURES)); // start with the first test digit on the grid
showPixels();
// the race starts when it scrolls into view (at once with ?pace=, as the tests ask)
if (params.has('pace')) {
  startTraining();
} else {
  const watcher = new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    watcher.disconnect();
    startTraining();
  });
  watcher.observe(document.getElementById('training'));
}
// For the end-to-end test: the race's figures as they come.
window.xentropyDemo = race;

// 6. Surprise, token by token (loads its model meanwhile) ---------------------------------------------------
startCtc();
startSurprise().catch((error) => {
  document.getElementById('lm-status').textContent = `The language model could not load: ${error.message}`;
});
