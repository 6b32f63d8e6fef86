// Runs golden cases, and calls from the test catalogue, through a loaded xentropy (in a browser page or in Node)
// and returns every result as base64 float64 bytes, so that the two can be compared bit for bit.

import { fromBase64, runWireCalls, toBase64 } from './catalogue-runner.js';

const TYPES = { float32: Float32Array, float64: Float64Array, int32: Int32Array };
const decode = (encoded) => ({ data: fromBase64(encoded.b64, TYPES[encoded.dtype]), shape: encoded.shape });
const encode = (values) => toBase64(Float64Array.from(values));

const DIM_FUNCTIONS = {
  softmax: 'softmax',
  log_softmax: 'logSoftmax',
  logsumexp: 'logSumExp',
  entropy: 'entropy',
  sigmoid: 'sigmoid',
  log_sigmoid: 'logSigmoid',
};
const LOSS_FUNCTIONS = {
  cross_entropy: 'crossEntropyWithGrad',
  nll_loss: 'nllLossWithGrad',
  binary_cross_entropy: 'binaryCrossEntropyWithGrad',
  binary_cross_entropy_with_logits: 'binaryCrossEntropyWithLogitsWithGrad',
  kl_div: 'klDivWithGrad',
  mse_loss: 'mseLossWithGrad',
};
export const GOLDEN_FILES = [...Object.keys(DIM_FUNCTIONS), ...Object.keys(LOSS_FUNCTIONS)];
/** Cases small enough to send through a page quickly. */
export const MAX_CASE_ELEMENTS = 4000;

/** { 'file/case name': [base64 of each output] } for the cases of `golden` ({ file: parsed JSON }). */
export function runGolden(lib, golden) {
  const results = {};
  for (const [file, json] of Object.entries(golden)) {
    for (const c of json.cases) {
      const input = decode(c.input);
      if (input.data.length > MAX_CASE_ELEMENTS) continue;
      if (DIM_FUNCTIONS[file]) {
        results[`${file}/${c.name}`] = [
          encode(lib[DIM_FUNCTIONS[file]](input, file.includes('sigmoid') ? undefined : c.options).data),
        ];
        continue;
      }
      const { weight, posWeight, ...options } = c.options;
      if (weight)
        options.weight = file === 'cross_entropy' || file === 'nll_loss' ? decode(weight).data : decode(weight);
      if (posWeight) options.posWeight = decode(posWeight);
      options.gradOutput = typeof c.gradOutput === 'number' ? c.gradOutput : decode(c.gradOutput);
      const { loss, grad } = lib[LOSS_FUNCTIONS[file]](input, decode(c.target), options);
      results[`${file}/${c.name}`] = [encode(typeof loss === 'number' ? [loss] : loss.data), encode(grad.data)];
    }
  }
  return results;
}

/** Fetches the golden files (in a page) from `base`. */
export async function fetchGolden(base) {
  const entries = await Promise.all(
    GOLDEN_FILES.map(async (file) => [file, await (await fetch(`${base}${file}.json`)).json()]),
  );
  return Object.fromEntries(entries);
}

/** { 'catalogue/label': [base64 of every number it returned] } for catalogue calls as toWire sent them. */
export function runCatalogue(lib, calls) {
  const results = {};
  for (const [label, numbers] of Object.entries(runWireCalls(lib, calls)))
    results[`catalogue/${label}`] = [encode(numbers)];
  return results;
}

/** The golden cases' and the catalogue calls' results, fetched (in a page) from the server's root. */
export async function runAll(lib) {
  const calls = await (await fetch('/test/browser/.catalogue-calls.json')).json();
  return { ...runGolden(lib, await fetchGolden('/test/golden/')), ...runCatalogue(lib, calls) };
}
