// xentropy/onnxruntime on three small causal LMs made by scripts/make-tiny-lm.py (Debian's PyTorch), exported as
// optimum exports them: the cut model plus linearScore give the full model's logits → tokenLogProbs, topK and
// softmaxEntropy within rounding: untied (MatMul then Add of a bias), tied (the embedding's initializer through a
// Transpose), and one sequence without a batch dim (a Gemm with its bias).
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { cutAtHead, scoreSession } from '../../src/adapters/onnxruntime.js';
import { init, softmaxEntropy, tokenLogProbs, topK } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

// (a Node Buffer, as readFileSync gives it: a view of a larger pooled ArrayBuffer)
const model = (file: string) => readFileSync(new URL(`../models/${file}`, import.meta.url));
const [B, T, V, D] = [2, 9, 300, 32];
const ids = BigInt64Array.from({ length: B * T }, (_, i) => BigInt((i * 7919 + 13) % V));
/** The models' inputs: [B, T], or [T] for one sequence (the first of the batch). */
const feeds = (dims: number[]) => {
  const n = dims.reduce((a, b) => a * b, 1);
  return {
    input_ids: new ort.Tensor('int64', ids.subarray(0, n), dims),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), dims),
  };
};

beforeAll(async () => {
  ort.env.wasm.numThreads = 1;
  await init();
});

describe.each([
  ['tiny-lm.onnx', false, [B, T]],
  ['tiny-lm-tied.onnx', true, [B, T]],
  ['tiny-lm-gemm.onnx', false, [T]],
])('%s', (file, tied, dims) => {
  it('cut at its head, scored from its hidden states: the full model’s logits scores within rounding', async () => {
    const bytes = model(file);
    const before = bytes.slice();
    const full = await ort.InferenceSession.create(bytes);
    const logits = (await full.run(feeds(dims))).logits as unknown as { data: Float32Array; dims: number[] };
    expect(logits.dims).toEqual([...dims, V]);
    const head = cutAtHead(bytes);
    expect(Array.from(bytes)).toEqual(Array.from(before));
    expect(head.tied).toBe(tied);
    expect(head.logitsName).toBe('logits');
    expect(head.linearWeight.shape).toEqual([V, D]);
    expect(head.linearBias?.length).toBe(tied ? undefined : V);
    const cut = await ort.InferenceSession.create(head.model);
    expect(cut.outputNames).toEqual([head.hiddenName]);
    const target = { data: feeds(dims).input_ids.data, dims };
    const scores = await scoreSession(cut, feeds(dims), head, { target, shift: true, k: 5 });
    const bound = (e: number) => 2e-6 * (Math.abs(e) + 10);
    const want = tokenLogProbs(logits, target, { shift: true });
    expect(scores.tokenLogProbs?.shape).toEqual(want.shape);
    assertClose(scores.tokenLogProbs?.data ?? [], want.data, { bound, label: `${file}: tokenLogProbs` });
    assertClose(scores.entropy?.data ?? [], softmaxEntropy(logits).data, { bound, label: `${file}: entropy` });
    const best = topK(logits, 5);
    expect(Array.from(scores.topK?.indices.data ?? [])).toEqual(Array.from(best.indices.data));
    assertClose(scores.topK?.logProbs.data ?? [], best.logProbs.data, { bound, label: `${file}: topK` });
  });

  it('scores off the event loop: onProgress counts the logits, an aborted signal rejects', async () => {
    const head = cutAtHead(model(file));
    const cut = await ort.InferenceSession.create(head.model);
    const target = { data: feeds(dims).input_ids.data, dims };
    const steps: [number, number][] = [];
    const onProgress = (done: number, total: number) => steps.push([done, total]);
    const scores = await scoreSession(cut, feeds(dims), head, { target, onProgress });
    const rows = dims.reduce((a, b) => a * b, 1);
    expect(steps.at(-1)).toEqual([rows * V, rows * V]);
    const plain = await scoreSession(cut, feeds(dims), head, { target });
    expect(Array.from(scores.tokenLogProbs?.data ?? [])).toEqual(Array.from(plain.tokenLogProbs?.data ?? []));
    const reason = new Error('stopped');
    await expect(scoreSession(cut, feeds(dims), head, { target, signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
  });

  it('a graph that does not end in a head is refused, naming what it found', async () => {
    const cut = cutAtHead(model(file)).model;
    expect(() => cutAtHead(cut)).toThrow(TypeError);
    expect(() => cutAtHead(cut)).toThrow(/comes from (an Add of|a [A-Za-z]+ node)/);
    expect(() => cutAtHead(model(file), { logits: 'scores' })).toThrow(/has no output scores; its outputs are logits/);
  });
});

describe('cutAtHead: bad input', () => {
  it.each([
    [new Float32Array(4), /must be the ONNX file's bytes/],
    ['model.onnx', /must be the ONNX file's bytes/],
    [Uint8Array.of(0xff, 0xff, 0xff), /is not an ONNX model/],
    [Uint8Array.of(0x08, 0x07), /holds no graph/],
  ])('%#: a TypeError', (bad, message) => {
    expect(() => cutAtHead(bad as Uint8Array)).toThrow(TypeError);
    expect(() => cutAtHead(bad as Uint8Array)).toThrow(message);
  });
});
