// Section 6 of the demo page, "Surprise, token by token": the reader's text scored by the KJV language model.
// onnxruntime-web runs the model cut at its head; xentropy scores its hidden states (demo/lm/surprise.js).
import * as ort from 'onnxruntime-web/wasm';
import { wasmBuild, wasmThreads } from 'xentropy';
import { loadLanguageModel, scoreText } from './surprise.js';

const MAX_BITS = 16; // the colour scale's end: p = 2^-16
const BUILDS = { 'relaxed-simd': 'relaxed SIMD', simd: 'SIMD', scalar: 'scalar' };
const $ = (id) => document.getElementById(id);
const threads = (n) => `${n} thread${n === 1 ? '' : 's'}`;
const shown = (text) => text.replaceAll('\n', '↵');
const percent = (p) => (p >= 0.0995 ? `${(100 * p).toFixed(0)} %` : `${(100 * p).toPrecision(2)} %`);
/** White at 0 bits through yellow to red at MAX_BITS and beyond. */
const colourOf = (bits) =>
  `hsl(${Math.round(60 * (1 - Math.min(bits, MAX_BITS) / MAX_BITS))} 95% ${Math.round(
    97 - (37 * Math.min(bits, MAX_BITS)) / MAX_BITS,
  )}%)`;

const PRESETS = [
  ['Genesis 1:1 (a held-out chapter)', 'In the beginning God created the heaven and the earth.'],
  ['Exodus', 'And the LORD said unto Moses, Stretch out thine hand over the sea.'],
  ['A pangram', 'The quick brown fox jumps over the lazy dog.'],
  ['Modern English', 'I will send you an email about the meeting tomorrow morning.'],
  ['Genesis 1:1, backwards', 'Earth the and heaven the created God beginning the In.'],
  [
    'Matthew 19 (64 tokens)',
    'And it came to pass, when Jesus had finished these sayings, that he departed from Galilee, and came into the ' +
      'coasts of Judaea beyond Jordan; and great multitudes followed him, and he healed them there. The Pharisees ' +
      'also came unto him, tempting him, and saying unto him, Is it lawful for him?',
  ],
];

const state = {
  model: undefined,
  result: undefined,
  selected: 0,
  wanted: undefined,
  running: undefined,
  original: undefined,
};

/** A file beside the page; an HTTP error is an Error naming it. */
async function fetched(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response;
}

export async function startSurprise() {
  $('lm-status').textContent = 'loading the model…';
  $('lm-preset').append(...PRESETS.map(([label, text]) => new Option(label, text)));
  const [bytes, card] = await Promise.all([
    fetched('./lm/kjv-lm.onnx').then((r) => r.arrayBuffer()),
    fetched('./lm/kjv-lm.json').then((r) => r.json()),
  ]);
  ort.env.wasm.numThreads = 1;
  state.model = await loadLanguageModel(ort, new Uint8Array(bytes), card);
  const { bitsPerToken, bitsPerCharacter } = card.heldOut;
  $('lm-held-out').textContent =
    `on chapters it never saw it averages ${bitsPerToken.toFixed(2)} bits per token, ` +
    `${bitsPerCharacter.toFixed(2)} bits per character`;
  $('lm-text').addEventListener('input', () => request({ keyed: performance.now() }));
  $('lm-preset').addEventListener('change', () => {
    $('lm-text').value = $('lm-preset').value;
    request({ keyed: performance.now() });
  });
  $('scramble-button').addEventListener('click', scramble);
  $('lm-tokens').addEventListener('pointerover', (e) => select(e.target));
  $('lm-tokens').addEventListener('focusin', (e) => select(e.target));
  $('lm-tokens').addEventListener('click', (e) => select(e.target));
  request({ keyed: performance.now(), first: true });
}

/** Scores the text box's text, one scoring at a time: changes during one are gathered into the next. */
function request(wanted) {
  state.wanted = { ...wanted, text: $('lm-text').value };
  if (!wanted.scrambled) state.original = undefined;
  state.running ??= drain().finally(() => {
    state.running = undefined;
  });
  return state.running;
}

async function drain() {
  while (state.wanted) {
    const job = state.wanted;
    state.wanted = undefined;
    try {
      const result = await scoreText(state.model, job.text);
      if (state.wanted) continue; // stale: the text changed meanwhile
      state.result = result;
      state.selected = Math.min(state.selected, Math.max(0, result.tokens.length - 1));
      render(job);
    } catch (error) {
      $('lm-status').textContent = `The model could not score this text: ${error.message}`;
    }
  }
}

function render(job) {
  const { tokens, bitsPerToken, perplexity, cut } = state.result;
  const box = $('lm-tokens');
  box.dataset.text = job.text;
  box.replaceChildren(
    ...tokens.map((t, i) => {
      const span = document.createElement('span');
      span.className = 'token';
      span.textContent = shown(t.text);
      span.tabIndex = 0;
      span.dataset.index = String(i);
      span.dataset.logProb = String(t.logProb);
      span.style.background = colourOf(t.bits);
      span.title = `${t.bits.toFixed(2)} bits`;
      return span;
    }),
  );
  const summary = $('lm-summary');
  summary.dataset.bitsPerToken = String(bitsPerToken);
  summary.innerHTML = tokens.length
    ? `<div><strong>${bitsPerToken.toFixed(2)}</strong> bits per token: the cross-entropy, the average surprise ` +
      `of ${tokens.length} tokens${cut ? ` (the first ${tokens.length}; the rest is past the context)` : ''}</div>` +
      `<div><strong>${perplexity.toFixed(1)}</strong> perplexity = 2<sup>${bitsPerToken.toFixed(2)}</sup>: as ` +
      `unsure, on average, as a fair pick among ${perplexity.toFixed(1)} tokens</div>`
    : '<div>Type something to score.</div>';
  const compare = $('lm-scramble');
  compare.dataset.bitsPerToken = state.original ? String(bitsPerToken) : '';
  compare.dataset.originalBitsPerToken = state.original ? String(state.original.bitsPerToken) : '';
  compare.textContent = state.original
    ? `Scrambled: ${bitsPerToken.toFixed(2)} bits per token against ${state.original.bitsPerToken.toFixed(2)} ` +
      `in the original order, ${(bitsPerToken - state.original.bitsPerToken).toFixed(2)} bits more per token ` +
      `(perplexity ×${(2 ** (bitsPerToken - state.original.bitsPerToken)).toFixed(1)}).`
    : '';
  showDetail();
  requestAnimationFrame(() => {
    const painted = performance.now() - job.keyed;
    const status = $('lm-status');
    status.dataset.milliseconds = String(painted);
    status.dataset.tokens = String(tokens.length);
    status.dataset.modelMilliseconds = String(state.result.modelMs);
    status.dataset.scoreMilliseconds = String(state.result.scoreMs);
    status.textContent =
      `onnxruntime-web runs the model on ${threads(ort.env.wasm.numThreads)}; xentropy ` +
      `(${BUILDS[wasmBuild()]} WebAssembly, ${threads(wasmThreads())}) scores its hidden states. From the last ` +
      `change to these colours: ${painted.toFixed(0)} ms for ${tokens.length} tokens (the model ` +
      `${state.result.modelMs.toFixed(0)} ms, xentropy ${state.result.scoreMs.toFixed(1)} ms, the page the rest)` +
      (job.first ? ': the first run, which warms onnxruntime up; type to see the usual.' : '.');
  });
}

function select(target) {
  if (!target?.dataset?.index) return;
  state.selected = Number(target.dataset.index);
  showDetail();
}

function showDetail() {
  const detail = $('lm-detail');
  const token = state.result?.tokens[state.selected];
  if (!token) {
    detail.replaceChildren();
    return;
  }
  for (const span of $('lm-tokens').children)
    span.classList.toggle('selected', span.dataset.index === String(state.selected));
  const rows = token.top.map((a) => {
    const bar = `<span class="bar" style="width:${(100 * a.probability).toFixed(1)}%"></span>`;
    const hit = a.id === token.id ? ' class="hit"' : '';
    return (
      `<tr data-probability="${a.probability}"${hit}><td>${escapeHtml(shown(a.text))}</td>` +
      `<td>${percent(a.probability)}</td><td>${bar}</td></tr>`
    );
  });
  detail.innerHTML =
    `<p><strong>“${escapeHtml(shown(token.text))}”</strong>: p = ${percent(token.probability)}, surprise ` +
    `${token.bits.toFixed(2)} bits. Before it the model's entropy was ${token.entropyBits.toFixed(2)} bits.</p>` +
    `<table class="top"><caption>What the model expected here (top ${token.top.length})</caption>` +
    `<tbody>${rows.join('')}</tbody></table>`;
}

const escapeHtml = (text) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Shuffles the words of the text (never leaving them in order) and scores the result beside the original. */
async function scramble() {
  await state.running;
  if (!state.result) return;
  const words = $('lm-text').value.trim().split(/\s+/);
  if (new Set(words).size < 2) return;
  const original = { bitsPerToken: state.original?.bitsPerToken ?? state.result.bitsPerToken };
  let shuffled = words;
  while (shuffled.join(' ') === words.join(' ')) {
    shuffled = [...words];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
  }
  $('lm-text').value = shuffled.join(' ');
  state.original = original;
  request({ keyed: performance.now(), scrambled: true });
}
