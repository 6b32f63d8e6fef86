// The direct path (src/core/direct.ts): small calls on plain arrays run as one kernel call on a block of their own.
// It must give the pipeline's bits, take only the calls it can give them for, and keep every rule of the pipeline:
// arguments read once, destinations only written, errors the pipeline's, memory growth under it harmless.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import { directCallCount, setDirectCalls } from '../../src/core/direct.js';
import * as x from '../../src/index.js';
import { CATALOGUE, callsOf, type Float, randomValues, type Values } from '../helpers/catalogue.js';

beforeAll(() => x.init());
const exported = new Map<string, unknown>(Object.entries(x));
afterEach(() => setDirectCalls(true));

/** What a call gave: its result, or its error's kind and message. */
function outcome(name: keyof typeof x, args: unknown[], options?: object): unknown {
  try {
    const fn = exported.get(name) as (...a: unknown[]) => unknown;
    return options === undefined ? fn(...args) : fn(...args, options);
  } catch (error) {
    return { threw: (error as Error).constructor.name, message: (error as Error).message };
  }
}

/** Bit for bit: numbers by Object.is, arrays element by element with their type, objects key by key. */
function sameBits(a: unknown, b: unknown, at = 'result'): string | undefined {
  if (typeof a === 'number' || typeof b === 'number')
    return Object.is(a, b) ? undefined : `${at}: ${String(a)} ≠ ${String(b)}`;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    const [p, q] = [a as Float64Array, b as Float64Array];
    if (p.constructor !== q.constructor || p.length !== q.length) return `${at}: ${p.constructor.name}(${p.length})`;
    for (let i = 0; i < p.length; i++) if (!Object.is(p[i], q[i])) return `${at}[${i}]: ${p[i]} ≠ ${q[i]}`;
    return undefined;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = Object.keys(a);
    if (keys.join() !== Object.keys(b).join()) return `${at}: keys ${keys.join()} ≠ ${Object.keys(b).join()}`;
    for (const key of keys) {
      const differs = sameBits(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${at}.${key}`,
      );
      if (differs) return differs;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${at}: ${String(a)} ≠ ${String(b)}`;
}

/** Reals with the values kernels trip on: ±inf, ±1e38, subnormals, ±0, NaN, among ordinary ones. */
function adversarial(seed: number): Values {
  const random = makeRandom(seed).next;
  const odd = [Infinity, -Infinity, 1e38, -1e38, 1e-40, -1e-42, 0, -0, Number.NaN, 88, -104];
  const real = () => (random() < 0.25 ? odd[Math.floor(random() * odd.length)] : 8 * random() - 4);
  return randomValues(random, real);
}

// lengths around the vector widths (2 and 4 lanes, the kernels' unrolled 16), one class, the block's limits (16,384
// float64 values, 32,768 float32 ones) and one row past them
const SHAPES = [
  [1],
  [7],
  [1, 1],
  [1, 10],
  [3, 5],
  [4, 9],
  [5, 16],
  [2, 17],
  [2, 3, 4],
  [1, 4096],
  [64, 64],
  [65, 64],
  [128, 128],
  [129, 128],
  [32768, 1],
  [257, 128],
];

describe('the same bits as the pipeline', () => {
  const entries = CATALOGUE.filter((e) => e.family !== 'memory');
  it.each([Float32Array, Float64Array] as Float[])('every function, shapes around the vector widths, %o', (F) => {
    let compared = 0;
    const before = directCallCount();
    for (const [k, shape] of SHAPES.entries()) {
      // (past 4,096 values, the adversarial ones alone: those shapes are there for the block's limits)
      const large = shape.reduce((a, b) => a * b) > 4096;
      for (const values of large ? [adversarial(k + 1)] : [randomValues(makeRandom(k + 1).next), adversarial(k + 1)]) {
        for (const entry of entries) {
          for (const call of callsOf(entry, F, shape, values)) {
            for (const extra of [undefined, { reduction: 'sum' }, { reduction: 'none' }]) {
              const options = call.options ?? extra;
              const direct = outcome(call.name, call.args, options);
              setDirectCalls(false);
              const pipeline = outcome(call.name, call.args, options);
              setDirectCalls(true);
              const differs = sameBits(direct, pipeline);
              if (differs) throw new Error(`${call.label} ${JSON.stringify(options)}: ${differs}`);
              compared++;
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
    // (and the direct path took a good part of them)
    expect(directCallCount() - before).toBeGreaterThan(300);
  });

  it('gradOutput as a number, out, in place: crossEntropyWithGrad, softmax, BCE with logits', () => {
    const random = makeRandom(9).next;
    for (const F of [Float32Array, Float64Array]) {
      const logits = new F(30).map(() => 6 * random() - 3);
      const probabilities = new F(30).map(() => random());
      const targets = [0, 4, 9];
      const cases: [keyof typeof x, () => unknown[], object][] = [
        ['crossEntropyWithGrad', () => [{ data: logits.slice(), shape: [3, 10] }, targets], { gradOutput: -0.3 }],
        ['crossEntropyWithGrad', () => [{ data: logits.slice(), shape: [3, 10] }, targets], { reduction: 'sum' }],
        // ignored rows: by -100, by an ignoreIndex of a class, all of them ('mean' is 0 / 0)
        ['crossEntropyWithGrad', () => [{ data: logits.slice(), shape: [3, 10] }, [0, -100, 9]], {}],
        ['crossEntropyWithGrad', () => [{ data: logits.slice(), shape: [3, 10] }, targets], { ignoreIndex: 4 }],
        ['crossEntropyWithGrad', () => [{ data: logits.slice(), shape: [3, 10] }, [-100, -100, -100]], {}],
        [
          'crossEntropyWithGrad',
          () => [
            { data: logits.slice(), shape: [3, 10] },
            { data: Int32Array.of(2, 5, 1), shape: [3] },
          ],
          { reduction: 'none' },
        ],
        ['softmax', () => [{ data: logits.slice(), shape: [3, 10] }], { dim: 1 }],
        ['logSoftmax', () => [{ data: logits.slice(), shape: [30] }], { dim: -1 }],
        [
          'binaryCrossEntropyWithLogitsWithGrad',
          () => [
            { data: logits.slice(), shape: [3, 10] },
            { data: probabilities, shape: [3, 10] },
          ],
          { gradOutput: 2 },
        ],
      ];
      for (const [name, args, options] of cases) {
        const before = directCallCount();
        const direct = outcome(name, args(), options);
        expect(directCallCount()).toBe(before + 1);
        // in place: out is the input's own data
        const own = args();
        const inPlace = outcome(name, own, { ...options, out: (own[0] as { data: Float64Array }).data });
        expect(directCallCount()).toBe(before + 2);
        setDirectCalls(false);
        expect(sameBits(direct, outcome(name, args(), options))).toBeUndefined();
        const ownAgain = args();
        const pipelineInPlace = outcome(name, ownAgain, {
          ...options,
          out: (ownAgain[0] as { data: Float64Array }).data,
        });
        setDirectCalls(true);
        expect(sameBits(inPlace, pipelineInPlace)).toBeUndefined();
        expect(sameBits(own, ownAgain)).toBeUndefined();
      }
    }
  });
});

describe("the block's limits", () => {
  it('float32 arrays of up to 32,768 values, float64 ones of up to 16,384', () => {
    const before = directCallCount();
    x.softmax({ data: new Float32Array(32768), shape: [32768] });
    x.crossEntropyWithGrad({ data: new Float32Array(32768), shape: [32768, 1] }, new Int32Array(32768));
    x.logSumExp({ data: new Float64Array(16384), shape: [128, 128] });
    expect(directCallCount()).toBe(before + 3);
  });
});

describe('the pipeline takes what the direct path cannot', () => {
  const logits = { data: Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), shape: [3, 4] };
  it.each([
    ['int64 targets', () => x.crossEntropy(logits, BigInt64Array.of(0n, 1n, 2n))],
    ['a weight', () => x.crossEntropy(logits, [0, 1, 2], { weight: [1, 2, 3, 4] })],
    [
      'an (N, C, d) input',
      () => x.crossEntropy({ data: logits.data, shape: [1, 3, 4] }, { data: Int32Array.of(0, 1, 2, 0), shape: [1, 4] }),
    ],
    ['an allocTensor input', () => x.softmax(x.allocTensor(Float32Array, [3, 4]))],
    [
      'a SharedArrayBuffer input',
      () => x.softmax({ data: new Float32Array(new SharedArrayBuffer(48)), shape: [3, 4] }),
    ],
    [
      'a SharedArrayBuffer out',
      () => x.softmax(logits, { out: new Float32Array(new SharedArrayBuffer(48)) as unknown as Float32Array }),
    ],
    ['more float32 values than a region holds', () => x.softmax({ data: new Float32Array(32769), shape: [32769] })],
    ['more float64 values than a region holds', () => x.softmax({ data: new Float64Array(16385), shape: [16385] })],
    ['a dim that is not the last', () => x.softmax(logits, { dim: 0 })],
    ['a shape with a zero', () => x.softmax({ data: new Float32Array(0), shape: [0, 4] })],
  ])('%s', (_, call) => {
    const before = directCallCount();
    call();
    expect(directCallCount()).toBe(before);
  });
});

describe('the pipeline rules, kept', () => {
  it('a bad target read through a Proxy: each element read once, the pipeline’s error', () => {
    const reads: number[] = [];
    const target = new Proxy([0, 7, 1], {
      get(t, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads.push(Number(key));
        return Reflect.get(t, key, receiver);
      },
    });
    const logits = { data: new Float32Array(12), shape: [3, 4] };
    expect(() => x.crossEntropy(logits, target)).toThrow(/^crossEntropy: target\[1\] = 7 is out of range/);
    expect(reads).toEqual([0, 1, 2]);
  });

  it('data and shape read once each through getters, on the direct path', () => {
    const counts = { data: 0, shape: 0 };
    const input = {
      get data() {
        counts.data++;
        return Float32Array.of(1, 2, 3);
      },
      get shape() {
        counts.shape++;
        return [3];
      },
    };
    // (getters are own properties of a literal: the direct path reads them)
    const before = directCallCount();
    const p = x.softmax(input).data;
    expect(directCallCount()).toBe(before + 1);
    expect(counts).toEqual({ data: 1, shape: 1 });
    expect(p[2]).toBeCloseTo(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)), 6);
  });

  it('a getter that grows the memory and makes calls of its own: the result is the same', () => {
    const logits = { data: Float32Array.from({ length: 20 }, (_, i) => Math.cos(i)), shape: [2, 10] };
    const expected = x.crossEntropyWithGrad(logits, [3, 8]);
    const held: ReturnType<typeof x.allocTensor>[] = [];
    const targets = [3, 8];
    const sneaky = new Proxy(targets, {
      get(t, key, receiver) {
        if (key === '1') {
          held.push(x.allocTensor(Float32Array, [2 ** 22])); // 16 MB: the memory grows
          x.softmax({ data: Float32Array.of(5, 6, 7), shape: [3] }); // a direct call of its own
        }
        return Reflect.get(t, key, receiver);
      },
    });
    const got = x.crossEntropyWithGrad(logits, sneaky);
    expect(sameBits(got, expected)).toBeUndefined();
    for (const t of held) t.free();
  });

  it('a polluted Object.prototype fills no option left out', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.reduction = 'sum';
    proto.dim = 0;
    try {
      const logits = { data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3] };
      setDirectCalls(false);
      const [loss, p] = [x.crossEntropy(logits, [0, 2]), x.softmax(logits).data];
      setDirectCalls(true);
      expect(x.crossEntropy(logits, [0, 2])).toBe(loss);
      expect(Array.from(x.softmax(logits).data)).toEqual(Array.from(p));
    } finally {
      delete proto.reduction;
      delete proto.dim;
    }
  });

  it('a non-enumerable own property is no option (as Object.keys and a spread see options), on both paths', () => {
    const logits = { data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3] };
    const options = Object.defineProperty({}, 'reduction', { value: 'sum', enumerable: false });
    for (const on of [true, false]) {
      setDirectCalls(on);
      expect(x.crossEntropy(logits, [0, 2], options)).toBe(x.crossEntropy(logits, [0, 2]));
    }
  });

  it('an out that overlaps the input other than exactly is the pipeline’s RangeError', () => {
    const buffer = new Float32Array(16);
    const input = { data: buffer.subarray(0, 10), shape: [10] };
    expect(() => x.softmax(input, { out: buffer.subarray(4, 14) })).toThrow(/^softmax: options\.out overlaps/);
  });

  it('nothing the caller passed is modified but out', () => {
    const data = Float64Array.from({ length: 10 }, (_, i) => i / 3);
    const copy = data.slice();
    const target = [1];
    const out = new Float64Array(10);
    x.crossEntropyWithGrad({ data, shape: [1, 10] }, target, { out });
    x.binaryCrossEntropyWithLogitsWithGrad({ data, shape: [10] }, { data: copy.map((v) => v / 4), shape: [10] });
    expect(Array.from(data)).toEqual(Array.from(copy));
    expect(target).toEqual([1]);
    expect(out.some((v) => v !== 0)).toBe(true);
  });
});
