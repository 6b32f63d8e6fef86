// Section 7 of the demo page, "CTC: a transcript aligned to frames": the lattice of frames × extended labels, shaded
// by each label's probability at each frame, with the most probable alignment (ctcForcedAlign) drawn through it, and
// the transcript's probability (ctcLoss), the greedy decoding and the beam's best guesses.
import { ctcBeamSearch, ctcForcedAlign, ctcGreedyDecode, ctcLoss } from 'xentropy';
import { ALPHABET, emissions, labelsOf, positionsOf } from './lattice.js';

const $ = (id) => document.getElementById(id);
const CELL = 20; // px per frame and per extended label, at most
const LEFT = 18; // room for the labels' names
const word = (tokens) => Array.from(tokens, (c) => ALPHABET[c]).join('');
const spell = (tokens) => word(tokens) || '(nothing)';

/** The lattice: a row per extended label, a column per frame, each cell as dark as p(label | frame). */
function draw(canvas, logProbs, labels, positions) {
  const [T, C] = logProbs.shape;
  const S = 2 * labels.length + 1;
  const extended = Array.from({ length: S }, (_, s) => (s % 2 ? labels[(s - 1) / 2] : 0));
  const cell = Math.max(8, Math.min(CELL, Math.floor((canvas.parentElement.clientWidth - LEFT) / T)));
  const ratio = window.devicePixelRatio || 1;
  canvas.style.width = `${LEFT + cell * T}px`;
  canvas.style.height = `${cell * S}px`;
  canvas.width = Math.round((LEFT + cell * T) * ratio);
  canvas.height = Math.round(cell * S * ratio);
  const g = canvas.getContext('2d');
  g.scale(ratio, ratio);
  g.font = `${Math.min(14, cell)}px system-ui, sans-serif`;
  g.textBaseline = 'middle';
  extended.forEach((c, s) => {
    g.fillStyle = '#333';
    g.fillText(ALPHABET[c], 4, (s + 0.5) * cell);
    for (let t = 0; t < T; t++) {
      const p = Math.exp(logProbs.data[t * C + c]);
      g.fillStyle = `hsl(215 80% ${Math.round(97 - 55 * p)}%)`;
      g.fillRect(LEFT + t * cell, s * cell, cell - 1, cell - 1);
    }
  });
  g.strokeStyle = '#d62728';
  g.lineWidth = Math.max(2, cell / 6);
  g.beginPath();
  for (const [t, s] of positions.entries()) g[t ? 'lineTo' : 'moveTo'](LEFT + (t + 0.5) * cell, (s + 0.5) * cell);
  g.stroke();
}

function update(logProbs) {
  const text = $('ctc-text').value.trim();
  const summary = $('ctc-summary');
  const { labels, missing } = labelsOf(text);
  const T = logProbs.shape[0];
  const fail = (message) => {
    summary.textContent = message;
    summary.dataset.path = '';
  };
  if (missing !== undefined) return fail(`“${missing}” is not among the classes (${ALPHABET.slice(1).join(' ')}).`);
  const repeats = labels.filter((c, i) => i > 0 && c === labels[i - 1]).length;
  if (labels.length + repeats > T) {
    return fail(
      `“${text}” needs ${labels.length + repeats} frames (a blank between repeated letters); there are ${T}.`,
    );
  }
  const nll = ctcLoss(logProbs, labels, T, labels.length, { reduction: 'sum' });
  const { labels: frames, spans } = ctcForcedAlign(logProbs, labels);
  const positions = positionsOf(frames);
  draw($('ctc-lattice'), logProbs, labels, positions);
  const beams = ctcBeamSearch(logProbs, { beamWidth: 8 }).slice(0, 3);
  summary.dataset.path = positions.join(' ');
  summary.dataset.nll = String(nll);
  summary.innerHTML =
    `p(“${text}”) = e<sup>−${nll.toFixed(3)}</sup> = ${Math.exp(-nll).toPrecision(3)}, summed over every alignment ` +
    `(ctcLoss = ${nll.toFixed(3)}). ` +
    `The best one: <code>${word(frames)}</code>, each letter at frames ` +
    `${spans.map((s) => `${ALPHABET[s.token]} ${s.start}–${s.end - 1}`).join(', ')}.<br>` +
    `Greedy decoding reads <code>${spell(ctcGreedyDecode(logProbs).tokens)}</code>; beam search's best: ` +
    `${beams.map((h) => `<code>${spell(h.tokens)}</code> (p ${Math.exp(h.logProb).toPrecision(2)})`).join(', ')}.`;
}

export function startCtc() {
  const logProbs = emissions();
  const run = () => update(logProbs);
  $('ctc-text').addEventListener('input', run);
  window.addEventListener('resize', run);
  run();
}
