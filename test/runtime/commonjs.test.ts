// require('xentropy') from CommonJS: the exports map's default condition, and Node's require of an ES module.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { inProject } from '../helpers/project.js';

/** A package of this repository's node_modules (the project has only xentropy). */
const installed = (name: string) => fileURLToPath(new URL(`../../node_modules/${name}`, import.meta.url));

/** What a CommonJS script prints, run in a project whose node_modules holds this package. */
const runInProject = (script: string): string =>
  inProject((cwd) => execFileSync(process.execPath, ['-e', script], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }))
    .toString()
    .trim();

it('a CommonJS script can require the package by name and compute a loss', () => {
  const script = `const x = require('xentropy');
x.init().then(() => {
  const loss = x.crossEntropy({ data: new Float32Array([2, 1, 0.1]), shape: [1, 3] }, [0]);
  console.log(loss.toFixed(4));
});`;
  expect(runInProject(script)).toBe('0.4170');
});

it('a CommonJS script can require the TensorFlow.js adapter', () => {
  const script = `const adapter = require('xentropy/tfjs');
console.log(typeof adapter.softmaxCrossEntropy, typeof adapter.sigmoidCrossEntropy);`;
  expect(runInProject(script)).toBe('function function');
});

it('the TensorFlow.js adapter shares the instance that require("xentropy") gives: one init serves both', () => {
  const script = `const x = require('xentropy');
const { softmaxCrossEntropy } = require('xentropy/tfjs');
const tf = require(${JSON.stringify(installed('@tensorflow/tfjs-core'))});
require(${JSON.stringify(installed('@tensorflow/tfjs-backend-cpu'))});
x.init().then(async () => {
  await tf.setBackend('cpu');
  const loss = softmaxCrossEntropy(tf.tensor2d([[1, 0, 0]]), tf.tensor2d([[2, 1, 0.1]]));
  console.log(loss.dataSync()[0].toFixed(4));
});`;
  expect(runInProject(script)).toBe('0.4170');
});

it('the onnxruntime adapter, required by name, shares the instance: a model cut at its head and scored', () => {
  const model = new URL('../models/tiny-lm.onnx', import.meta.url).pathname;
  const script = `const x = require('xentropy');
const { cutAtHead, scoreSession } = require('xentropy/onnxruntime');
const ort = require(${JSON.stringify(installed('onnxruntime-web'))});
x.init().then(async () => {
  ort.env.wasm.numThreads = 1;
  const head = cutAtHead(require('node:fs').readFileSync(${JSON.stringify(model)}));
  const session = await ort.InferenceSession.create(head.model);
  const ids = new ort.Tensor('int64', BigInt64Array.from([5n, 17n, 42n]), [1, 3]);
  const feeds = { input_ids: ids, attention_mask: new ort.Tensor('int64', new BigInt64Array(3).fill(1n), [1, 3]) };
  const scores = await scoreSession(session, feeds, head, { target: { data: ids.data, dims: [1, 3] }, shift: true });
  console.log(scores.tokenLogProbs.shape.join('x'), scores.tokenLogProbs.data[0].toFixed(3));
});`;
  expect(runInProject(script)).toBe('1x2 -5.570');
});

it("the adapter's warnings name the adapter's function", () => {
  // softmax outputs handed to softmaxCrossEntropy, which applies its own: the library warns, once
  const script = `const x = require('xentropy');
const { softmaxCrossEntropy } = require('xentropy/tfjs');
const tf = require(${JSON.stringify(installed('@tensorflow/tfjs-core'))});
require(${JSON.stringify(installed('@tensorflow/tfjs-backend-cpu'))});
console.warn = (m) => console.log(m);
x.init().then(async () => {
  await tf.setBackend('cpu');
  softmaxCrossEntropy(tf.tensor1d([0, 1], 'int32'), tf.tensor2d([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]]));
});`;
  expect(runInProject(script)).toMatch(
    /^xentropy: softmaxCrossEntropy \(crossEntropy\) received rows that look like probabilities/m,
  );
});
