// `npm run score -- "some text"`: the demo's language model scores the text in the terminal, token by token: its
// surprise in bits, its probability, the entropy of the position before it, and the model's top 5 there.
// onnxruntime-web runs the model cut at its head, xentropy scores its hidden states (as the demo page does).
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { init, wasmBuild } from 'xentropy';
import { loadLanguageModel, scoreText } from '../demo/lm/surprise.js';

const DEFAULT = 'In the beginning God created the heaven and the earth.';
const file = (name) => readFileSync(new URL(`../demo/public/lm/${name}`, import.meta.url));
const shown = (text) => JSON.stringify(text);
const column = (text, width) => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));

const text = process.argv.slice(2).join(' ') || DEFAULT;
ort.env.wasm.numThreads = 1;
await init();
const model = await loadLanguageModel(ort, file('kjv-lm.onnx'), JSON.parse(file('kjv-lm.json')));
const started = performance.now();
const result = await scoreText(model, text);
const ms = performance.now() - started;

console.log(`"${text}"\n`);
console.log(`${'token'.padEnd(14)} ${'bits'.padStart(6)} ${'p'.padStart(7)} ${'H bits'.padStart(7)}  top ${5}`);
for (const t of result.tokens) {
  const top = t.top.map((a) => `${shown(a.text)} ${(a.probability * 100).toFixed(1)} %`).join(', ');
  const p = t.probability < 0.001 ? t.probability.toExponential(0) : t.probability.toFixed(3);
  const figures = `${t.bits.toFixed(2).padStart(6)} ${p.padStart(7)} ${t.entropyBits.toFixed(2).padStart(7)}`;
  console.log(`${column(shown(t.text), 14)} ${figures}  ${top}`);
}
if (result.cut) console.log(`(the last ${result.cut} tokens are past the model's context of ${model.context})`);
console.log(
  `\n${result.tokens.length} tokens: cross-entropy ${result.bitsPerToken.toFixed(3)} bits per token, ` +
    `perplexity 2^${result.bitsPerToken.toFixed(3)} = ${result.perplexity.toFixed(1)}`,
);
console.log(`scored in ${ms.toFixed(0)} ms by onnxruntime-web and xentropy (${wasmBuild()} build, 1 thread)`);
