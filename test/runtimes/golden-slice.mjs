// The golden slice, run by each runtime (Node 20, 22, 24 and 26, Bun, Deno) on the built package: for every build
// the engine can run, a slice of the golden cases through the main functions, and the test catalogue's calls
// (every public function) from the JSON file named by the first argument. Prints JSON: per build, per case,
// the outputs' float64 bit patterns in hex (NaN as 'nan'), so that results compare bit for bit across runtimes.
import { readFileSync } from 'node:fs';
import * as x from '../../dist/index.js';
import { runWireCalls } from '../browser/catalogue-runner.js';

/** The catalogue's calls (a JSON file written by test/runtime/runtimes.test.ts), when its path is given. */
const callsFile = globalThis.Deno ? globalThis.Deno.args[0] : process.argv[2];
const calls = callsFile ? JSON.parse(readFileSync(callsFile, 'utf8')) : [];

const golden = (name) => JSON.parse(readFileSync(new URL(`../golden/${name}.json`, import.meta.url), 'utf8'));
const TYPES = { float32: Float32Array, float64: Float64Array, int32: Int32Array };
const decode = (e) => {
  const bytes = Uint8Array.from(atob(e.b64), (c) => c.charCodeAt(0));
  return { data: new TYPES[e.dtype](bytes.buffer), shape: e.shape };
};
const hex = (values) => {
  const view = new DataView(new ArrayBuffer(8));
  return Array.from(values, (v) => {
    if (Number.isNaN(v)) return 'nan'; // a NaN's sign and payload are the engine's (JS's 0 / 0, say)
    view.setFloat64(0, v);
    return view.getBigUint64(0).toString(16);
  }).join(' ');
};
const every = (cases, n) => cases.filter((_, i) => i % n === 0);

function slice() {
  const out = {};
  for (const [file, n] of [
    ['cross_entropy', 3],
    ['cross_entropy_lm', 2],
  ]) {
    for (const c of every(golden(file).cases, n)) {
      const { weight, ...rest } = c.options;
      const r = x.crossEntropyWithGrad(decode(c.input), decode(c.target), {
        ...rest,
        ...(weight ? { weight: decode(weight).data } : {}),
        gradOutput: typeof c.gradOutput === 'number' ? c.gradOutput : decode(c.gradOutput),
      });
      out[`${file} ${c.name}`] = hex([...(typeof r.loss === 'number' ? [r.loss] : r.loss.data), ...r.grad.data]);
    }
  }
  for (const name of ['softmax', 'log_softmax', 'logsumexp']) {
    const fn = { softmax: x.softmax, log_softmax: x.logSoftmax, logsumexp: x.logSumExp }[name];
    for (const c of every(golden(name).cases, 5)) out[`${name} ${c.name}`] = hex(fn(decode(c.input), c.options).data);
  }
  const scoring = golden('scoring');
  for (const c of every(scoring.cases, 7)) {
    const logits = decode(scoring.logits[c.logits]);
    const { k, ...options } = c.options;
    const target = c.target && decode(c.target);
    const values =
      c.fn === 'topK'
        ? [...x.topK(logits, k, options).logProbs.data]
        : c.fn === 'perplexity'
          ? [x.perplexity(logits, target, options)]
          : c.fn === 'tokenLogProbs'
            ? x.tokenLogProbs(logits, target, options).data
            : x.softmaxEntropy(logits, options).data;
    out[`${c.fn} ${c.name}`] = hex(values);
  }
  for (const name of ['binary_cross_entropy_with_logits', 'sigmoid_focal_loss']) {
    const fn = name === 'sigmoid_focal_loss' ? x.sigmoidFocalLossWithGrad : x.binaryCrossEntropyWithLogitsWithGrad;
    for (const c of every(golden(name).cases, 4)) {
      const { weight, posWeight, ...rest } = c.options;
      const r = fn(decode(c.input), decode(c.target), {
        ...rest,
        ...(weight ? { weight: decode(weight) } : {}),
        ...(posWeight ? { posWeight: decode(posWeight) } : {}),
        gradOutput: typeof c.gradOutput === 'number' ? c.gradOutput : decode(c.gradOutput),
      });
      out[`${name} ${c.name}`] = hex([...(typeof r.loss === 'number' ? [r.loss] : r.loss.data), ...r.grad.data]);
    }
  }
  for (const [label, numbers] of Object.entries(runWireCalls(x, calls))) out[`catalogue ${label}`] = hex(numbers);
  return out;
}

const results = {};
for (const [build, options] of [
  ['simd', { simd: true, relaxedSimd: false }],
  ['scalar', { simd: false }],
  ['relaxed-simd', { relaxedSimd: true }],
]) {
  try {
    await x.init({ ...options, warnings: false });
  } catch {
    continue; // the engine cannot run this build
  }
  results[build] = slice();
}
console.log(JSON.stringify(results));
