// The pipeline's rules, each from a wrong result found on an earlier version: `out` overlapping an argument,
// options read through the prototype chain, arguments read more than once, and `out` written by a call that
// then throws. Every case is tried with plain arrays and with allocTensor arrays, in one chunk and in many.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import { DEFAULT_CHUNK_BYTES, setChunkBytes, setCopyOutBytes } from '../../src/core/pipeline/index.js';
import * as x from '../../src/index.js';
import { CATALOGUE, callsOf, randomValues } from '../helpers/catalogue.js';

beforeAll(() => x.init());
const copyOutBytes = setCopyOutBytes(0);
setCopyOutBytes(copyOutBytes);
afterEach(() => {
  setChunkBytes(DEFAULT_CHUNK_BYTES);
  setCopyOutBytes(copyOutBytes);
});

const SHAPE = [64, 40];
const N = SHAPE[0] * SHAPE[1];
const random = makeRandom(91);
const exported = new Map<string, unknown>(Object.entries(x));
const values = Float32Array.from({ length: N }, () => random.uniform(-3, 3));
const probabilities = Float32Array.from({ length: N }, () => random.next());
const classes = Int32Array.from({ length: SHAPE[0] }, (_, i) => i % SHAPE[1]);

type Arrays = { input: Float32Array; target: Float32Array; out: Float32Array };
type Call = (a: Arrays) => Float32Array;

/** Each function of the catalogue that takes `out` (its result, or its gradient), called on arrays that may share
 * one buffer: the input, and the target when it is floats of the input's length (else the catalogue's own). */
interface OutCall {
  name: string;
  call: Call;
  readsTarget: boolean;
  /** The catalogue's values for the input and a float target (zeros when the target is not floats). */
  inputValues: Float32Array;
  targetValues: Float32Array;
}
const CALLS: OutCall[] = CATALOGUE.filter((e) => e.out).map((entry) => {
  const [input, target, ...rest] = callsOf(entry, Float32Array, SHAPE, randomValues(makeRandom(91).next))[0].args;
  const fn = exported.get(entry.name) as (...args: unknown[]) => { data?: Float32Array; grad?: { data: Float32Array } };
  const readsTarget = (target as { data?: unknown } | undefined)?.data instanceof Float32Array;
  const call: Call = (a) => {
    const t = readsTarget ? { data: a.target, shape: SHAPE } : target;
    const result = fn({ ...(input as object), data: a.input }, ...(target === undefined ? [] : [t]), ...rest, {
      out: a.out,
    });
    return (result.grad?.data ?? result.data) as Float32Array;
  };
  const name = `${entry.name}${entry.form ? ` (${entry.form})` : ''}`;
  const inputValues = (input as { data: Float32Array }).data;
  const targetValues = readsTarget ? (target as { data: Float32Array }).data : new Float32Array(N);
  return { name, call, readsTarget, inputValues, targetValues };
});

/** A buffer of 3·N floats, plain or in WebAssembly memory, holding input then target, and a cleanup. */
function buffer(kind: 'plain' | 'wasm', { inputValues, targetValues }: OutCall) {
  const tensor = kind === 'wasm' ? x.allocTensor(Float32Array, [3 * N]) : undefined;
  const data = tensor ? tensor.data : new Float32Array(3 * N);
  data.set(inputValues, 0);
  data.set(targetValues, N);
  return { data: () => (tensor ? tensor.data : data), free: () => tensor?.free() };
}

describe.each(['plain', 'wasm'] as const)('out and the other arguments, %s arrays', (kind) => {
  for (const entry of CALLS) {
    const { name, call, readsTarget, inputValues, targetValues } = entry;
    // a copied output goes out after each chunk, after every three (chunks of 6 rows: 960 bytes of out), or at the end
    it.each([
      ['one chunk', 4 * 2 ** 20, copyOutBytes],
      ['many chunks, each copied out', 2000, 0],
      ['many chunks, copied out in threes', 2000, 2500],
      ['many chunks, copied out at the end', 2000, copyOutBytes],
    ] as const)(`${name}, %s`, (_, chunk, copyOut) => {
      // the answer in one chunk
      const expected = call({ input: inputValues.slice(), target: targetValues.slice(), out: new Float32Array(N) });
      setChunkBytes(chunk);
      setCopyOutBytes(copyOut);
      const b = buffer(kind, entry);
      try {
        const view = (from: number) => b.data().subarray(from, from + N);
        // out overlapping the input partly, from either side, or the target: a RangeError naming out, nothing written
        const overlapCases = [
          ['after the input', 1000, N],
          ['before the input', N, N + 1000],
          ['the target', N + 7, N],
        ] as const;
        for (const [label, outAt, targetAt] of overlapCases.filter((c) => readsTarget || c[0] !== 'the target')) {
          const inputAt = label === 'before the input' ? N + 1000 : 0;
          const { data } = b;
          data().set(inputValues, inputAt);
          data().set(targetValues, targetAt);
          const before = data().slice();
          expect(() => call({ input: view(inputAt), target: view(targetAt), out: view(outAt) }), label).toThrow(
            new RegExp(`^${name.split(' ')[0]}: options\\.out overlaps`),
          );
          expect(Array.from(data()), `${label}: nothing written`).toEqual(Array.from(before));
        }
        // exactly in place: the right answer
        b.data().set(inputValues, 0);
        b.data().set(targetValues, N);
        const inPlace = call({ input: view(0), target: view(N), out: view(0) });
        expect(Array.from(inPlace)).toEqual(Array.from(expected));
        expect(Array.from(view(0))).toEqual(Array.from(expected));
        // a separate out in the same buffer: the right answer, input untouched
        b.data().set(inputValues, 0);
        const separate = call({ input: view(0), target: view(N), out: view(2 * N) });
        expect(Array.from(separate)).toEqual(Array.from(expected));
        expect(Array.from(view(0))).toEqual(Array.from(inputValues));
      } finally {
        b.free();
      }
    });
  }
});

describe('out aliasing weight or gradOutput', () => {
  const logits = { data: values, shape: SHAPE };
  it('nllLossWithGrad and crossEntropyWithGrad refuse an out that is the weight or the gradOutput', () => {
    type Fn = (input: x.Tensor, target: Int32Array, options: object) => unknown;
    for (const [name, fn] of [
      ['nllLossWithGrad', x.nllLossWithGrad as Fn],
      ['crossEntropyWithGrad', x.crossEntropyWithGrad as Fn],
    ] as const) {
      const shared = new Float32Array(N);
      const weight = shared.subarray(0, SHAPE[1]);
      weight.fill(2);
      expect(() => fn(logits, classes, { weight, out: shared })).toThrow(
        new RegExp(`^${name}: options\\.out overlaps options\\.weight`),
      );
      const gradOutput = { data: shared.subarray(N - SHAPE[0]), shape: [SHAPE[0]] };
      expect(() => fn(logits, classes, { reduction: 'none', gradOutput, out: shared })).toThrow(
        /options\.out overlaps options\.gradOutput/,
      );
      expect(Array.from(weight)).toEqual(Array(SHAPE[1]).fill(2));
    }
  });

  it('BCE with logits refuses an out that is its weight or posWeight', () => {
    const target = { data: probabilities, shape: SHAPE };
    const out = new Float32Array(N);
    expect(() => x.binaryCrossEntropyWithLogitsWithGrad(logits, target, { weight: out, out })).toThrow(
      /overlaps options\.weight/,
    );
    expect(() =>
      x.binaryCrossEntropyWithLogitsWithGrad(logits, target, { posWeight: out.subarray(0, 40), out }),
    ).toThrow(/overlaps options\.posWeight/);
  });
});

describe('a polluted Object.prototype changes nothing', () => {
  const pollute = (key: string, value: unknown) => {
    Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
    return () => delete (Object.prototype as Record<string, unknown>)[key];
  };
  const logits = { data: values, shape: SHAPE };

  it('reduction, weight, ignoreIndex, labelSmoothing, dim, out, gradOutput: with and without an options object', () => {
    const plain = {
      ce: x.crossEntropy(logits, classes),
      softmax: Array.from(x.softmax(logits).data),
      grad: Array.from(x.crossEntropyWithGrad(logits, classes).grad.data),
      bce: x.binaryCrossEntropyWithLogits(logits, { data: probabilities, shape: SHAPE }),
    };
    const out = new Float32Array(N);
    const cases: [string, unknown][] = [
      ['reduction', 'sum'],
      ['weight', new Float32Array(SHAPE[1]).fill(3)],
      ['ignoreIndex', 0],
      ['labelSmoothing', 0.5],
      ['dim', 0],
      ['out', out],
      ['gradOutput', 7],
      ['posWeight', [5]],
    ];
    for (const [key, value] of cases) {
      const restore = pollute(key, value);
      try {
        expect(x.crossEntropy(logits, classes), key).toBe(plain.ce);
        expect(x.crossEntropy(logits, classes, {}), key).toBe(plain.ce);
        expect(Array.from(x.softmax(logits).data), key).toEqual(plain.softmax);
        expect(Array.from(x.crossEntropyWithGrad(logits, classes, {}).grad.data), key).toEqual(plain.grad);
        expect(x.binaryCrossEntropyWithLogits(logits, { data: probabilities, shape: SHAPE }), key).toBe(plain.bce);
      } finally {
        restore();
      }
    }
    expect(Array.from(out)).toEqual(Array(N).fill(0));
  });

  it('init: a polluted threads or simd is ignored', async () => {
    const restore = [pollute('threads', 2), pollute('simd', false)];
    try {
      await x.init({ relaxedSimd: false });
      expect(x.wasmThreads()).toBe(1);
      expect(x.wasmBuild()).toBe('simd');
    } finally {
      restore.forEach((r) => {
        r();
      });
      await x.init({ simd: true });
    }
  });

  it('a tensor without its own shape does not take a polluted one', () => {
    const restore = pollute('shape', SHAPE);
    try {
      expect(() => x.softmax({ data: values } as never)).toThrow(/^softmax: input must be a Tensor/);
    } finally {
      restore();
    }
  });
});

describe('every argument is read once, before anything is laid out', () => {
  const logits = { data: values, shape: SHAPE };

  /** A Proxy over an array that counts each index read and may run `onRead` (a nested call) on the first. */
  function counted<T extends unknown[]>(array: T, onRead?: () => void) {
    const reads = new Map<string, number>();
    const proxy = new Proxy(array, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) {
          reads.set(key, (reads.get(key) ?? 0) + 1);
          if (key === '0' && reads.get(key) === 1) onRead?.();
        }
        return Reflect.get(target, key, receiver);
      },
    });
    return { proxy, maxReads: () => Math.max(0, ...reads.values()) };
  }

  it('number[] weight, posWeight, gradOutput: each element read once; a nested call in a getter is harmless', () => {
    const nested = () =>
      void x.crossEntropyWithGrad({ data: values.map((v) => v * 2), shape: SHAPE }, classes, { labelSmoothing: 0.3 });
    const weights = Array.from({ length: SHAPE[1] }, (_, i) => 1 + (i % 3));
    const expected = x.crossEntropyWithGrad(logits, classes, { weight: weights });
    const w = counted([...weights], nested);
    const got = x.crossEntropyWithGrad(logits, classes, { weight: w.proxy });
    expect(got.loss).toBe(expected.loss);
    expect(Array.from(got.grad.data)).toEqual(Array.from(expected.grad.data));
    expect(w.maxReads()).toBe(1);

    const target = { data: probabilities, shape: SHAPE };
    const pw = Array.from({ length: SHAPE[1] }, (_, i) => 0.5 + i / 10);
    const bceExpected = x.binaryCrossEntropyWithLogitsWithGrad(logits, target, { posWeight: pw, weight: pw });
    const [p1, p2] = [counted([...pw], nested), counted([...pw], nested)];
    const bce = x.binaryCrossEntropyWithLogitsWithGrad(logits, target, { posWeight: p1.proxy, weight: p2.proxy });
    expect(bce.loss).toBe(bceExpected.loss);
    expect(Array.from(bce.grad.data)).toEqual(Array.from(bceExpected.grad.data));
    expect(Math.max(p1.maxReads(), p2.maxReads())).toBe(1);

    const go = Array.from({ length: SHAPE[0] }, (_, i) => i - 5);
    const noneExpected = x.crossEntropyWithGrad(logits, classes, { reduction: 'none', gradOutput: go });
    const g = counted([...go], nested);
    const none = x.crossEntropyWithGrad(logits, classes, { reduction: 'none', gradOutput: g.proxy });
    expect(Array.from(none.grad.data)).toEqual(Array.from(noneExpected.grad.data));
    expect(g.maxReads()).toBe(1);
  });

  it('a shape is read once: a getter cannot hand a valid shape to the check and another to the work', () => {
    let reads = 0;
    const shape = counted([...SHAPE]);
    const tensor = {
      data: values,
      get shape() {
        reads++;
        return reads === 1 ? shape.proxy : [1, 1];
      },
    };
    expect(Array.from(x.softmax(tensor).data)).toEqual(Array.from(x.softmax(logits).data));
    expect(reads).toBe(1);
    expect(shape.maxReads()).toBe(1);
  });

  it('options are read once each, from own properties', () => {
    const reads: string[] = [];
    const options = {};
    for (const [key, value] of [
      ['reduction', 'sum'],
      ['labelSmoothing', 0.1],
    ] as const) {
      const get = () => {
        reads.push(key);
        return value;
      };
      Object.defineProperty(options, key, { enumerable: true, get });
    }
    x.crossEntropy(logits, classes, options);
    expect(reads.sort()).toEqual(['labelSmoothing', 'reduction']);
  });
});

describe('a call that throws writes nothing', () => {
  const many = [200, 40];
  const big = Float32Array.from({ length: 200 * 40 }, (_, i) => Math.sin(i));
  it.each([
    ['one chunk', 4 * 2 ** 20],
    ['many chunks', 1000],
  ] as const)('%s: late errors leave out as it was', (_, chunk) => {
    setChunkBytes(chunk);
    const out = new Float32Array(big.length).fill(7);
    const lastBad = Int32Array.from({ length: 200 }, (_, i) => (i === 199 ? 40 : i % 40));
    expect(() => x.crossEntropyWithGrad({ data: big, shape: many }, lastBad, { out })).toThrow(
      /target\[199\] = 40 is out of range/,
    );
    const probs = Float32Array.from(big, (v) => Math.abs(v));
    probs[probs.length - 1] = 1.5;
    expect(() =>
      x.binaryCrossEntropyWithGrad({ data: probs, shape: many }, { data: probs.map(() => 1), shape: many }, { out }),
    ).toThrow(/input\[199, 39\] = 1\.5 is not a probability/);
    const throwing = new Proxy(Array(40).fill(1), {
      get: (t, k, r) =>
        k === '39'
          ? (() => {
              throw new Error('weight getter');
            })()
          : Reflect.get(t, k, r),
    });
    expect(() =>
      x.crossEntropyWithGrad(
        { data: big, shape: many },
        lastBad.map((v) => v % 40),
        { weight: throwing, out },
      ),
    ).toThrow(/weight getter/);
    const gradOutput = {
      data: new Float32Array(200),
      get shape(): number[] {
        throw new RangeError('shape getter');
      },
    };
    expect(() =>
      x.crossEntropyWithGrad(
        { data: big, shape: many },
        lastBad.map((v) => v % 40),
        { reduction: 'none', gradOutput, out },
      ),
    ).toThrow(/shape getter/);
    expect(out.every((v) => v === 7)).toBe(true);
  });

  it('a freed allocTensor, as input, target or out, is a TypeError naming the argument', () => {
    const t = x.allocTensor(Float32Array, SHAPE);
    const data = t.data;
    t.free();
    expect(() => x.softmax(t)).toThrow(/^softmax: input is a WasmTensor that was freed/);
    expect(() => x.mseLoss({ data: values, shape: SHAPE }, t)).toThrow(
      /^mseLoss: target is a WasmTensor that was freed/,
    );
    expect(() => x.crossEntropy({ data: values, shape: SHAPE }, t as never)).toThrow(
      /^crossEntropy: target is a WasmTensor that was freed/,
    );
    expect(data).toBeInstanceOf(Float32Array);
  });
});
