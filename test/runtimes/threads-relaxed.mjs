// Run by test/runtime/threads-runtimes.test.ts on Node 22, 24 and 26: threads on the relaxed-SIMD build give the
// one-thread relaxed-SIMD results bit for bit, on plain arrays (the copies beside the workers' kernels), on
// tensors in WebAssembly memory, and on short rows. Prints JSON: the builds and, per call, whether the bits are the
// same.
import * as x from '../../dist/index.js';

const [rows, classes] = [4099, 1000];
const data = Float32Array.from({ length: rows * classes }, (_, i) => Math.sin(i * 0.37) * 4);
const targets = Int32Array.from({ length: rows }, (_, r) => (r % 13 === 0 ? -100 : (r * 7) % classes));
const input = { data, shape: [rows, classes] };
// short rows (side by side, in a block of each thread's own)
const short = { data: data.subarray(0, 20011 * 10), shape: [20011, 10] };
const shortTargets = Int32Array.from({ length: 20011 }, (_, r) => (r * 7) % 10);
const bits = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function run() {
  const ce = x.crossEntropyWithGrad(input, targets, { labelSmoothing: 0.05 });
  const out = new Float32Array(rows * classes);
  const none = x.crossEntropyWithGrad(input, targets, { reduction: 'none', out });
  const tensor = x.allocTensor(Float32Array, [rows, classes]);
  tensor.data.set(data);
  const resident = x.crossEntropyWithGrad(tensor, targets).grad.data.slice();
  tensor.free();
  return {
    loss: bits(Float64Array.of(ce.loss)),
    grad: bits(ce.grad.data),
    none: bits(none.loss.data) + bits(none.grad.data),
    softmax: bits(x.softmax(input).data),
    resident: bits(resident),
    short:
      bits(x.softmax(short).data) + bits(x.crossEntropyWithGrad(short, shortTargets, { reduction: 'none' }).grad.data),
  };
}

await x.init({ threads: 1, warnings: false });
const oneBuild = x.wasmBuild();
const one = run();
await x.init({ threads: 2, warnings: false });
const twoBuild = x.wasmBuild();
const two = run();
const same = Object.fromEntries(Object.keys(one).map((k) => [k, one[k] === two[k]]));
await x.init({ threads: 1 });
console.log(JSON.stringify({ oneBuild, twoBuild, threads: 2, same }));
