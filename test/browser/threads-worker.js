// Runs in a Web Worker of a cross-origin-isolated page: 2 threads against 1, bit for bit.
import * as xentropy from '/dist/index.js';

const rows = 2000;
const classes = 101;
const data = Float32Array.from({ length: rows * classes }, (_, i) => Math.sin(i * 0.37) * 4);
const input = { data, shape: [rows, classes] };
const targets = Int32Array.from({ length: rows }, (_, r) => (r * 7) % classes);
const run = () => {
  const { loss, grad } = xentropy.crossEntropyWithGrad(input, targets, { labelSmoothing: 0.1 });
  return { loss, grad: Array.from(grad.data), softmax: Array.from(xentropy.softmax(input).data) };
};
await xentropy.init({ threads: 1, relaxedSimd: false }); // the threads build is plain SIMD
const one = run();
await xentropy.init({ threads: 2 });
const threads = xentropy.wasmThreads();
const two = run();
const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
self.postMessage({
  threads,
  build: xentropy.wasmBuild(),
  lossEqual: one.loss === two.loss,
  gradEqual: same(one.grad, two.grad),
  softmaxEqual: same(one.softmax, two.softmax),
});
await xentropy.init({ threads: 1 });
