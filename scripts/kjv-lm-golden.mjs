// Golden per-token log-probabilities of the demo's language model, for its tests: onnxruntime-node (native) runs the
// full model to its logits, and a plain float64 log-softmax of those logits gives each token's log-probability.
// onnxruntime-node is one of the benchmark's peers, so install those first:
//   (cd bench && ONNXRUNTIME_NODE_INSTALL=skip npm ci) && node scripts/kjv-lm-golden.mjs
// Writes test/fixtures/kjv-lm-golden.json.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createTokenizer } from '../demo/lm/tokenizer.js';

export const SENTENCES = [
  'In the beginning God created the heaven and the earth.',
  'The quick brown fox jumps over the lazy dog.',
  // 64 tokens, as the page's latency target counts them
  'And it came to pass, when Jesus had finished these sayings, that he departed from Galilee, and came into the ' +
    'coasts of Judaea beyond Jordan; and great multitudes followed him, and he healed them there. The Pharisees also ' +
    'came unto him, tempting him, and saying unto him, Is it lawful for him?',
];

const file = (name) => readFileSync(new URL(`../demo/public/lm/${name}`, import.meta.url));
const ort = createRequire(new URL('../bench/package.json', import.meta.url))('onnxruntime-node');

/** Each target's log-probability from float32 logits [n, V], in float64: z_t − max − log Σ exp(z − max). */
function logProbsOf(logits, ids, V) {
  return ids.slice(1).map((target, t) => {
    const row = Array.from(logits.subarray(t * V, (t + 1) * V));
    const max = Math.max(...row);
    const sum = row.reduce((s, z) => s + Math.exp(z - max), 0);
    return row[target] - max - Math.log(sum);
  });
}

const card = JSON.parse(file('kjv-lm.json'));
const tokenizer = createTokenizer(card);
const session = await ort.InferenceSession.create(file('kjv-lm.onnx'));
const cases = [];
for (const text of SENTENCES) {
  const ids = [...tokenizer.encode('\n'), ...tokenizer.encode(text)];
  const dims = [1, ids.length];
  const { logits } = await session.run({
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), dims),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
  });
  cases.push({ text, ids, logProbs: logProbsOf(logits.data, ids, card.vocabulary) });
}
const model = createHash('sha256').update(file('kjv-lm.onnx')).digest('hex');
const path = new URL('../test/fixtures/kjv-lm-golden.json', import.meta.url);
writeFileSync(path, `${JSON.stringify({ model, onnxruntimeNode: ort.env.versions?.common ?? '', cases }, null, 1)}\n`);
console.log(`wrote test/fixtures/kjv-lm-golden.json: ${cases.map((c) => c.ids.length - 1).join(', ')} tokens`);
