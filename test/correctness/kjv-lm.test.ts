// The demo's language model (demo/public/lm, made by scripts/train-kjv-lm.py) as the page and `npm run score` use
// it: its tokenizer gives the Python tokenizer's ids, and the model cut at its head and scored by xentropy gives the
// per-token log-probabilities of onnxruntime-node's full logits (test/fixtures/kjv-lm-golden.json, made by
// scripts/kjv-lm-golden.mjs) within rounding.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { idsOf, loadLanguageModel, scoreText, TOP } from '../../demo/lm/surprise.js';
import { createTokenizer } from '../../demo/lm/tokenizer.js';
import { init, tokenLogProbs } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { LOG_PROB_BOUND } from '../helpers/kjv-lm.js';

const lm = (name: string) => readFileSync(new URL(`../../demo/public/lm/${name}`, import.meta.url));
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const card = JSON.parse(lm('kjv-lm.json').toString());
const golden = fixture('kjv-lm-golden.json') as {
  model: string;
  cases: { text: string; ids: number[]; logProbs: number[] }[];
};

let model: Awaited<ReturnType<typeof loadLanguageModel>>;
beforeAll(async () => {
  ort.env.wasm.numThreads = 1;
  await init();
  model = await loadLanguageModel(ort, lm('kjv-lm.onnx'), card);
});

describe('the demo language model', () => {
  it('is the model the golden log-probabilities were made from', () => {
    const hash = createHash('sha256').update(lm('kjv-lm.onnx')).digest('hex');
    expect(hash, 'kjv-lm.onnx changed: run scripts/kjv-lm-golden.mjs').toBe(golden.model);
    expect(lm('kjv-lm.onnx').length).toBeLessThanOrEqual(5.2e6);
  });

  it("tokenizes as the Python tokenizer that trained it, and its tokens' bytes spell the text", () => {
    const tokenizer = createTokenizer(card);
    expect(tokenizer.vocabulary).toBe(card.vocabulary);
    for (const { text, ids } of fixture('kjv-tokens.json')) expect(tokenizer.encode(text), text).toEqual(ids);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        const ids = tokenizer.encode(text);
        expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < card.vocabulary)).toBe(true);
        const bytes = ids.flatMap((id) => Array.from(tokenizer.bytesOf(id)));
        expect(bytes).toEqual(Array.from(new TextEncoder().encode(text)));
      }),
      { numRuns: 300, seed: 25 },
    );
  });

  it.each(golden.cases.map((c) => [c.text.slice(0, 40), c] as const))(
    'cut at its head and scored by xentropy: %s… as onnxruntime-node’s full logits',
    async (_, { text, ids, logProbs }) => {
      const result = await scoreText(model, text);
      expect(result.ids).toEqual(ids);
      const got = result.tokens.map((t) => t.logProb);
      assertClose(got, logProbs, { bound: LOG_PROB_BOUND, label: `${text}: log-probabilities` });
      const bits = got.reduce((s, l) => s - l / Math.LN2, 0) / got.length;
      expect(result.bitsPerToken).toBeCloseTo(bits, 12);
      expect(result.perplexity).toBeCloseTo(2 ** bits, 9);
      for (const token of result.tokens) {
        const p = token.top.map((a) => a.probability);
        expect(p).toHaveLength(TOP);
        expect(p).toEqual([...p].sort((a, b) => b - a));
        expect(p.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-6);
        expect(token.entropyBits).toBeGreaterThanOrEqual(0);
        expect(token.entropyBits).toBeLessThanOrEqual(Math.log2(card.vocabulary) + 1e-6);
        // the token is in the top 5 exactly when fewer than 5 tokens are more probable
        const above = token.top.filter((a) => a.probability > token.probability * (1 + 1e-5)).length;
        if (above < TOP - 1) expect(token.top.map((a) => a.id)).toContain(token.id);
      }
    },
  );

  it("onnxruntime-web's own full logits → tokenLogProbs agree with onnxruntime-node's", async () => {
    const session = await ort.InferenceSession.create(lm('kjv-lm.onnx'));
    for (const { ids, logProbs } of golden.cases) {
      const dims = [1, ids.length];
      const data = BigInt64Array.from(ids, BigInt);
      const feeds = { input_ids: new ort.Tensor('int64', data, dims) };
      const mask = new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims);
      const logits = (await session.run({ ...feeds, attention_mask: mask })).logits as unknown as {
        data: Float32Array;
        dims: number[];
      };
      const got = tokenLogProbs(logits, { data, dims }, { shift: true }).data;
      assertClose(got, logProbs, { bound: LOG_PROB_BOUND, label: 'onnxruntime-web logits' });
    }
  });

  it('finds the words scrambled more surprising, and cuts text past its context', async () => {
    const text = golden.cases[0].text;
    const words = text.split(' ');
    const scrambled = words.map((_, i) => words[(i * 5 + 3) % words.length]).join(' ');
    expect(scrambled).not.toBe(text);
    const [ordered, shuffled] = [await scoreText(model, text), await scoreText(model, scrambled)];
    expect(shuffled.bitsPerToken).toBeGreaterThan(ordered.bitsPerToken + 1);
    const long = idsOf(model, text.repeat(20));
    expect(long.ids).toHaveLength(card.context);
    expect(long.cut).toBeGreaterThan(0);
    expect((await scoreText(model, text.repeat(20))).tokens).toHaveLength(card.context - 1);
    expect((await scoreText(model, '')).tokens).toEqual([]);
  });
});
