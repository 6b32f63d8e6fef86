// Scores text with the demo's language model. onnxruntime runs the model cut at its head; xentropy scores the
// hidden states it returns: each token's log-probability, the 5 most probable tokens and the entropy of every
// position, from one pass over the head and without ever making the logits (scoreSession: linearScoreAsync).
import { allocTensor } from 'xentropy';
import { cutAtHead, scoreSession } from 'xentropy/onnxruntime';
import { createTokenizer } from './tokenizer.js';

/** How many alternatives each token shows. */
export const TOP = 5;

/**
 * Cuts the model at its head and opens it in onnxruntime (`ort`: onnxruntime-web or -node). Call after xentropy's
 * init, whose build then holds the head until release().
 * @param {object} ort - the onnxruntime module
 * @param {Uint8Array} modelBytes - kjv-lm.onnx
 * @param {object} card - kjv-lm.json (the tokenizer and the context length)
 */
export async function loadLanguageModel(ort, modelBytes, card, sessionOptions = {}) {
  const head = cutAtHead(modelBytes);
  // The head's weight kept in WebAssembly memory (after init), so that no call copies its 2 MB.
  const resident = allocTensor(Float32Array, head.linearWeight.shape);
  resident.data.set(head.linearWeight.data);
  head.linearWeight = resident;
  const session = await ort.InferenceSession.create(head.model, sessionOptions);
  const tokenizer = createTokenizer(card);
  // Training put every verse after a newline, so a newline begins the text: the first token is predicted too.
  return { ort, head, session, tokenizer, start: tokenizer.encode('\n'), context: card.context };
}

/** The ids the model reads for `text`: the start, then the text's tokens, cut at the context length. */
export function idsOf(model, text) {
  const ids = [...model.start, ...model.tokenizer.encode(text)];
  return { ids: ids.slice(0, model.context), cut: Math.max(0, ids.length - model.context) };
}

/**
 * Each token of `text` with its surprise, its probability, the entropy before it and the top alternatives, and the
 * text's cross-entropy in bits per token and perplexity; `modelMs` the model took and `scoreMs` xentropy took.
 */
export async function scoreText(model, text) {
  const { ids, cut } = idsOf(model, text);
  const n = ids.length;
  const result = { tokens: [], bitsPerToken: Number.NaN, perplexity: Number.NaN, cut, ids, modelMs: 0, scoreMs: 0 };
  if (n < 2) return result;
  const data = BigInt64Array.from(ids, BigInt);
  const dims = [1, n];
  const feeds = {
    input_ids: new model.ort.Tensor('int64', data, dims),
    attention_mask: new model.ort.Tensor('int64', new BigInt64Array(n).fill(1n), dims),
  };
  const started = performance.now();
  const timed = {
    run: (...args) => model.session.run(...args).finally(() => (result.modelMs = performance.now() - started)),
  };
  const scores = await scoreSession(timed, feeds, model.head, {
    target: { data, dims },
    shift: true,
    k: TOP,
    outputs: ['tokenLogProbs', 'topK', 'entropy'],
  });
  result.scoreMs = performance.now() - started - result.modelMs;
  result.tokens = tokensOf(model, ids, scores);
  const bits = result.tokens.reduce((sum, t) => sum + t.bits, 0) / result.tokens.length;
  result.bitsPerToken = bits;
  result.perplexity = 2 ** bits;
  return result;
}

function tokensOf(model, ids, scores) {
  const logProbs = scores.tokenLogProbs.data;
  const { indices, logProbs: topLogProbs } = scores.topK;
  const text = (id) => model.tokenizer.textOf(id);
  return Array.from(logProbs, (logProb, t) => ({
    id: ids[t + 1],
    text: text(ids[t + 1]),
    logProb,
    bits: -logProb / Math.LN2,
    probability: Math.exp(logProb),
    entropyBits: scores.entropy.data[t] / Math.LN2,
    top: Array.from({ length: TOP }, (_, j) => ({
      id: indices.data[t * TOP + j],
      text: text(indices.data[t * TOP + j]),
      probability: Math.exp(topLogProbs.data[t * TOP + j]),
    })),
  }));
}
