// onnxruntime-node and onnxruntime-web (wasm) as peers of the losses suite, one thread each: a one-node
// SoftmaxCrossEntropyLoss model (forward only: inference has no gradient) and a Softmax model (onnx-models.mjs).
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { loadModel, softmaxCrossEntropyModel, softmaxModel } from './onnx-models.mjs';

ortWeb.env.wasm.numThreads = 1;
ortWeb.env.logLevel = 'error';
const ONE_THREAD = { intraOpNumThreads: 1, interOpNumThreads: 1 };

/** The peer's rows for one problem: forward and softmax (row 0's probability of `probe`). */
export async function onnxruntimePeer({ logits, targets, rows, classes }, probe) {
  const model = loadModel(`sce-${classes}.onnx`, () => softmaxCrossEntropyModel(classes));
  const softmaxOnnx = loadModel(`softmax-${classes}.onnx`, () => softmaxModel(classes));
  const sessions = {
    node: await ortNode.InferenceSession.create(model, ONE_THREAD),
    web: await ortWeb.InferenceSession.create(model),
    nodeSoftmax: await ortNode.InferenceSession.create(softmaxOnnx, ONE_THREAD),
    webSoftmax: await ortWeb.InferenceSession.create(softmaxOnnx),
  };
  const feeds = (ort) => ({
    scores: new ort.Tensor('float32', logits, [rows, classes]),
    labels: new ort.Tensor(
      'int64',
      BigInt64Array.from(targets, (t) => BigInt(t)),
      [rows],
    ),
  });
  const [node, web] = [feeds(ortNode), feeds(ortWeb)];
  return {
    forward: {
      'onnxruntime-node (1 thread)': async () => (await sessions.node.run(node)).loss.data[0],
      'onnxruntime-web wasm (1 thread)': async () => (await sessions.web.run(web)).loss.data[0],
    },
    backward: {},
    softmax: {
      'onnxruntime-node Softmax (1 thread)': async () =>
        (await sessions.nodeSoftmax.run({ x: node.scores })).y.data[probe],
      'onnxruntime-web Softmax (1 thread)': async () =>
        (await sessions.webSoftmax.run({ x: web.scores })).y.data[probe],
    },
    dispose: async () => {
      for (const session of Object.values(sessions)) await session.release();
    },
  };
}
