// Runs in a Web Worker of a cross-origin-isolated page: 2 threads against 1, bit for bit, in each SIMD build.
import * as xentropy from '/dist/index.js';

const rows = 12000; // 4.8 MB of logits: three chunks, copied in and out beside the workers
const classes = 101;
const data = Float32Array.from({ length: rows * classes }, (_, i) => Math.sin(i * 0.37) * 4);
const input = { data, shape: [rows, classes] };
const targets = Int32Array.from({ length: rows }, (_, r) => (r * 7) % classes);
const run = () => {
  const { loss, grad } = xentropy.crossEntropyWithGrad(input, targets, { labelSmoothing: 0.1 });
  return { loss, grad: Array.from(grad.data), softmax: Array.from(xentropy.softmax(input).data) };
};
// each build's threads against its one thread: relaxed SIMD where the engine runs it, and plain SIMD
// (an error is posted too: a failure says what went wrong instead of leaving the page to wait)
try {
  await xentropy.init({ threads: 1 });
  const one = run();
  await xentropy.init({ threads: 2 });
  const threads = xentropy.wasmThreads();
  const build = xentropy.wasmBuild();
  const two = run();
  await xentropy.init({ threads: 1, relaxedSimd: false });
  const plainOne = run();
  await xentropy.init({ threads: 2, relaxedSimd: false });
  const plainTwo = run();
  const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  const equal = (a, b) => a.loss === b.loss && same(a.grad, b.grad) && same(a.softmax, b.softmax);
  self.postMessage({ threads, build, relaxedEqual: equal(one, two), plainEqual: equal(plainOne, plainTwo) });
  await xentropy.init({ threads: 1 });
} catch (error) {
  self.postMessage({ error: `${error}\n${error?.stack ?? ''}` });
}
