// Float16Array in, on a runtime that has it (Node 24+, Bun, Deno): each call made twice, with float16 arguments and
// with float32 copies of the same values. Prints JSON: per call, both results' values and the float16 result's
// array types; per refused call, its error. test/runtime/runtimes.test.ts holds the float16 results to the float32
// ones rounded to float16.
import * as x from '../../dist/index.js';

const Half = globalThis.Float16Array;
if (!Half) {
  console.log(JSON.stringify({ available: false }));
} else {
  await x.init();
  const values = (n, seed) => Array.from({ length: n }, (_, i) => Math.sin(i * 1.3 + seed) * 4);
  // the float32 call takes the values the float16 one has: each rounded to float16
  const tensor = (Type, data, shape) => ({ data: Type.from(Half.from(data)), shape });
  // each call takes the array type of its float arguments
  const CALLS = {
    crossEntropyWithGrad: (T) => x.crossEntropyWithGrad(tensor(T, values(15, 1), [3, 5]), [0, 4, 2]),
    crossEntropyNone: (T) => x.crossEntropy(tensor(T, values(15, 2), [3, 5]), [1, 1, 3], { reduction: 'none' }),
    crossEntropyProbabilities: (T) =>
      x.crossEntropyWithGrad(tensor(T, values(6, 3), [2, 3]), tensor(T, [0.5, 0.25, 0.25, 0, 1, 0], [2, 3])),
    classesLast: (T) =>
      x.nllLossWithGrad(
        tensor(T, values(24, 4), [2, 3, 4]),
        { data: [0, 1, 2, 3, 0, 1], shape: [2, 3] },
        { classDim: -1 },
      ),
    softmaxOut: (T) => x.softmax(tensor(T, values(8, 5), [2, 4]), { out: new T(8) }),
    logSumExp: (T) => x.logSumExp(tensor(T, values(8, 6), [2, 4])),
    topK: (T) => x.topK(tensor(T, values(12, 7), [2, 6]), 3, { target: [1, 5] }),
    perplexity: (T) => x.perplexity(tensor(T, values(12, 8), [2, 6]), [0, 3]),
    bceWithLogits: (T) =>
      x.binaryCrossEntropyWithLogitsWithGrad(tensor(T, values(6, 9), [2, 3]), tensor(T, [0, 1, 1, 0, 0.5, 1], [2, 3]), {
        weight: T.from([1, 2, 0.5]), // (exact in float16)
        posWeight: 3,
      }),
    linear: (T) =>
      x.linearCrossEntropyWithGrad(tensor(T, values(12, 10), [4, 3]), tensor(T, values(18, 11), [6, 3]), [0, 5, 2, 2]),
    distill: (T) =>
      x.jsdWithGrad(tensor(T, values(12, 12), [2, 6]), tensor(T, values(12, 13), [2, 6]), { labels: [1, -100] }),
    distillTopK: (T) =>
      x.distillKlDivWithGrad(
        tensor(T, values(12, 14), [2, 6]),
        {
          indices: { data: Int32Array.of(0, 3, 5, 1), shape: [2, 2] },
          logProbs: tensor(T, [-1, -2, -0.5, -1.5], [2, 2]),
        },
        { tail: 'bucket' },
      ),
  };
  const flat = (result) => {
    const out = { values: [], types: [] };
    const add = (v) => {
      if (typeof v === 'number') out.values.push(v);
      else if (ArrayBuffer.isView(v)) {
        out.types.push(v.constructor.name);
        out.values.push(...v);
      } else if (v && typeof v === 'object') for (const key of Object.keys(v).sort()) if (key !== 'shape') add(v[key]);
    };
    add(result);
    return out;
  };
  const calls = {};
  for (const [name, call] of Object.entries(CALLS))
    calls[name] = { half: flat(call(Half)), single: flat(call(Float32Array)) };
  // an out given is the result's own array
  const out = new Half(8);
  const sameOut = x.softmax(tensor(Half, values(8, 5), [2, 4]), { out }).data === out;
  const grad = new Half(15);
  const sameGrad =
    x.crossEntropyWithGrad(tensor(Half, values(15, 1), [3, 5]), [0, 4, 2], { out: grad }).grad.data === grad;
  const refused = {};
  const refuse = (name, call) => {
    try {
      call();
      refused[name] = 'no error';
    } catch (error) {
      refused[name] = `${error.constructor.name}: ${error.message}`;
    }
  };
  refuse('float32 target', () =>
    x.crossEntropy(tensor(Half, values(6, 1), [2, 3]), tensor(Float32Array, [1, 0, 0, 0, 1, 0], [2, 3])),
  );
  refuse('float16 target', () =>
    x.crossEntropy(tensor(Float32Array, values(6, 1), [2, 3]), tensor(Half, [1, 0, 0, 0, 1, 0], [2, 3])),
  );
  refuse('float32 out', () => x.softmax(tensor(Half, values(6, 1), [2, 3]), { out: new Float32Array(6) }));
  refuse('float16 linearWeight', () =>
    x.linearCrossEntropy(tensor(Float32Array, values(6, 1), [2, 3]), tensor(Half, values(6, 2), [2, 3]), [0, 1]),
  );
  console.log(JSON.stringify({ available: true, calls, sameOut, sameGrad, refused }));
}
