// onnxruntime-node and onnxruntime-web (wasm) as peers, one thread each, on the graphs of onnx-models.mjs: for the
// losses suite a one-node SoftmaxCrossEntropyLoss model (forward only: inference has no gradient) and a Softmax
// model; for the linear suite a MatMul.
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { loadModel, matMulModel, softmaxCrossEntropyModel, softmaxModel } from './onnx-models.mjs';

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

/** The linear suite's peer: onnxruntime-web's MatMul of X [N, d] and Wᵀ [d, V]. */
export async function onnxruntimeMatMulPeer(X, Wt, N, d, V) {
  const session = await ortWeb.InferenceSession.create(loadModel(`matmul-${d}x${V}.onnx`, () => matMulModel(d, V)));
  const feeds = { a: new ortWeb.Tensor('float32', X, [N, d]), b: new ortWeb.Tensor('float32', Wt, [d, V]) };
  return { run: () => session.run(feeds), dispose: () => session.release() };
}
